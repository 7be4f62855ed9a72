package dev.costwise.llm.budget;

import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import java.util.Objects;

/**
 * Caps what requests may ask a reasoning model to spend on hidden reasoning, which is billed as output and is most of
 * such a model's bill, by {@link Reasoning#atMost}: an effort above the cap is lowered to it, a token budget above the
 * cap's budget ({@link Reasoning#budgetFor}) is lowered to that budget. A request that sets no reasoning is passed on
 * unchanged (the model's default applies). The gateway's {@code max_reasoning_effort} applies the same rule.
 *
 * <pre>{@code
 * ChatModel o4Mini = ReasoningCap.of(OpenAiCompatibleChatModel.builder(OPENAI, "o4-mini").build(),
 *         ReasoningEffort.LOW);
 * o4Mini.execute(ChatRequest.builder("o4-mini").addMessage(Message.user(q))
 *         .reasoningEffort(ReasoningEffort.HIGH).build(), ctx);          // sent as low
 * }</pre>
 *
 * <p>Immutable and thread-safe if the delegate is.
 */
public final class ReasoningCap extends RequestRewritingModel {

    private final ReasoningEffort max;

    private ReasoningCap(ChatModel delegate, ReasoningEffort max) {
        super(delegate);
        this.max = Objects.requireNonNull(max, "max");
    }

    /**
     * @param delegate the model to call
     * @param max the most reasoning a request may ask for
     * @return the capped model, with the delegate's name and provider
     */
    public static ReasoningCap of(ChatModel delegate, ReasoningEffort max) {
        return new ReasoningCap(delegate, max);
    }

    /**
     * The rule alone.
     *
     * @param request a request
     * @param max the most reasoning it may ask for
     * @return the request with its reasoning lowered to {@code max}; {@code request} itself if it asks no more
     */
    public static ChatRequest capped(ChatRequest request, ReasoningEffort max) {
        if (request.reasoning().isEmpty()) {
            return request;
        }
        Reasoning asked = request.reasoning().get();
        Reasoning allowed = asked.atMost(max);
        return allowed.equals(asked) ? request : request.toBuilder().reasoning(allowed).build();
    }

    @Override
    ChatRequest rewrite(ChatRequest request) {
        return capped(request, max);
    }
}
