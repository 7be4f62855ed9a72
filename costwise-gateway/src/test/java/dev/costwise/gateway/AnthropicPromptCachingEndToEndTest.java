package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Anthropic's prompt cache through the gateway: breakpoints a client places in OpenAI format, or that a model's
 * {@code prompt_caching} places, reach Anthropic's Messages API, and cache writes and reads are billed at their own
 * prices. The upstream speaks https://docs.claude.com/en/api/messages and
 * https://docs.claude.com/en/docs/build-with-claude/prompt-caching (usage with {@code cache_creation_input_tokens},
 * {@code cache_read_input_tokens} and the {@code cache_creation} split by lifetime).
 */
class AnthropicPromptCachingEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    /** A 2,000-token manual the client marks for caching, and a tool marked too. */
    private static final String MARKED_REQUEST = """
            {"model": "claude", "messages": [
              {"role": "system", "content": [
                {"type": "text", "text": "You answer from the manual.", "cache_control": {"type": "ephemeral"}}]},
              {"role": "user", "content": "How do I reset it?"}],
             "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}},
                        "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}""";

    private TestGateway gateway(String modelExtra) {
        return new TestGateway("""
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-haiku-4-5
                    api_key_env: ANTHROPIC_KEY
                    base_url: %s
                %s""".formatted(TestGateway.baseUrl(upstream), modelExtra),
                Map.of("ANTHROPIC_KEY", "sk-ant-test"));
    }

    private void anthropicAnswers(String usage) {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Hold the button.\"}],\"stop_reason\":"
                        + "\"end_turn\",\"stop_sequence\":null,\"usage\":" + usage + "}")
                .build());
    }

    private JsonNode sentToAnthropic() throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }

    @Test
    void givenClientBreakpoints_whenTheCacheIsWrittenThenRead_thenAnthropicGetsThemAndEachCallIsBilledAtCachePrices()
            throws Exception {
        // The first call writes 2,000 tokens to the one-hour cache; the second reads them.
        anthropicAnswers("{\"input_tokens\":40,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":0,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":2000},"
                + "\"output_tokens\":10}");
        anthropicAnswers("{\"input_tokens\":40,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2000,"
                + "\"output_tokens\":10}");
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> first = gw.post("/v1/chat/completions", MARKED_REQUEST, "Cache-Control", "no-cache");
            HttpResponse<String> second = gw.post("/v1/chat/completions", MARKED_REQUEST, "Cache-Control",
                    "no-cache");

            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            JsonNode sent = sentToAnthropic();
            assertThat(sent.path("system")).isEqualTo(TestGateway.json("""
                    [{"type":"text","text":"You answer from the manual.","cache_control":{"type":"ephemeral"}}]"""));
            assertThat(sent.at("/tools/0/cache_control")).isEqualTo(TestGateway.json(
                    "{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"));
            // claude-haiku-4-5 per 1M tokens: input $1, one-hour cache write $2, cache read $0.10, output $5.
            // Write: 40 * 1 + 2000 * 2 + 10 * 5 = 4090 micro-dollars. Read: 40 * 1 + 2000 * 0.10 + 10 * 5 = 290.
            assertThat(first.headers().firstValue("x-costwise-cost")).hasValue("0.00409");
            assertThat(second.headers().firstValue("x-costwise-cost")).hasValue("0.00029");
            JsonNode usage = TestGateway.json(second.body()).path("usage");
            assertThat(usage.path("prompt_tokens").asInt()).as("cached tokens count as prompt tokens, as OpenAI's do")
                    .isEqualTo(2040);
            assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(2000);
            assertThat(gw.records()).extracting(CostRecord::cost)
                    .containsExactly(Money.of("0.00409"), Money.of("0.00029"));
        }
    }

    @Test
    void givenBreakpoints_whenTheModelIsOpenAisOrOpenRouters_thenOpenAiGetsNoneAndOpenRouterGetsThemAll()
            throws Exception {
        // OpenAI refuses unknown fields in messages and tools and caches prompts on its own; OpenRouter passes
        // cache_control on to Anthropic (https://openrouter.ai/docs/features/prompt-caching)
        String base = upstream.url("/v1").toString().replaceAll("/$", "");
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "ok", 20, 1));
        upstream.enqueue(OpenAiFake.completion("anthropic/claude-haiku-4.5", "ok", 20, 1));
        try (TestGateway gw = gateway("""
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s}
                  - {name: routed, provider: openrouter, model: anthropic/claude-haiku-4.5, api_key: k, base_url: %1$s,
                     price: {input: "1.00", output: "5.00"}}
                """.formatted(base))) {
            gw.post("/v1/chat/completions", MARKED_REQUEST.replace("\"claude\"", "\"mini\""));
            gw.post("/v1/chat/completions", MARKED_REQUEST.replace("\"claude\"", "\"routed\""));

            JsonNode toOpenAi = sentToAnthropic();
            JsonNode toOpenRouter = sentToAnthropic();
            assertThat(toOpenAi.toString()).doesNotContain("cache_control");
            assertThat(toOpenAi.at("/messages/0/content/0/text").asText()).isEqualTo("You answer from the manual.");
            assertThat(toOpenAi.at("/tools/0/function/name").asText()).isEqualTo("lookup");
            assertThat(toOpenRouter.at("/messages/0/content/0/cache_control")).isEqualTo(TestGateway.json(
                    "{\"type\":\"ephemeral\"}"));
            assertThat(toOpenRouter.at("/tools/0/cache_control/ttl").asText()).isEqualTo("1h");
        }
    }

    @Test
    void givenPromptCachingToolsAndSystem_whenARequestPlacesNoBreakpoint_thenTheGatewayPlacesThem()
            throws Exception {
        anthropicAnswers("{\"input_tokens\":40,\"cache_creation_input_tokens\":2000,\"output_tokens\":10}");
        anthropicAnswers("{\"input_tokens\":40,\"output_tokens\":10}");
        try (TestGateway gw = gateway("    prompt_caching: tools_and_system\n")) {
            gw.post("/v1/chat/completions", """
                    {"model": "claude", "messages": [{"role": "system", "content": "You answer from the manual."},
                      {"role": "user", "content": "How do I reset it?"}],
                     "tools": [{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}},
                               {"type": "function", "function": {"name": "b", "parameters": {"type": "object"}}}]}""");
            gw.post("/v1/chat/completions", MARKED_REQUEST, "Cache-Control", "no-cache");

            JsonNode automatic = sentToAnthropic();
            assertThat(automatic.path("system")).isEqualTo(TestGateway.json("""
                    [{"type":"text","text":"You answer from the manual.","cache_control":{"type":"ephemeral"}}]"""));
            assertThat(automatic.at("/tools/0/cache_control").isMissingNode()).isTrue();
            assertThat(automatic.at("/tools/1/cache_control")).isEqualTo(TestGateway.json("{\"type\":\"ephemeral\"}"));
            JsonNode clients = sentToAnthropic();
            assertThat(clients.at("/tools/0/cache_control")).as("the client's own breakpoints win")
                    .isEqualTo(TestGateway.json("{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"));
            // 40 * $1 + 2000 * $1.25 (five-minute write) + 10 * $5 per 1M tokens
            assertThat(gw.records().getFirst().cost()).isEqualTo(Money.of("0.00259"));
        }
    }

    @Test
    void givenAConfiguredPriceWithoutCachePrices_whenTheCacheIsUsed_thenAnthropicsMultipliersOfThatPriceApply() {
        // A negotiated $2 / $10 per 1M: reads at 0.1x, five-minute writes at 1.25x, one-hour writes at 2x of $2.
        anthropicAnswers("{\"input_tokens\":100,\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":"
                + "5000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000},"
                + "\"output_tokens\":20}");
        try (TestGateway gw = gateway("    price: {input: \"2\", output: \"10\"}\n")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", MARKED_REQUEST);

            // 100 * 2 + 5000 * 0.2 + 1000 * 2.5 + 2000 * 4 + 20 * 10 = 11,900 micro-dollars
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.0119");
        }
    }

    @Test
    void givenAPromptAboveTheLongContextThreshold_whenAnswered_thenItIsBilledAtTheLongContextPrices() {
        anthropicAnswers("{\"input_tokens\":250000,\"output_tokens\":100}");
        try (TestGateway gw = new TestGateway("""
                models:
                  - {name: sonnet, provider: anthropic, model: claude-sonnet-4-5, api_key: sk-ant-test, base_url: %s}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("sonnet", "Summarise"));

            // claude-sonnet-4-5 above 200K input tokens: $6 in, $22.50 out per 1M (not $3 and $15)
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("1.50225");
        }
    }

    @Test
    void givenOpenRouterReportingCacheWrites_whenPassedThrough_thenTheWritesAreBilledAtTheirConfiguredPrice() {
        // https://openrouter.ai/docs/use-cases/usage-accounting: cache_write_tokens and cached_tokens are part of
        // prompt_tokens
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"gen-1\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":"
                        + "\"anthropic/claude-sonnet-4.5\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
                        + "3100,\"completion_tokens\":20,\"total_tokens\":3120,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":1000,\"cache_write_tokens\":2000}}}")
                .build());
        try (TestGateway gw = new TestGateway("""
                models:
                  - name: sonnet
                    provider: openrouter
                    model: anthropic/claude-sonnet-4.5
                    api_key: sk-or-test
                    base_url: %s
                    price: {input: "3", cached_input: "0.30", cache_write_5m: "3.75", output: "15"}
                """.formatted(upstream.url("/api/v1").toString()), Map.of())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", MARKED_REQUEST.replace("\"claude\"",
                    "\"sonnet\""));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            // 100 * 3 + 1000 * 0.30 + 2000 * 3.75 + 20 * 15 = 8,400 micro-dollars
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.0084");
        }
    }

    /** A request whose 37-character prompt is estimated at (37 + 3) / 4 + 4 per message + 3 = 17 input tokens. */
    private static String explained(String cacheControl) {
        return "{\"model\": \"claude\", \"max_tokens\": 1000, \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"Summarise the attached service manual\"" + cacheControl + "}]}";
    }

    @Test
    void givenARequestThatMayWriteTheCache_whenItsWorstCaseIsReserved_thenThePromptIsPricedAtTheCacheWritePrice() {
        try (TestGateway gw = gateway(""); TestGateway caching = gateway("    prompt_caching: tools_and_system\n")) {
            // 1000 output tokens at $5 per 1M = $0.005, plus 17 prompt tokens at the dearest price they may be billed
            assertThat(worstCase(gw, explained(""))).as("at the $1 input price").isEqualTo("0.005017");
            assertThat(worstCase(gw, explained(", \"cache_control\": {\"type\": \"ephemeral\"}")))
                    .as("a five-minute write: $1.25").isEqualTo("0.00502125");
            assertThat(worstCase(gw, explained(", \"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"1h\"}")))
                    .as("a one-hour write: $2").isEqualTo("0.005034");
            assertThat(worstCase(caching, explained(""))).as("the model places breakpoints").isEqualTo("0.00502125");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    private static String worstCase(TestGateway gw, String body) {
        HttpResponse<String> res = gw.post("/v1/route/explain", body);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return TestGateway.json(res.body()).get("estimated_max_cost").asText();
    }

    @Test
    void givenMoreBreakpointsThanAnthropicTakes_whenSent_thenA400NamesTheCountAndNothingIsCalled() {
        String marked = "{\"type\": \"text\", \"text\": \"x\", \"cache_control\": {\"type\": \"ephemeral\"}}";
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"claude\", \"messages\": "
                    + "[{\"role\": \"user\", \"content\": [" + String.join(",", java.util.Collections.nCopies(5,
                    marked)) + "]}]}");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .contains("at most 4 cache_control breakpoints").contains("this one has 5");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenABadCacheControl_whenSent_thenA400NamesTheField() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "claude", "messages": [{"role": "user", "content": "hi",
                      "cache_control": {"type": "ephemeral", "ttl": "1d"}}]}""");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .contains("messages[0].cache_control.ttl").contains("expected 5m or 1h");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenPromptCachingOnAModelThatIsNotAnthropic_whenLoaded_thenTheConfigIsRefusedNamingIt() {
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse("""
                models:
                  - {name: gpt, provider: openai, model: gpt-4o, api_key: sk-x, prompt_caching: tools_and_system}
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key: sk-y, prompt_caching: always}
                """, "test.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "models[0].prompt_caching: applies to anthropic models only (OpenAI, Gemini and DeepSeek "
                                + "cache prompts on their own); this model's provider is 'openai'",
                        "models[1].prompt_caching: expected none or tools_and_system, was 'always'"));
    }
}
