package dev.costwise.llm.budget;

import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.cost.SavingsCalculator;
import java.util.Objects;
import java.util.Optional;

/**
 * A model on one service tier: every request asks for {@code tier}, whatever it asked before, as the gateway's
 * {@code service_tier} model setting does. {@link ServiceTier#FLEX} is a half-price deployment of an OpenAI model for
 * work that can wait; OpenAI refuses a flex call with a 429 (unbilled) when it has no capacity, so pair it with a
 * fallback to the same model as the request asks (the standard tier when it names none):
 *
 * <pre>{@code
 * ChatModel o3 = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "o3").pricer(pricer).build();
 * Fallback<ChatRequest, ChatResponse> flexFirst = Fallback.<ChatRequest, ChatResponse>builder("o3-flex-first")
 *         .primary("o3-flex", OnServiceTier.of(o3, ServiceTier.FLEX)).fallback("o3", o3)
 *         .classifier(ProviderFailureClassifier.ofDefaults()).build();
 * }</pre>
 *
 * <p>Each answer is billed at the tier it reports it ran on ({@link dev.costwise.llm.chat.Usage#serviceTier()}).
 * Since Costwise chose the tier, its baseline is priced on the tier the caller asked for, the standard one if none
 * ({@link ChatRequest#callerServiceTier()}), so a flex answer's record shows what flex saved. Providers without tiers
 * ignore the setting. Immutable and thread-safe if the delegate is.
 */
public final class OnServiceTier extends RequestRewritingModel {

    private final ServiceTier tier;

    private OnServiceTier(ChatModel delegate, ServiceTier tier) {
        super(delegate);
        this.tier = Objects.requireNonNull(tier, "tier");
    }

    /**
     * @param delegate the model to call
     * @param tier the tier every request asks for
     * @return the model on that tier, with the delegate's name and provider
     */
    public static OnServiceTier of(ChatModel delegate, ServiceTier tier) {
        return new OnServiceTier(delegate, tier);
    }

    @Override
    ChatRequest rewrite(ChatRequest request) {
        // an outer OnServiceTier already kept the caller's own tier
        Optional<ServiceTier> callers = request.callerServiceTier()
                .or(() -> Optional.of(SavingsCalculator.callerTier(request.serviceTier())));
        return request.toBuilder().serviceTier(tier).callerServiceTier(callers).build();
    }
}
