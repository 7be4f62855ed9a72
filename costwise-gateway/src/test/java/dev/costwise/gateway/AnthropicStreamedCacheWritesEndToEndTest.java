package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * One-hour cache writes cost the same streamed and not, on chat completions and on {@code /v1/messages}. The upstream
 * speaks Anthropic's Messages API (https://docs.claude.com/en/api/messages) and its stream
 * (https://docs.claude.com/en/docs/build-with-claude/streaming) as the current API does: {@code message_start}'s usage
 * splits the cache writes by TTL ({@code cache_creation}), and {@code message_delta}'s usage repeats the cumulative
 * input, cache-write and cache-read counts without that split (the SDKs' {@code MessageDeltaUsage}).
 */
class AnthropicStreamedCacheWritesEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** 50 input tokens, 1,000 written with the 5-minute TTL and 2,000 with the 1-hour one, 10,000 read. */
    private static final String PROMPT_USAGE = "\"input_tokens\":50,\"cache_creation_input_tokens\":3000,"
            + "\"cache_read_input_tokens\":10000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,"
            + "\"ephemeral_1h_input_tokens\":2000}";
    /**
     * claude-sonnet-4-5 at the catalog's prices per 1M tokens ($3 input, $3.75 5-minute write, $6 1-hour write,
     * $0.30 read, $15 output): 50×3 + 1000×3.75 + 2000×6 + 10000×0.30 + 400×15 = 24,900 µ$.
     */
    private static final Money COST = Money.of("0.0249");

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, api_key: sk-ant-test, base_url: %s}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private void anthropicAnswers() {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null,\"usage\":{" + PROMPT_USAGE + ",\"output_tokens\":400}}")
                .build());
    }

    private void anthropicStreams() {
        upstream.enqueue(AnthropicFake.okStream("claude-sonnet-4-5", PROMPT_USAGE + ",\"output_tokens\":1",
                "\"input_tokens\":50,\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":10000,"
                        + "\"output_tokens\":400"));
    }

    @Test
    void givenOneHourCacheWrites_whenAnsweredOnChatCompletions_thenStreamedAndUnstreamedCostTheSame() {
        anthropicAnswers();
        anthropicStreams();
        try (TestGateway gw = gateway()) {
            HttpResponse<String> whole = gw.post("/v1/chat/completions", TestGateway.chat("claude", "Hi"),
                    "Authorization", "Bearer " + MASTER);
            HttpResponse<String> streamed = gw.post("/v1/chat/completions", """
                    {"model": "claude", "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "Hi"}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(whole.headers().firstValue("x-costwise-cost")).hasValue(COST.toString());
            List<JsonNode> chunks = TestGateway.dataChunks(streamed.body());
            assertThat(Money.of(chunks.getLast().at("/costwise/cost").asText())).isEqualTo(COST);
            assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(COST, COST);
            assertThat(gw.records()).extracting(r -> r.usage().cacheWrite1hTokens()).containsExactly(2000L, 2000L);
        }
    }

    @Test
    void givenOneHourCacheWrites_whenAnsweredOnMessages_thenStreamedAndUnstreamedCostTheSame() {
        anthropicAnswers();
        anthropicStreams();
        try (TestGateway gw = gateway()) {
            HttpResponse<String> whole = gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 500, "messages": [{"role": "user", "content": "Hi"}]}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01");
            List<Map.Entry<String, JsonNode>> events = TestGateway.events(gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 500, "stream": true,
                     "messages": [{"role": "user", "content": "Hi"}]}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01").body());

            assertThat(whole.headers().firstValue("x-costwise-cost")).hasValue(COST.toString());
            JsonNode delta = events.stream().filter(e -> e.getKey().equals("message_delta")).findFirst()
                    .orElseThrow().getValue();
            assertThat(Money.of(delta.at("/costwise/cost").asText())).isEqualTo(COST);
            assertThat(gw.records()).extracting(CostRecord::cost).containsExactly(COST, COST);
            assertThat(gw.records()).extracting(r -> r.usage().cacheWrite1hTokens()).containsExactly(2000L, 2000L);
        }
    }
}
