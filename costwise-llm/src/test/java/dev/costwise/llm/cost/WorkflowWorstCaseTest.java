package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkflowWorstCaseTest {

    private static final List<WorkflowWorstCase.Answer> ANSWERS = List.of(
            new WorkflowWorstCase.Answer("mini", Money.of("0.001"), 1_000),
            new WorkflowWorstCase.Answer("big", Money.of("0.01"), 4_000));

    @Test
    void givenAnUnvalidatedRun_whenHeld_thenEachRoundHoldsTheDearestAnswerAndEachModelItsOwnPerRound() {
        WorkflowWorstCase w = WorkflowWorstCase.of(ANSWERS, Optional.empty(), 2);

        assertThat(w.whole()).isEqualTo(Money.of("0.02"));
        assertThat(w.byModel()).containsExactly(Map.entry("big", Money.of("0.02")),
                Map.entry("mini", Money.of("0.002")));
    }

    @Test
    void givenAValidatedRun_whenHeld_thenAVerdictReadingTheLongestAnswerIsAddedToEachRoundAndToTheOrchestrator() {
        // the verdict's prompt: 100 of its own, the longest answer's 4,000 tokens, a quarter more and 16 of framing
        WorkflowWorstCase.Verdict verdict = new WorkflowWorstCase.Verdict("big", 100,
                tokens -> Money.of("0.000001").times(tokens));

        WorkflowWorstCase w = WorkflowWorstCase.of(ANSWERS, Optional.of(verdict), 2);

        Money oneVerdict = Money.of("0.005116"); // 100 + 4,000 + 1,000 + 16 tokens at $1 per 1M
        assertThat(w.whole()).isEqualTo(Money.of("0.01").plus(oneVerdict).times(2));
        assertThat(w.byModel().get("big")).isEqualTo(Money.of("0.01").plus(oneVerdict).times(2));
        assertThat(w.byModel().get("mini")).isEqualTo(Money.of("0.002"));
    }

    @Test
    void givenNoRound_whenHeld_thenRefused() {
        assertThatThrownBy(() -> WorkflowWorstCase.of(ANSWERS, Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds must be >= 1");
    }
}
