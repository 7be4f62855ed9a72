package dev.costwise.llm.orchestration;

import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import java.util.Objects;
import java.util.Optional;

/**
 * One round of a validated workflow: an executor's answer and the verdict on it. Until the workflow knows whether the
 * answer reaches the caller, the round's records are held on forks of the request's context; then they join it in
 * call order (answer, then verdict), as they were or, when an escalation replaced the answer, with the answer's
 * {@link Outcome#SUCCESS} cost records made {@linkplain CostRecord#superseded() superseded}. A billed attempt so keeps
 * exactly one cost record (one ledger row), with its final outcome, rather than a success followed by a correction
 * that every reader would have to pair up. Not thread-safe: one per round, used by the thread running the workflow.
 */
final class EscalationRound {
    private final WorkflowContext context;
    private final WorkflowContext answer;
    private final WorkflowContext verdict;
    private boolean superseded;

    EscalationRound(WorkflowContext context) {
        this.context = Objects.requireNonNull(context, "context");
        this.answer = context.fork("");
        this.verdict = context.fork("");
    }

    /** @return the context the executor answers on */
    WorkflowContext answerContext() {
        return answer;
    }

    /** @return the context the orchestrator judges the answer on */
    WorkflowContext verdictContext() {
        return verdict;
    }

    /** Marks the round's answer as replaced by an escalation: its spend bought nothing the caller gets. */
    void supersede() {
        superseded = true;
    }

    /** Appends the round's records to the request's context; called once, when the round is decided or failed. */
    void close() {
        rejoin(answer, superseded);
        rejoin(verdict, false);
    }

    /**
     * Records again on the request's context what {@code held} recorded: a cost record through {@link CostRecords},
     * which gives it the request's route as if it had been recorded there at once.
     */
    private void rejoin(WorkflowContext held, boolean replaced) {
        for (StepRecord step : held.records()) {
            Optional<CostRecord> cost = CostRecords.EVENT.equals(step.event())
                    ? step.attribute(CostRecords.ATTRIBUTE, CostRecord.class) : Optional.empty();
            if (cost.isEmpty()) {
                context.record(step.primitive(), step.event(), step.attributes());
            } else if (replaced && cost.get().outcome() == Outcome.SUCCESS) {
                CostRecords.record(context, step.primitive(), cost.get().superseded());
            } else {
                CostRecords.record(context, step.primitive(), cost.get());
            }
        }
    }
}
