package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Anthropic's {@code output_config.effort} (https://platform.claude.com/docs/en/build-with-claude/effort) governs how
 * many tokens Claude spends on its whole answer, with or without thinking, so it reaches the Anthropic models that take
 * it (Opus 4.5, Claude 4.6 and later) whenever it is given, is part of the cache key, and a value Anthropic does not
 * take is a 400 naming it. An older Claude model, which has one effort, is sent none; other providers get it as their
 * {@code reasoning_effort} when the request sets no reasoning. The upstreams are MockWebServers speaking Anthropic's
 * Messages API and OpenAI's chat API.
 */
class OutputEffortEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: opus, provider: anthropic, model: claude-opus-4-6, api_key: sk-ant-test, base_url: %1$s}
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                  - {name: gpt5, provider: openai, model: gpt-5-mini, base_url: %1$s/v1}
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> messages(TestGateway gw, String model, String prompt, String extra) {
        return gw.post("/v1/messages", """
                {"model": "%s", "max_tokens": 2000, "messages": [{"role": "user", "content": "%s"}]%s}"""
                .formatted(model, prompt, extra), "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    @Test
    void givenAnEffortWithoutThinking_whenOpus46IsAsked_thenItIsSentAndIsPartOfTheCacheKey() throws Exception {
        upstream.enqueue(AnthropicFake.message("Short.", "end_turn", "null"));
        upstream.enqueue(AnthropicFake.message("A long and thorough answer.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> low = messages(gw, "opus", "Explain caching", ", \"output_config\": {\"effort\": "
                    + "\"low\"}");
            HttpResponse<String> high = messages(gw, "opus", "Explain caching", ", \"output_config\": {\"effort\": "
                    + "\"high\"}");

            assertThat(low.statusCode()).as(low.body()).isEqualTo(200);
            JsonNode first = SentUpstream.next(upstream);
            assertThat(first.at("/output_config/effort").asText()).isEqualTo("low");
            assertThat(first.has("thinking")).isFalse();
            assertThat(high.statusCode()).as(high.body()).isEqualTo(200);
            assertThat(high.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(SentUpstream.next(upstream).at("/output_config/effort").asText()).isEqualTo("high");
            assertThat(TestGateway.json(high.body()).at("/content/0/text").asText())
                    .isEqualTo("A long and thorough answer.");
        }
    }

    @Test
    void givenAnEffortWithThinkingDisabledOrAFormat_whenOpus46IsAsked_thenTheEffortIsSentWithThem() throws Exception {
        upstream.enqueue(AnthropicFake.message("Short.", "end_turn", "null"));
        upstream.enqueue(AnthropicFake.message("{\\\"a\\\": \\\"b\\\"}", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> disabled = messages(gw, "opus", "Explain caching", ", \"thinking\": {\"type\": "
                    + "\"disabled\"}, \"output_config\": {\"effort\": \"max\"}");
            HttpResponse<String> format = messages(gw, "opus", "Give JSON", """
                    , "output_config": {"effort": "medium", "format": {"type": "json_schema", "schema": {
                      "type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],
                      "additionalProperties": false}}}""");

            assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
            JsonNode first = SentUpstream.next(upstream);
            assertThat(first.at("/output_config/effort").asText()).isEqualTo("max");
            assertThat(first.has("thinking")).isFalse();
            assertThat(format.statusCode()).as(format.body()).isEqualTo(200);
            JsonNode second = SentUpstream.next(upstream);
            assertThat(second.at("/output_config/effort").asText()).isEqualTo("medium");
            assertThat(second.at("/output_config/format/type").asText()).isEqualTo("json_schema");
        }
    }

    @Test
    void givenAnEffortThatAnthropicDoesNotTake_whenSent_thenA400NamesItAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> bogus = messages(gw, "opus", "Explain caching", ", \"output_config\": {\"effort\": "
                    + "\"bogus\"}");
            HttpResponse<String> adaptive = messages(gw, "opus", "Explain caching", ", \"thinking\": {\"type\": "
                    + "\"adaptive\"}, \"output_config\": {\"effort\": \"minimal\"}");

            assertThat(bogus.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(bogus.body()).at("/error/message").asText())
                    .isEqualTo("output_config.effort: expected low, medium, high, xhigh or max, was \"bogus\"");
            assertThat(adaptive.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(adaptive.body()).at("/error/message").asText())
                    .startsWith("output_config.effort: expected low, medium, high, xhigh or max");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnEffort_whenAnOlderClaudeIsAsked_thenItIsNotSentWhatItWouldRefuse() throws Exception {
        upstream.enqueue(AnthropicFake.message("Short.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", "Explain caching", ", \"output_config\": {\"effort\": "
                    + "\"low\"}");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).has("output_config")).isFalse();
        }
    }

    @Test
    void givenAnEffortWithoutThinking_whenAnOpenAiReasoningModelIsAsked_thenItIsItsReasoningEffort()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-5-mini", "Short.", 20, 5));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "gpt5", "Explain caching", ", \"output_config\": {\"effort\": "
                    + "\"low\"}");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.path("reasoning_effort").asText()).isEqualTo("low");
            assertThat(sent.has("output_config")).isFalse();
        }
    }

    @Test
    void givenAPipelineReasoningCap_whenAnEffortAsksForMore_thenItIsLoweredToTheCap() throws Exception {
        upstream.enqueue(AnthropicFake.message("Short.", "end_turn", "null"));
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: opus, provider: anthropic, model: claude-opus-4-6, api_key: sk-ant-test, base_url: %s}
                pipelines:
                  opus:
                    max_reasoning_effort: minimal
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER))) {
            HttpResponse<String> res = messages(gw, "opus", "Explain caching", ", \"output_config\": {\"effort\": "
                    + "\"max\"}");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            // Anthropic's lowest
            assertThat(SentUpstream.next(upstream).at("/output_config/effort").asText()).isEqualTo("low");
        }
    }

    @Test
    void givenAnEffortOnChatCompletions_whenOpus46IsAsked_thenItReachesAnthropic() throws Exception {
        upstream.enqueue(AnthropicFake.message("Short.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "opus", "output_config": {"effort": "low"},
                     "messages": [{"role": "user", "content": "Explain caching"}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).at("/output_config/effort").asText()).isEqualTo("low");
        }
    }
}
