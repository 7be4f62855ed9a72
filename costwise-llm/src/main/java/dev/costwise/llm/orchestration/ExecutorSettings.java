package dev.costwise.llm.orchestration;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.ServiceTier;
import java.util.Objects;
import java.util.Optional;

/**
 * How an executor is to answer a workflow's task, as the caller asked: the output limit (which also bounds what the
 * answer may cost), the answer's format, how much a reasoning executor may think, and the service tier it runs on.
 * Executors that do not reason get the task without the reasoning setting, which their providers would refuse; one
 * whose provider sells no tiers runs on its one. With {@link #answering(ChatRequest)} the executor also gets the
 * caller's tools, tool choice and sampling fields.
 *
 * @param maxTokens the output limit, if set (otherwise the executor's default)
 * @param responseFormat free text, JSON mode or a JSON schema
 * @param reasoning how much a reasoning executor may think, if set (otherwise its default)
 * @param serviceTier the tier the executor is asked to run on ({@code flex} for work that can wait), if set
 * @param caller the caller's own request, if the executor is to answer it as asked: its tools, tool choice and
 *     sampling fields (temperature, top_p, top_k, penalties, stop, seed, user, metadata, context management) go to
 *     the executor; its model and messages do not (the delegation's are used), and the four settings above win over
 *     its own
 */
public record ExecutorSettings(Optional<Integer> maxTokens, ResponseFormat responseFormat,
        Optional<Reasoning> reasoning, Optional<ServiceTier> serviceTier, Optional<ChatRequest> caller) {

    /** No output limit, free text, each model's default reasoning. */
    public static final ExecutorSettings DEFAULT =
            new ExecutorSettings(Optional.empty(), new ResponseFormat.Text(), Optional.empty(), Optional.empty());

    public ExecutorSettings {
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(serviceTier, "serviceTier");
        Objects.requireNonNull(caller, "caller");
        maxTokens.ifPresent(m -> {
            if (m < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, was " + m);
            }
        });
    }

    /**
     * Settings without the caller's tools and sampling fields.
     *
     * @param maxTokens the output limit, if set
     * @param responseFormat free text, JSON mode or a JSON schema
     * @param reasoning how much a reasoning executor may think, if set
     * @param serviceTier the tier the executor is asked to run on, if set
     */
    public ExecutorSettings(Optional<Integer> maxTokens, ResponseFormat responseFormat,
            Optional<Reasoning> reasoning, Optional<ServiceTier> serviceTier) {
        this(maxTokens, responseFormat, reasoning, serviceTier, Optional.empty());
    }

    /**
     * The executor answers {@code request} as its caller asked: within its output limit, in its format, with its
     * reasoning setting, on its service tier, with its tools, tool choice and sampling fields.
     *
     * @param request the caller's request
     * @return the settings
     */
    public static ExecutorSettings answering(ChatRequest request) {
        return new ExecutorSettings(request.maxTokens(), request.responseFormat(), request.reasoning(),
                request.serviceTier(), Optional.of(request));
    }

    /**
     * Settings on each provider's default tier.
     *
     * @param maxTokens the output limit, if set
     * @param responseFormat free text, JSON mode or a JSON schema
     * @param reasoning how much a reasoning executor may think, if set
     */
    public ExecutorSettings(Optional<Integer> maxTokens, ResponseFormat responseFormat,
            Optional<Reasoning> reasoning) {
        this(maxTokens, responseFormat, reasoning, Optional.empty());
    }

    /** @return whether the answer must be JSON (JSON mode or a schema), so only JSON-capable executors qualify */
    public boolean wantsJson() {
        return !(responseFormat instanceof ResponseFormat.Text);
    }
}
