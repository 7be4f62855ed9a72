package dev.costwise.planner.engine;

import dev.costwise.core.Money;
import dev.costwise.llm.orchestration.MultiModelResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one run of a pipeline over a list of requests did and cost.
 *
 * @param requests requests run
 * @param answered requests answered (from a model or a cache)
 * @param failed requests that failed (every model failed, or a caller's error)
 * @param rejected requests the budget refused
 * @param cacheHits requests answered from a cache
 * @param routes requests per route, in first-seen order
 * @param models calls and cost per model, in first-seen order
 * @param retries retries made
 * @param fallbacks requests answered by a fallback model
 * @param budgetHits requests whose route the budget changed or that it rejected
 * @param cost the total billed
 * @param wasted billed spend of failed attempts (part of {@code cost})
 * @param retryCost billed spend of retry attempts, successful or not (part of {@code cost})
 * @param backoff the total backoff the retries would have waited
 * @param timeline the cache hit rate and cost over the run, in equal buckets of requests
 * @param outcomes the outcomes of the first requests, in order: every request's for a run over a list
 *     ({@link PipelineRunner#run}), the first ones a streamed run keeps for a replay ({@link PipelineRunner#start}),
 *     whose figures above count every request
 * @param workflow what the gateway's multi-model workflow did and cost, over the requests it ran
 *     ({@link Workflow#NONE} without a workflow)
 * @param failedCalls why model calls failed: one entry per model and kind of failure, in first-seen order
 */
public record RunStats(long requests, long answered, long failed, long rejected, long cacheHits,
        Map<String, Long> routes, Map<String, ModelUsage> models, long retries, long fallbacks, long budgetHits,
        Money cost, Money wasted, Money retryCost, Duration backoff, List<Bucket> timeline,
        List<RequestOutcome> outcomes, Workflow workflow, List<FailedCalls> failedCalls) {

    public RunStats {
        routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(wasted, "wasted");
        Objects.requireNonNull(retryCost, "retryCost");
        Objects.requireNonNull(backoff, "backoff");
        timeline = List.copyOf(timeline);
        outcomes = List.copyOf(outcomes);
        Objects.requireNonNull(workflow, "workflow");
        failedCalls = List.copyOf(failedCalls);
    }

    /** @return whether {@link #outcomes()} holds every request's outcome */
    public boolean hasEveryOutcome() {
        return outcomes.size() == requests;
    }

    /** @return cache hits / requests, 0 with no requests */
    public double cacheHitRate() {
        return requests == 0 ? 0 : (double) cacheHits / requests;
    }

    /** @return the cost per answered request, zero with no answers */
    public Money costPerAnswer() {
        return answered == 0 ? Money.ZERO : Money.of(cost.toBigDecimal().divide(
                java.math.BigDecimal.valueOf(answered), 10, java.math.RoundingMode.HALF_EVEN));
    }

    /**
     * Calls and spend of one model.
     *
     * @param attempts calls made, failed ones included
     * @param successes calls that answered
     * @param inputTokens prompt tokens of successful calls
     * @param outputTokens answer tokens of successful calls
     * @param cost billed
     */
    public record ModelUsage(long attempts, long successes, long inputTokens, long outputTokens, Money cost) {
        /** @return the average billed cost per successful call, zero without one */
        public Money costPerCall() {
            return successes == 0 ? Money.ZERO : Money.of(cost.toBigDecimal().divide(
                    java.math.BigDecimal.valueOf(successes), 10, java.math.RoundingMode.HALF_EVEN));
        }
    }

    /**
     * The calls to one model that failed one way.
     *
     * @param model the model called
     * @param kind the kind of failure ({@code context_length}, {@code rate_limited}…)
     * @param calls how many calls failed so
     * @param example the first one's message, which says why
     */
    public record FailedCalls(String model, String kind, long calls, String example) {
        public FailedCalls {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(example, "example");
        }
    }

    /**
     * One slice of the run.
     *
     * @param requests requests in the slice
     * @param cacheHits hits in the slice
     * @param cost billed in the slice
     */
    public record Bucket(long requests, long cacheHits, Money cost) {
        /** @return the slice's hit rate */
        public double hitRate() {
            return requests == 0 ? 0 : (double) cacheHits / requests;
        }
    }

    /**
     * What the gateway's multi-model workflow did, over the requests it ran, with orchestrator and executor costs
     * apart as the gateway reports them ({@code orchestrator_cost}, {@code executor_cost}).
     *
     * @param runs requests the workflow ran (a dry run runs none)
     * @param orchestrated runs the orchestrator took part in (a simple task goes straight to an executor)
     * @param verdicts the orchestrator's verdicts on answers
     * @param failedVerdicts verdicts that failed an answer (a malformed verdict fails it)
     * @param escalations moves to a stronger executor after a failed verdict
     * @param failedRuns runs no executor could answer
     * @param orchestratorCost what the orchestrator's calls cost (classification and validation)
     * @param executorCost what the executors' answers cost, superseded ones included
     */
    public record Workflow(long runs, long orchestrated, long verdicts, long failedVerdicts, long escalations,
            long failedRuns, Money orchestratorCost, Money executorCost) {

        /** No workflow ran. */
        public static final Workflow NONE = new Workflow(0, 0, 0, 0, 0, 0, Money.ZERO, Money.ZERO);

        public Workflow {
            Objects.requireNonNull(orchestratorCost, "orchestratorCost");
            Objects.requireNonNull(executorCost, "executorCost");
        }

        /** @return these figures and one more run's */
        Workflow plus(WorkflowRuns.Run run) {
            if (run.response().isEmpty()) {
                return new Workflow(runs + 1, orchestrated, verdicts, failedVerdicts, escalations, failedRuns + 1,
                        orchestratorCost, executorCost);
            }
            MultiModelResponse out = run.response().get();
            // a verdict per answer judged: one per escalation, plus the last one
            long judged = out.verdict().isPresent() ? out.escalations().size() + 1 : 0;
            long failed = out.escalations().size() + (out.verdict().filter(v -> !v.passed()).isPresent() ? 1 : 0);
            return new Workflow(runs + 1, orchestrated + (out.orchestrated() ? 1 : 0), verdicts + judged,
                    failedVerdicts + failed, escalations + out.escalations().size(), failedRuns,
                    orchestratorCost.plus(out.orchestratorCost()), executorCost.plus(out.executorCost()));
        }
    }
}
