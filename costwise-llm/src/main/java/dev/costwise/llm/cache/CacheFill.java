package dev.costwise.llm.cache;

import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One upstream call that fills a response cache, in memory or shared. The call runs on its own
 * {@linkplain WorkflowContext#scope() scope} of the request's context, so what it recorded is told apart from what
 * calls beside it on the same context record meanwhile (a fallback they took is not taken for this call's).
 *
 * <pre>{@code
 * CacheFill fill = CacheFill.start(context);
 * ChatResponse response = delegate.execute(request, fill.context());
 * store(key, fill.answer(response));
 * }</pre>
 */
public final class CacheFill {

    /** The event core's {@code Fallback} records for each target it tries. */
    private static final String FALLBACK_EVENT = "fallback";

    private final WorkflowContext context;
    private final int fallbacksBefore;
    private final int costsBefore;

    private CacheFill(WorkflowContext context) {
        this.context = context;
        this.fallbacksBefore = context.records(FALLBACK_EVENT).size();
        this.costsBefore = CostRecords.of(context).size();
    }

    /**
     * Starts a fill on a new scope of {@code requestContext}.
     *
     * @param requestContext the context of the request that missed
     * @return the fill; make the upstream call on its {@link #context()}
     */
    public static CacheFill start(WorkflowContext requestContext) {
        return new CacheFill(Objects.requireNonNull(requestContext, "requestContext").scope());
    }

    /** @return the context to make the upstream call on; its records reach the request's context at once */
    public WorkflowContext context() {
        return context;
    }

    /**
     * The entry for the call's answer: produced by the model its successful attempt was recorded under (the catalog
     * name, which its hits then count under; the response's model when the call recorded no success), measured
     * against that attempt's baseline cost (the answer's own cost when it recorded none), and by a fallback when a
     * fallback primitive inside the call skipped a target or the provider itself answered with another model than
     * the one asked for.
     *
     * @param response the call's answer
     * @return the entry to store
     */
    public CachedAnswer answer(ChatResponse response) {
        Objects.requireNonNull(response, "response");
        List<StepRecord> fallbacks = context.records(FALLBACK_EVENT);
        boolean skipped = fallbacks.subList(fallbacksBefore, fallbacks.size()).stream()
                .anyMatch(r -> "skipped".equals(r.attributes().get("outcome")));
        List<CostRecord> costs = CostRecords.of(context);
        Optional<CostRecord> success = costs.subList(costsBefore, costs.size()).reversed().stream()
                .filter(r -> r.outcome() == Outcome.SUCCESS).findFirst();
        return new CachedAnswer(response, success.map(CostRecord::catalogModel).orElse(response.model()),
                success.map(CostRecord::baselineCost).orElse(response.cost()),
                skipped || response.modelDowngraded(), context.clock().instant());
    }
}
