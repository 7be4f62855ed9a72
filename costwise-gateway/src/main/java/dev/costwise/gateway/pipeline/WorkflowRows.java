package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.spi.SpendLedger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ledger rows of one workflow run, held until the run ends: only then is it known which call's answer the caller
 * got. That call's row keeps its baseline cost (what the answer would have cost on the baseline model); the
 * classification and validation calls, answers superseded by an escalation and failed calls get none, since a caller
 * of the baseline model would not have paid for them. So the rows' baselines add up to the request's own. Thread-safe.
 */
final class WorkflowRows {
    private record Held(CostRecord row, Optional<ChatResponse> answer) {}

    private final List<Held> held = new ArrayList<>();
    /** What the run's calls cost so far, by the model that made them; kept after a flush. */
    private final Map<String, Money> spentByModel = new HashMap<>();
    /** What the run's failed calls cost (those their provider billed); kept after a flush. */
    private Money failedCost = Money.ZERO;
    /** The model of the last call its provider billed; null before any; kept after a flush. */
    private String lastBilledModel;

    /**
     * Holds a row.
     *
     * @param row the call's row, its baseline cost priced as if its answer were the one returned
     * @param answer the call's answer, empty for a failed call
     */
    synchronized void add(CostRecord row, Optional<ChatResponse> answer) {
        held.add(new Held(row, answer));
        spentByModel.merge(row.usedModel(), row.cost(), Money::plus);
        if (!row.cost().isZero()) {
            lastBilledModel = row.usedModel();
        }
        if (row.outcome() == Outcome.FAILED) {
            failedCost = failedCost.plus(row.cost());
        }
    }

    /**
     * @return what the run's failed calls cost: those whose provider billed the usage it reported (an error inside a
     *     200 with its usage), which the workflow's own costs leave out, as it never got their answers
     */
    synchronized Money failedCost() {
        return failedCost;
    }

    /**
     * @return what the run's calls have cost so far, by the model that made them (each model's budgets are charged
     *     with its own calls; a run that fails part-way is charged for the calls it made)
     */
    synchronized Map<String, Money> spentByModel() {
        return Map.copyOf(spentByModel);
    }

    /**
     * @return what the run's calls have cost so far, all models together, and the model of the last one billed; empty
     *     when none was billed (a run that fails part-way tells its caller this)
     */
    synchronized Optional<Map.Entry<String, Money>> billed() {
        return Optional.ofNullable(lastBilledModel)
                .map(m -> Map.entry(m, spentByModel.values().stream().reduce(Money.ZERO, Money::plus)));
    }

    /**
     * Writes the rows held, in call order, and forgets them. An answer an escalation replaced is written
     * {@link Outcome#SUPERSEDED}, so its spend counts as wasted.
     *
     * @param ledger the ledger
     * @param returned the answer the caller gets (the very object the call returned), empty if the run failed
     * @param superseded the answers escalations replaced (the very objects the calls returned)
     * @return the baseline cost of the request: its returned answer's row's, zero if none
     */
    synchronized Money flush(SpendLedger ledger, Optional<ChatResponse> returned, List<ChatResponse> superseded) {
        Money baseline = Money.ZERO;
        for (Held h : held) {
            boolean isReturned = h.answer().isPresent() && returned.isPresent() && h.answer().get() == returned.get();
            CostRecord r = h.row();
            if (isReturned) {
                baseline = r.baselineCost();
            }
            if (h.answer().isPresent() && superseded.stream().anyMatch(s -> s == h.answer().get())) {
                LedgerRows.appendOrLog(ledger, r.superseded());
                continue;
            }
            LedgerRows.appendOrLog(ledger, isReturned ? r : new CostRecord(r.requestId(), r.attempt(), r.at(),
                    r.requestedModel(), r.usedModel(), r.provider(), r.usage(), r.cost(), Money.ZERO, r.priceStatus(),
                    r.outcome(), r.errorKind(), r.route(), r.latency(), r.tags()));
        }
        held.clear();
        return baseline;
    }
}
