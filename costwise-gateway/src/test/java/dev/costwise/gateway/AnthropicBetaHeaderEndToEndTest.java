package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A caller's {@code anthropic-beta} header (https://docs.claude.com/en/api/beta-headers: names separated by commas,
 * or the header repeated) reaches the Anthropic models its request is served by, merged with the betas the adapter
 * sets itself, and never another provider. A Sonnet 4.5 call that the 1M-context beta lets pass 200K input tokens is
 * billed at Anthropic's long-context rates (https://platform.claude.com/docs/en/about-claude/pricing).
 */
class AnthropicBetaHeaderEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer anthropic = new MockWebServer();
    @StartStop
    final MockWebServer openai = new MockWebServer();

    /** {@code claude} (Anthropic, priced from the catalog) and {@code fast} (OpenAI). */
    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, api_key: sk-ant-test,
                     base_url: %s}
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "1.00", output: "2.00"}}
                defaults:
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(anthropic), TestGateway.baseUrl(openai)), Map.of("MASTER", MASTER));
    }

    /** A Messages answer whose prompt passed 200K input tokens: 150,000 new, 90,000 read from the cache. */
    private static MockResponse longAnswer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_01Long", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                 "content": [{"type": "text", "text": "Summary."}], "stop_reason": "end_turn", "stop_sequence": null,
                 "usage": {"input_tokens": 150000, "cache_read_input_tokens": 90000, "output_tokens": 2000}}""")
                .build();
    }

    private RecordedRequest sentTo(MockWebServer upstream) throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return sent;
    }

    @Test
    void givenBetasOnAMessagesCall_whenClaudeAnswers_thenItGetsThemOnceWithItsOwnAndTheLongPromptIsBilledSo()
            throws Exception {
        anthropic.enqueue(longAnswer());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/messages", """
                    {"model": "claude", "max_tokens": 4096,
                     "messages": [{"role": "user", "content": "Summarise the repository."}],
                     "context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}}""",
                    "x-api-key", MASTER, "anthropic-version", "2023-06-01",
                    "anthropic-beta", "context-1m-2025-08-07, interleaved-thinking-2025-05-14",
                    "anthropic-beta", "context-1m-2025-08-07");

            assertThat(res.statusCode()).isEqualTo(200);
            RecordedRequest sent = sentTo(anthropic);
            assertThat(sent.getHeaders().get("anthropic-beta")).isEqualTo(
                    "context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27");
            assertThat(TestGateway.json(sent.getBody().utf8()).has("anthropic_beta"))
                    .as("the betas travel in the header only").isFalse();
            // 150,000 × $6 + 90,000 × $0.60 + 2,000 × $22.50 per million: every token at the long-context rates
            Money cost = Money.of("0.999");
            assertThat(Money.of(res.headers().firstValue("x-costwise-cost").orElseThrow())).isEqualTo(cost);
            assertThat(gw.records()).singleElement().satisfies(row -> assertThat(row.cost()).isEqualTo(cost));
        }
    }

    @Test
    void givenBetasOnChatCompletions_whenServedByClaudeAndByAnOpenAiModel_thenOnlyClaudeGetsThem() throws Exception {
        anthropic.enqueue(longAnswer());
        openai.enqueue(OpenAiFake.completion("gpt-4o-mini", "Hi", 10, 2));
        try (TestGateway gw = gateway()) {
            for (String model : new String[] {"claude", "fast"}) {
                HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat(model, "hi"),
                        "Authorization", "Bearer " + MASTER, "anthropic-beta", "context-1m-2025-08-07");
                assertThat(res.statusCode()).isEqualTo(200);
            }

            assertThat(sentTo(anthropic).getHeaders().get("anthropic-beta")).isEqualTo("context-1m-2025-08-07");
            RecordedRequest toOpenAi = sentTo(openai);
            assertThat(toOpenAi.getHeaders().get("anthropic-beta")).isNull();
            JsonNode body = TestGateway.json(toOpenAi.getBody().utf8());
            assertThat(body.has("anthropic_beta")).isFalse();
        }
    }

    @Test
    void givenAValueThatIsNoBetaName_whenSent_thenA400NamesTheHeaderAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("claude", "hi"),
                    "Authorization", "Bearer " + MASTER, "anthropic-beta", "context-1m-2025-08-07, two words");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .startsWith("anthropic-beta: 'two words' is not a beta name");
            assertThat(anthropic.getRequestCount()).isZero();
        }
    }
}
