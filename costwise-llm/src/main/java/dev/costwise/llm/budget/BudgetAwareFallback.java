package dev.costwise.llm.budget;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.resilience.StreamOpening;
import java.util.Set;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The spec's budget-aware fallback (Pattern 2): tries the primary model, then each fallback in order when a provider
 * fails in a way another model may not (rate limit, overload, server error, timeout, connection, quota, context
 * length); when the budget is exhausted it skips straight to the last, free fallback.
 *
 * <p>The last fallback must cost $0 by the guard's catalog ({@link #of} checks), and its calls go through the guard:
 * they reserve nothing and pass, and a model the catalog prices above $0 by then is refused, so going to it never
 * takes spend past a hard limit. Wrap the paid models in {@link BudgetedChatModel} with the same guard, so their
 * calls are held to the budgets too.
 *
 * <p>"Exhausted" means a governing budget (those named, or every non-model budget that applies to the request's tags)
 * has nothing left to reserve, or a model below throws {@link BudgetExceededException}. Either way the context's
 * metadata gets {@value BudgetedChatModel#BUDGET_EXCEEDED} = {@code true} and a record of that name. A caller's
 * mistake (invalid request, bad credentials, content filter) is thrown at once. Each model skipped is recorded as a
 * {@code fallback} step with the reason. When every model fails, the last failure is thrown with the earlier ones
 * attached as suppressed.
 *
 * <p>A stream moves on by the same first-chunk rule as {@link dev.costwise.llm.resilience.FallbackChatModel}
 * ({@link StreamOpening}): a failure while the stream opens or before its first chunk (an error event sent after the
 * HTTP 200) moves on as a failed call does, and the stream returned holds its first chunk for the reader; a failure
 * after it reaches the reader unchanged, and no other model is called. Thread-safe.
 */
public final class BudgetAwareFallback implements ChatModel {

    private final String name;
    private final List<ChatModel> chain;
    private final BudgetUtilization utilization;

    private BudgetAwareFallback(String name, List<ChatModel> chain, BudgetUtilization utilization) {
        this.name = name;
        this.chain = chain;
        this.utilization = utilization;
    }

    /**
     * Creates the fallback chain.
     *
     * @param name names it in records
     * @param guard the guard whose budgets decide when to skip to the free model, and which holds its calls
     * @param primary the preferred model
     * @param fallbacks cheaper models in order; the last is the free one, which the guard's catalog must price at $0
     * @param budgetNames the governing budgets; none for every non-model budget that applies
     * @return the chain
     * @throws IllegalArgumentException if the name is blank, there is no fallback, a named budget is unknown, or the
     *     guard's catalog does not know the last fallback or prices it above $0 (the message names it and its price)
     */
    public static BudgetAwareFallback of(String name, BudgetGuard guard, ChatModel primary, List<ChatModel> fallbacks,
            String... budgetNames) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name cannot be blank");
        }
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(primary, "primary");
        if (fallbacks.isEmpty()) {
            throw new IllegalArgumentException("fallback '" + name + "' needs at least one fallback, was none");
        }
        ChatModel free = fallbacks.getLast();
        guard.requireFree("the last fallback of '" + name + "'", free.name());
        List<ChatModel> chain = new ArrayList<>();
        chain.add(primary);
        chain.addAll(fallbacks.subList(0, fallbacks.size() - 1));
        chain.add(BudgetedChatModel.of(free, guard));
        return new BudgetAwareFallback(name, List.copyOf(chain),
                new BudgetUtilization(guard.budgets(), List.of(budgetNames)));
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
        return run(request, context, m -> m.execute(request.withModel(m.name()), context));
    }

    /**
     * Streams from the first model that reaches its first chunk, by the first-chunk rule of
     * {@link dev.costwise.llm.resilience.FallbackChatModel} ({@link StreamOpening}).
     *
     * @return the open stream, its first chunk read; the caller must close it
     * @throws BudgetExceededException if the budgets refuse the free model too
     * @throws ProviderException the last model's failure, or a failure that does not fall back
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        return run(request, context, m -> StreamOpening.toFirstChunk(m.stream(request.withModel(m.name()), context)));
    }

    private <T> T run(ChatRequest request, WorkflowContext context, Function<ChatModel, T> call) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        ChatModel free = chain.getLast();
        var exhausted = utilization.exhausted(context);
        if (exhausted.isPresent()) {
            markExceeded(context, exhausted.get().budget().name(), free);
            return call.apply(free);
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            ChatModel model = chain.get(i);
            try {
                T result = call.apply(model);
                if (i > 0) {
                    context.record(name, "model_used", Map.of("model", model.name(), "attempt", i + 1));
                }
                return result;
            } catch (BudgetExceededException e) {
                markExceeded(context, e.budget(), free);
                failures.add(e);
                if (model == free) {
                    throw withSuppressed(e, failures);
                }
                try {
                    return call.apply(free);
                } catch (RuntimeException last) {
                    throw withSuppressed(last, failures);
                }
            } catch (ProviderException e) {
                if (!fallsBack(e) || i == chain.size() - 1) {
                    throw withSuppressed(e, failures);
                }
                failures.add(e);
                context.record(name, "fallback", Map.of("from", model.name(), "to", chain.get(i + 1).name(),
                        "reason", e.kind()));
            }
        }
        throw new IllegalStateException("unreachable: fallback chain '" + name + "' ended without a result");
    }

    private void markExceeded(WorkflowContext context, String budget, ChatModel free) {
        context.metadata().put(BudgetedChatModel.BUDGET_EXCEEDED, Boolean.TRUE);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("budget", budget);
        attributes.put("action", "downgrade");
        attributes.put("model", free.name());
        context.record(name, BudgetedChatModel.BUDGET_EXCEEDED, attributes);
    }

    private static boolean fallsBack(ProviderException e) {
        return e.isTransient() || e instanceof ProviderException.QuotaExhausted
                || e instanceof ProviderException.ContextLengthExceeded
                || e instanceof ProviderException.NotFound;
    }

    private static RuntimeException withSuppressed(RuntimeException last, List<RuntimeException> earlier) {
        for (RuntimeException e : earlier) {
            if (e != last) {
                last.addSuppressed(e);
            }
        }
        return last;
    }
}
