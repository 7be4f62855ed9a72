package dev.costwise.llm.cost;

import dev.costwise.core.Money;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * What hard budgets hold for a multi-model workflow run before its first call: the gateway reserves it (its
 * {@code ChatService}) and the planner checks it (its {@code PipelineRunner}) by this one rule, so that a replay
 * predicts the gateway's budget decisions for a workflow pipeline.
 *
 * <p>Each round may be answered by any executor (a fallback, an escalation), so a round holds the dearest executor's
 * whole answer and, when answers are validated, a verdict on the orchestrator that reads the longest answer
 * ({@link WorstCaseCost#verdictInput}); the run holds that once per round. A model's budgets hold its own share: its
 * answer in every round if it executes, the verdict in every round if it orchestrates, or both.
 *
 * @param whole the worst case of the whole run, held on every budget not scoped to a model
 * @param byModel each model the run may call with the worst case of its calls, in name order (the order its
 *     per-model budgets are checked in)
 */
public record WorkflowWorstCase(Money whole, SortedMap<String, Money> byModel) {

    public WorkflowWorstCase {
        Objects.requireNonNull(whole, "whole");
        byModel = Collections.unmodifiableSortedMap(new TreeMap<>(byModel));
    }

    /**
     * One executor's answer.
     *
     * @param model the executor
     * @param worstCase the worst case of one answer on it (its prompt and output limit at its prices and tier)
     * @param outputLimit the most output tokens that answer may have
     */
    public record Answer(String model, Money worstCase, long outputLimit) {
        public Answer {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(worstCase, "worstCase");
        }
    }

    /**
     * The orchestrator's verdict on each answer, when answers are validated.
     *
     * @param orchestrator the model that judges
     * @param promptTokens the estimated tokens of the verdict's prompt besides the answer it judges
     * @param worstCase the worst case of one verdict whose whole prompt is the given number of tokens
     */
    public record Verdict(String orchestrator, long promptTokens, LongFunction<Money> worstCase) {
        public Verdict {
            Objects.requireNonNull(orchestrator, "orchestrator");
            Objects.requireNonNull(worstCase, "worstCase");
        }
    }

    /**
     * @param answers every executor the run may delegate to
     * @param verdict the verdict on each answer, if answers are validated
     * @param rounds the most answers the run may be billed for: one, plus one per escalation
     * @return what the run's budgets hold
     * @throws IllegalArgumentException if {@code rounds} is below 1
     */
    public static WorkflowWorstCase of(List<Answer> answers, Optional<Verdict> verdict, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, was " + rounds);
        }
        Money answer = Money.ZERO;
        long longest = 0;
        Map<String, Money> byModel = new TreeMap<>();
        for (Answer a : answers) {
            answer = answer.max(a.worstCase());
            longest = Math.max(longest, a.outputLimit());
            byModel.put(a.model(), a.worstCase().times(rounds));
        }
        Money judged = Money.ZERO;
        if (verdict.isPresent()) {
            // the verdict reads the longest answer: a quarter more tokens than its limit, as the orchestrator's
            // tokenizer may split it finer than the executor's
            judged = verdict.get().worstCase().apply(WorstCaseCost.verdictInput(verdict.get().promptTokens(),
                    longest));
            byModel.merge(verdict.get().orchestrator(), judged.times(rounds), Money::plus);
        }
        return new WorkflowWorstCase(answer.plus(judged).times(rounds), new TreeMap<>(byModel));
    }
}
