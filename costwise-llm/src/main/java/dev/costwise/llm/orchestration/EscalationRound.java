package dev.costwise.llm.orchestration;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import java.util.Objects;

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

    /** Records again on the request's context what {@code held} recorded, with its successes superseded if so. */
    private void rejoin(WorkflowContext held, boolean replaced) {
        CostRecords.rejoin(held, context, c -> replaced && c.outcome() == Outcome.SUCCESS ? c.superseded() : c);
    }
}
