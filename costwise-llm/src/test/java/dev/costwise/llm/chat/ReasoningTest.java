package dev.costwise.llm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one table that converts between an effort and a reasoning budget. */
class ReasoningTest {

    @ParameterizedTest
    @CsvSource({"0, NONE", "1, MINIMAL", "700, MINIMAL", "800, LOW", "1024, LOW", "2896, LOW", "2897, MEDIUM",
        "8192, MEDIUM", "16000, HIGH", "24576, HIGH", "30000, XHIGH", "50000, MAX", "1000000, MAX"})
    void givenABudget_whenConverted_thenTheEffortWhoseBudgetIsNearestOnALogScale(int budget, ReasoningEffort effort) {
        assertThat(Reasoning.budget(budget).effortOrNearest()).isEqualTo(effort);
    }

    @Test
    void givenEachEffort_whenConvertedToABudgetAndBack_thenTheSameEffort() {
        for (ReasoningEffort e : ReasoningEffort.values()) {
            assertThat(Reasoning.budget(Reasoning.effort(e).budgetOrNearest()).effortOrNearest()).isEqualTo(e);
        }
        assertThat(Reasoning.budgetFor(ReasoningEffort.MEDIUM)).isEqualTo(8_192);
    }

    @Test
    void givenBothGiven_whenConverted_thenEachKeepsItsOwn() {
        Reasoning both = new Reasoning(Optional.of(ReasoningEffort.HIGH), Optional.of(2_000));
        assertThat(both.effortOrNearest()).isEqualTo(ReasoningEffort.HIGH);
        assertThat(both.budgetOrNearest()).isEqualTo(2_000);
    }

    @Test
    void givenACap_whenASettingIsLowered_thenOnlyWhatIsAboveTheCapChanges() {
        Reasoning both = new Reasoning(Optional.of(ReasoningEffort.HIGH), Optional.of(30_000));

        assertThat(both.atMost(ReasoningEffort.LOW)).isEqualTo(new Reasoning(Optional.of(ReasoningEffort.LOW),
                Optional.of(1_024)));
        assertThat(Reasoning.effort(ReasoningEffort.MINIMAL).atMost(ReasoningEffort.LOW))
                .isEqualTo(Reasoning.effort(ReasoningEffort.MINIMAL));
        assertThat(Reasoning.budget(500).atMost(ReasoningEffort.LOW)).isEqualTo(Reasoning.budget(500));
        assertThat(Reasoning.budget(9_000).atMost(ReasoningEffort.NONE).isOff()).isTrue();
    }

    @Test
    void givenOffInEitherForm_thenIsOff() {
        assertThat(Reasoning.off().isOff()).isTrue();
        assertThat(Reasoning.budget(0).isOff()).isTrue();
        assertThat(Reasoning.effort(ReasoningEffort.MINIMAL).isOff()).isFalse();
    }

    @Test
    void givenBadValues_thenRefusedWithTheReason() {
        assertThatThrownBy(() -> Reasoning.budget(-1)).hasMessageContaining("must be >= 0 tokens, was -1");
        assertThatThrownBy(() -> new Reasoning(Optional.empty(), Optional.empty()))
                .hasMessageContaining("needs an effort or a budget");
        assertThat(ReasoningEffort.fromWireName("XHigh")).contains(ReasoningEffort.XHIGH);
        assertThat(ReasoningEffort.fromWireName("turbo")).isEmpty();
    }

    @Test
    void givenReasoningOutsideAnAssistantMessage_thenRefused() {
        assertThatThrownBy(() -> new Message(Role.USER, List.of(new ContentPart.Thinking("x", Optional.empty())),
                Optional.empty(), List.of(), Optional.empty()))
                .hasMessageContaining("only an assistant message can hold reasoning blocks, not a USER message");
        Message assistant = new Message(Role.ASSISTANT, List.of(new ContentPart.RedactedThinking("d"),
                ContentPart.text("hi")), Optional.empty(), List.of(), Optional.empty());
        assertThat(assistant.text()).isEqualTo("hi");
        assertThat(assistant.reasoning()).containsExactly(new ContentPart.RedactedThinking("d"));
        assertThat(assistant.withoutReasoning().content()).containsExactly(ContentPart.text("hi"));
    }
}
