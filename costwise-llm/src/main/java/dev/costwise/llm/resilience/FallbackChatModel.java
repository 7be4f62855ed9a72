package dev.costwise.llm.resilience;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.recovery.AllFallbacksFailedException;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;

/**
 * A core {@link Fallback} over chat models that is itself a {@link ChatModel}, so that it streams: tries the primary,
 * then each fallback in order, moving on only when the classifier calls the failure {@code fallbackable}.
 *
 * <p>A call moves on exactly as {@link Fallback} moves on. A stream moves on until its first chunk: opening a target's
 * stream and reading its first chunk are that target's attempt, so a target that fails before its first chunk (an
 * HTTP 500, an open circuit, a first-token timeout) is skipped for the next one, as a failed call is. The stream
 * returned holds that first chunk for its reader. After it, a failure reaches the reader unchanged, and no other
 * target is tried: the chunks read so far cannot be unsent. Records, metrics, the request's attempt budget and the
 * {@link AllFallbacksFailedException} when every target fails are the core fallback's. Every attempt records its cost
 * as its model records it. The request goes to each target unchanged.
 *
 * <p>This is the plain provider-failure fallback; {@link dev.costwise.llm.budget.BudgetAwareFallback} also skips to a
 * free model when a budget is exhausted, and {@link dev.costwise.llm.ratelimit.CooldownAwareFallback} rests
 * rate-limited deployments.
 *
 * <pre>{@code
 * ChatModel llm = FallbackChatModel.builder("llm")
 *     .primary("gpt-4o", CircuitBreakingChatModel.of(openAiBreaker, gpt4o))
 *     .fallback("claude", claude)
 *     .classifier(ProviderFailureClassifier.ofDefaults()).build();
 * }</pre>
 *
 * <p>Its {@link #name()} is the fallback's, its {@link #provider()} is {@code fallback}. Immutable and thread-safe.
 */
public final class FallbackChatModel implements ChatModel {

    private final Fallback<ChatRequest, ChatResponse> calls;
    private final Fallback<ChatRequest, ChatStream> streams;
    private final Set<String> models;

    private FallbackChatModel(Builder b) {
        this.calls = b.calls.build();
        this.streams = b.streams.build();
        this.models = ChatModel.modelsOf(b.targets);
    }

    /**
     * Starts building a fallback chain.
     *
     * @param name names the fallback in records, metrics and errors
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return calls.name();
    }

    /** @return the models of every target */
    @Override
    public Set<String> models() {
        return models;
    }

    /** @return {@code fallback} */
    @Override
    public String provider() {
        return "fallback";
    }

    /** @return the target names, primary first */
    public List<String> targetNames() {
        return calls.targetNames();
    }

    /**
     * @throws AllFallbacksFailedException if every target failed with a fallbackable failure
     */
    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        return calls.execute(request, context);
    }

    /**
     * Streams a completion from the first target that reaches its first chunk.
     *
     * @param request the request
     * @param context the request's context
     * @return the open stream, its first chunk read; the caller must close it
     * @throws AllFallbacksFailedException if every target failed before its first chunk
     * @throws RuntimeException a target's failure that is not fallbackable
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        return streams.execute(request, context);
    }

    @Override
    public String toString() {
        return "FallbackChatModel[" + name() + ", targets=" + targetNames() + "]";
    }

    /** Builds a {@link FallbackChatModel}. Not thread-safe. */
    public static final class Builder {
        private final Fallback.Builder<ChatRequest, ChatResponse> calls;
        private final Fallback.Builder<ChatRequest, ChatStream> streams;
        private final List<ChatModel> targets = new ArrayList<>();

        private Builder(String name) {
            this.calls = Fallback.builder(name);
            this.streams = Fallback.builder(name);
        }

        /**
         * Sets the primary model, tried first. Required.
         *
         * @param targetName names the target in records and errors
         * @param model the model, possibly decorated (a {@link CircuitBreakingChatModel} is skipped while open)
         * @return this builder
         * @throws IllegalStateException if the primary was already set
         * @throws IllegalArgumentException if {@code targetName} is blank or already used
         */
        public Builder primary(String targetName, ChatModel model) {
            calls.primary(targetName, model);
            streams.primary(targetName, StreamOpening.of(model));
            targets.addFirst(model);
            return this;
        }

        /**
         * Adds a fallback model, tried after the primary and earlier fallbacks.
         *
         * @param targetName names the target; unique within this fallback
         * @param model the model, possibly decorated
         * @return this builder
         * @throws IllegalArgumentException if {@code targetName} is blank or already used
         */
        public Builder fallback(String targetName, ChatModel model) {
            calls.fallback(targetName, model);
            streams.fallback(targetName, StreamOpening.of(model));
            targets.add(model);
            return this;
        }

        /**
         * Sets what moves on to the next model. Default {@link FailureClassifier#ofDefaults()}, which lets a provider
         * failure decide (a caller's mistake fails at once); {@link ProviderFailureClassifier#ofDefaults()} also
         * judges failures that wrap one.
         *
         * @param classifier the classifier; only {@code fallbackable} failures move on
         * @return this builder
         */
        public Builder classifier(FailureClassifier classifier) {
            calls.classifier(classifier);
            streams.classifier(classifier);
            return this;
        }

        /**
         * Sets where calls, streams and per-target outcomes are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics metrics) {
            calls.metrics(metrics);
            streams.metrics(metrics);
            return this;
        }

        /**
         * @return the fallback chain
         * @throws IllegalStateException if no primary was set
         */
        public FallbackChatModel build() {
            return new FallbackChatModel(this);
        }
    }
}
