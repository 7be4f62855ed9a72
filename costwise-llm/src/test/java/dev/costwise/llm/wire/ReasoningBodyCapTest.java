package dev.costwise.llm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import org.junit.jupiter.api.Test;

class ReasoningCapTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode capped(String body, ReasoningEffort max) throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(body);
        ReasoningBodyCap.cap(node, max);
        return node;
    }

    @Test
    void givenAnEffortAboveTheCap_whenCapped_thenItIsTheCapAndOneBelowItIsKept() throws Exception {
        assertThat(capped("{\"reasoning_effort\": \"high\"}", ReasoningEffort.LOW).path("reasoning_effort").asText())
                .isEqualTo("low");
        assertThat(capped("{\"reasoning_effort\": \"minimal\"}", ReasoningEffort.LOW).path("reasoning_effort")
                .asText()).isEqualTo("minimal");
    }

    @Test
    void givenOpenRouterReasoning_whenCapped_thenItsEffortAndTokenBudgetAreLowered() throws Exception {
        assertThat(capped("{\"reasoning\": {\"effort\": \"high\"}}", ReasoningEffort.MEDIUM).path("reasoning"))
                .isEqualTo(JSON.readTree("{\"effort\": \"medium\"}"));
        assertThat(capped("{\"reasoning\": {\"max_tokens\": 100000}}", ReasoningEffort.LOW).path("reasoning")
                .path("max_tokens").asInt()).isEqualTo(Reasoning.budgetFor(ReasoningEffort.LOW));
    }

    @Test
    void givenAnthropicOutputEffort_whenCappedBelowLow_thenItIsLowAnthropicsLowest() throws Exception {
        assertThat(capped("{\"output_config\": {\"effort\": \"high\"}}", ReasoningEffort.MINIMAL)
                .path("output_config").path("effort").asText()).isEqualTo("low");
    }

    @Test
    void givenNoReasoning_whenCapped_thenTheBodyIsUnchangedAndNothingMayBeLowered() throws Exception {
        String body = "{\"model\": \"gpt-5.1\", \"messages\": []}";

        assertThat(capped(body, ReasoningEffort.LOW)).isEqualTo(JSON.readTree(body));
        assertThat(ReasoningBodyCap.mayLower(JSON.readTree(body))).isFalse();
        assertThat(ReasoningBodyCap.mayLower(JSON.readTree("{\"output_config\": {}}"))).isTrue();
    }
}
