package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Claude to Claude through {@code /v1/messages}, the blocks of a turn keep their order and their bounds, in answers
 * and in the turns a client sends back: Anthropic refuses thinking blocks moved from where the model wrote them
 * (interleaved thinking: https://docs.claude.com/en/docs/build-with-claude/extended-thinking#interleaved-thinking).
 * Other providers get the same turn in their own format. Upstreams are MockWebServers speaking Anthropic's and
 * OpenAI's APIs.
 */
class AnthropicBlockOrderEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** An interleaved-thinking turn: thinking, text, thinking, text, then a tool call. */
    private static final String INTERLEAVED = """
            [{"type": "thinking", "thinking": "First, the plan.", "signature": "sig-A"},
             {"type": "text", "text": "Paragraph one."},
             {"type": "thinking", "thinking": "Now the tool.", "signature": "sig-B"},
             {"type": "text", "text": "Paragraph two."},
             {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]""";
    private static final String HEAD = """
            {"model": "claude", "max_tokens": 8000, "thinking": {"type": "enabled", "budget_tokens": 2048},
             "tools": [{"name": "weather", "input_schema": {"type": "object"}}],
             "messages": [{"role": "user", "content": "Weather in Paris?"}""";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-sonnet-4-5
                    api_key: sk-ant-test
                    base_url: %s
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s/v1
                    price: {input: "1.00", output: "2.00"}
                """.formatted(TestGateway.baseUrl(upstream), TestGateway.baseUrl(upstream)),
                Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> messages(TestGateway gw, String body) {
        return gw.post("/v1/messages", body, "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    private static MockResponse anthropic(String content, String stopReason) {
        return AnthropicFake.blocks(content, stopReason, "null", "{\"input_tokens\": 400, \"output_tokens\": 80}");
    }

    @Test
    void givenAnInterleavedThinkingAnswer_whenAnsweredAndSentBack_thenItsBlocksKeepTheirOrderBothWays()
            throws Exception {
        upstream.enqueue(anthropic(INTERLEAVED, "tool_use"));
        upstream.enqueue(anthropic("[{\"type\": \"text\", \"text\": \"18 degrees.\"}]", "end_turn"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = messages(gw, HEAD + "]}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            JsonNode answer = TestGateway.json(first.body());
            HttpResponse<String> hit = messages(gw, HEAD + "]}");
            SentUpstream.next(upstream);

            HttpResponse<String> second = messages(gw, HEAD + ", {\"role\": \"assistant\", \"content\": "
                    + answer.path("content") + "}, {\"role\": \"user\", \"content\": [{\"type\": \"tool_result\", "
                    + "\"tool_use_id\": \"toolu_01\", \"content\": \"18C\"}]}]}");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

            assertThat(answer.path("content")).isEqualTo(TestGateway.json(INTERLEAVED));
            assertThat(TestGateway.json(hit.body()).path("content")).isEqualTo(TestGateway.json(INTERLEAVED));
            assertThat(SentUpstream.next(upstream).at("/messages/1/content")).isEqualTo(TestGateway.json(INTERLEAVED));
        }
    }

    @Test
    void givenTextAfterAToolCall_whenAnswered_thenTheTextBlocksStayApartAndInPlace() {
        String blocks = """
                [{"type": "text", "text": "Let me check."},
                 {"type": "tool_use", "id": "toolu_02", "name": "weather", "input": {}},
                 {"type": "text", "text": "Checking now."}]""";
        upstream.enqueue(anthropic(blocks, "tool_use"));
        try (TestGateway gw = gateway()) {
            JsonNode answer = TestGateway.json(messages(gw, """
                    {"model": "claude", "max_tokens": 800, "tools": [{"name": "weather",
                     "input_schema": {"type": "object"}}], "messages": [{"role": "user", "content": "Weather?"}]}""")
                    .body());

            assertThat(answer.path("content")).isEqualTo(TestGateway.json(blocks));
        }
    }

    @Test
    void givenAnInterleavedTurn_whenChatClientsAndOtherProvidersSeeIt_thenTheyGetItInTheirOwnFormat()
            throws Exception {
        upstream.enqueue(anthropic(INTERLEAVED, "tool_use"));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "18 degrees.", 30, 4));
        try (TestGateway gw = gateway()) {
            JsonNode chat = TestGateway.json(gw.post("/v1/chat/completions", """
                    {"model": "claude", "max_tokens": 8000, "reasoning_effort": "low",
                     "tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}],
                     "messages": [{"role": "user", "content": "Weather in Paris?"}]}""",
                    "Authorization", "Bearer " + MASTER).body()).at("/choices/0/message");
            SentUpstream.next(upstream);
            HttpResponse<String> toOpenAi = messages(gw, HEAD.replace("\"claude\"", "\"fast\"") + ", {\"role\": "
                    + "\"assistant\", \"content\": " + INTERLEAVED + "}, {\"role\": \"user\", \"content\": "
                    + "[{\"type\": \"tool_result\", \"tool_use_id\": \"toolu_01\", \"content\": \"18C\"}]}]}");
            assertThat(toOpenAi.statusCode()).as(toOpenAi.body()).isEqualTo(200);

            assertThat(chat.path("content").asText()).isEqualTo("Paragraph one.Paragraph two.");
            assertThat(chat.path("thinking_blocks")).hasSize(2);
            assertThat(chat.at("/tool_calls/0/id").asText()).isEqualTo("toolu_01");
            JsonNode turn = SentUpstream.next(upstream).at("/messages/1");
            assertThat(turn.has("block_order")).isFalse();
            assertThat(turn.has("thinking_blocks")).isFalse();
            assertThat(turn.path("content")).isEqualTo(TestGateway.json("""
                    [{"type": "text", "text": "Paragraph one."}, {"type": "text", "text": "Paragraph two."}]"""));
        }
    }
}
