package dev.costwise.llm.ratelimit;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.resilience.StreamOpening;
import java.util.Set;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sends traffic past deployments that are cooling down after a 429, at once: a rate-limited deployment is not called
 * again until its retry-after passes, and no model is retried here, so a fallback's own quota is never spent on
 * retries of another's failure.
 *
 * <p>Models are tried in order, each at most once per call. A {@link ProviderException.RateLimited} (or
 * {@link ProviderException.QuotaExhausted}) trips the model's cooldown, for the provider's retry-after (an exhausted
 * quota until it resets, when the provider said) or else the table's default, and moves on to the next; any other
 * failure is thrown unchanged (leave those to the retry and fallback primitives). A skipped model is recorded as a
 * {@code fallback} step with reason {@code cooldown}, {@code rate_limited} or {@code quota_exhausted}. When every model
 * rests, {@link AllCoolingDownException} is thrown.
 *
 * <p>A stream moves on by the same first-chunk rule as {@link dev.costwise.llm.resilience.FallbackChatModel}
 * ({@link StreamOpening}): a 429 while the stream opens or before its first chunk (an error event such as OpenRouter's)
 * rests the model and moves on; the stream returned holds its first chunk for the reader, and a failure after it
 * reaches the reader unchanged. Thread-safe.
 */
public final class CooldownAwareFallback implements ChatModel {

    private final String name;
    private final Cooldowns cooldowns;
    private final List<ChatModel> chain;

    private CooldownAwareFallback(String name, Cooldowns cooldowns, List<ChatModel> chain) {
        this.name = name;
        this.cooldowns = cooldowns;
        this.chain = chain;
    }

    /**
     * Creates the chain.
     *
     * @param name names it in records and errors
     * @param cooldowns the cooldown table (share one per process so every route sees the same 429s)
     * @param primary the preferred deployment
     * @param fallbacks the others, in order
     * @return the chain
     * @throws IllegalArgumentException if there is no fallback
     */
    public static CooldownAwareFallback of(String name, Cooldowns cooldowns, ChatModel primary,
            ChatModel... fallbacks) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cooldowns, "cooldowns");
        if (fallbacks.length == 0) {
            throw new IllegalArgumentException("fallback '" + name + "' needs at least one fallback, was none");
        }
        List<ChatModel> chain = new ArrayList<>();
        chain.add(Objects.requireNonNull(primary, "primary"));
        chain.addAll(List.of(fallbacks));
        return new CooldownAwareFallback(name, cooldowns, List.copyOf(chain));
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the models of every model it may call */
    @Override
    public Set<String> models() {
        return ChatModel.modelsOf(chain);
    }

    @Override
    public String provider() {
        return "fallback";
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        return run(context, m -> m.execute(request.withModel(m.name()), context));
    }

    /**
     * Streams from the first model that is not resting and reaches its first chunk without a 429.
     *
     * @return the open stream, its first chunk read; the caller must close it
     * @throws AllCoolingDownException if every model rests or answered 429 before its first chunk
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        return run(context, m -> StreamOpening.toFirstChunk(m.stream(request.withModel(m.name()), context)));
    }

    private <T> T run(WorkflowContext context, Function<ChatModel, T> call) {
        Objects.requireNonNull(context, "context");
        List<RuntimeException> failures = new ArrayList<>();
        List<String> resting = new ArrayList<>();
        Instant earliest = Instant.MAX;
        for (ChatModel model : chain) {
            String deployment = Cooldowns.deploymentOf(model);
            Optional<Instant> until = cooldowns.until(deployment);
            if (until.isPresent()) {
                resting.add(deployment);
                earliest = until.get().isBefore(earliest) ? until.get() : earliest;
                context.record(name, "fallback", Map.of("from", model.name(), "reason", "cooldown",
                        "until", until.get()));
                continue;
            }
            try {
                return call.apply(model);
            } catch (ProviderException.RateLimited e) {
                failures.add(e);
                Instant end = cooldowns.trip(deployment, e.retryAfter());
                resting.add(deployment);
                earliest = end.isBefore(earliest) ? end : earliest;
                context.record(name, "fallback", Map.of("from", model.name(), "reason", "rate_limited",
                        "until", end));
            } catch (ProviderException.QuotaExhausted e) {
                failures.add(e);
                Instant end = cooldowns.trip(deployment, e.retryAfter()); // until the quota resets, if said
                resting.add(deployment);
                earliest = end.isBefore(earliest) ? end : earliest;
                context.record(name, "fallback", Map.of("from", model.name(), "reason", "quota_exhausted",
                        "until", end));
            }
        }
        AllCoolingDownException all = new AllCoolingDownException(name, resting, earliest);
        failures.forEach(all::addSuppressed);
        throw all;
    }
}
