package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/messages} reports an answer a stop sequence ended as Anthropic does
 * (https://docs.claude.com/en/api/handling-stop-reasons): {@code stop_reason: stop_sequence} and the sequence that
 * matched in {@code stop_sequence}, whole or streamed, when the upstream says which matched. OpenAI's
 * {@code finish_reason: stop} does not, so its answers stay {@code end_turn}.
 */
class MessagesStopSequenceEndToEndTest {
    private static final String ASK = """
            {"model": "%s", "max_tokens": 50, "stop_sequences": ["END", "STOP"], "stream": %s,
             "messages": [{"role": "user", "content": "Count to three"}]}""";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.nativeModels(upstream);
    }

    @Test
    void givenAnAnthropicAnswerEndedByAStopSequence_whenAnswered_thenTheMessageNamesTheSequence() {
        upstream.enqueue(AnthropicFake.message("1, 2, 3", "stop_sequence", "\"END\""));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/messages", ASK.formatted("claude", false));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode message = TestGateway.json(res.body());
            assertThat(message.path("stop_reason").asText()).isEqualTo("stop_sequence");
            assertThat(message.path("stop_sequence").asText()).isEqualTo("END");
        }
    }

    @Test
    void givenAnAnthropicAnswerEndedByAStopSequence_whenStreamed_thenTheMessageDeltaNamesTheSequence() {
        upstream.enqueue(AnthropicFake.stream("1, 2, 3", "stop_sequence", "\"STOP\""));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/messages", ASK.formatted("claude", true));

            List<Map.Entry<String, JsonNode>> events = TestGateway.events(res.body());
            JsonNode delta = events.stream().filter(e -> e.getKey().equals("message_delta")).findFirst()
                    .orElseThrow().getValue().path("delta");
            assertThat(delta).isEqualTo(TestGateway.json(
                    "{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"STOP\"}"));
        }
    }

    @Test
    void givenAnAnthropicAnswerThatEndedItsTurn_whenAnswered_thenNoSequenceIsNamed() {
        upstream.enqueue(AnthropicFake.message("1, 2, 3", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            JsonNode message = TestGateway.json(gw.post("/v1/messages", ASK.formatted("claude", false)).body());

            assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(message.get("stop_sequence").isNull()).isTrue();
        }
    }

    @Test
    void givenAnOpenAiAnswer_whenItStopped_thenItIsAnEndTurnAsOpenAiDoesNotSayWhichSequenceMatched() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "1, 2, 3", 10, 5));
        try (TestGateway gw = gateway()) {
            JsonNode message = TestGateway.json(gw.post("/v1/messages", ASK.formatted("mini", false)).body());

            assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(message.get("stop_sequence").isNull()).isTrue();
        }
    }
}
