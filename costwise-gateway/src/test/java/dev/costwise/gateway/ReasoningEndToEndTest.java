package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.ConfigException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Reasoning through the gateway: a caller's reasoning setting reaches each kind of upstream in the form it takes
 * (OpenAI's {@code reasoning_effort}, https://platform.openai.com/docs/api-reference/chat/create; OpenRouter's
 * {@code reasoning}, https://openrouter.ai/docs/use-cases/reasoning-tokens; Anthropic's {@code thinking},
 * https://docs.claude.com/en/docs/build-with-claude/extended-thinking), and Anthropic's signed thinking blocks come
 * back to the caller and go back to Anthropic with the tool results, through both the chat completions and the
 * Messages endpoints. Upstreams are MockWebServers speaking those APIs.
 */
class ReasoningEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: thinker
                    provider: openai
                    model: o4-mini
                    base_url: %s/v1
                    price: {input: "1.10", output: "4.40"}
                  - name: routed
                    provider: openrouter
                    model: deepseek/deepseek-r1
                    base_url: %s/api/v1
                    api_key: sk-or-test
                    price: {input: "0.40", output: "2.00"}
                  - name: claude
                    provider: anthropic
                    model: claude-sonnet-4-5
                    api_key: sk-ant-test
                    base_url: %s
                  - name: plain
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s/v1
                    price: {input: "0.15", output: "0.60"}
                pipelines:
                  thinker:
                    fallbacks: [plain]
                    retry: {max_retries: 0}
                """.formatted(base, base, base, base), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> chat(TestGateway gw, String body) {
        return gw.post("/v1/chat/completions", body, "Authorization", "Bearer " + MASTER);
    }

    private static HttpResponse<String> messages(TestGateway gw, String body) {
        return gw.post("/v1/messages", body, "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    @Test
    void givenReasoningEffort_whenSentToAnOpenAiModel_thenItIsForwardedAsGiven() throws Exception {
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 20, 300));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, """
                    {"model": "thinker", "reasoning_effort": "low",
                     "messages": [{"role": "user", "content": "6 * 7?"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.path("reasoning_effort").asText()).isEqualTo("low");
            assertThat(sent.path("model").asText()).isEqualTo("o4-mini");
        }
    }

    @Test
    void givenAReasoningModelsAnswer_whenSpendIsReported_thenItsReasoningTokensAreCountedApart() {
        // https://platform.openai.com/docs/guides/reasoning: reasoning tokens are inside completion_tokens
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "chatcmpl-r", "object": "chat.completion", "created": 1741569952, "model": "o4-mini",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "42"},
                              "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 20, "completion_tokens": 300, "total_tokens": 320,
                           "completion_tokens_details": {"reasoning_tokens": 256}}}""").build());
        try (TestGateway gw = gateway()) {
            chat(gw, "{\"model\": \"thinker\", \"reasoning_effort\": \"medium\", \"messages\": [{\"role\": "
                    + "\"user\", \"content\": \"6 * 7?\"}]}");

            JsonNode spend = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer " + MASTER).body());
            assertThat(spend.at("/by_model/thinker/output_tokens").asLong()).isEqualTo(300);
            assertThat(spend.at("/by_model/thinker/reasoning_tokens").asLong()).isEqualTo(256);
            // 20 * $1.10 + 300 * $4.40 per 1M tokens: the reasoning is billed as output
            assertThat(spend.at("/by_model/thinker/cost").asText()).isEqualTo("0.001342");
        }
    }

    @Test
    void givenReasoningEffort_whenTheFallbackIsAModelThatDoesNotReason_thenItGetsTheRequestWithoutIt()
            throws Exception {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "42", 20, 3));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, """
                    {"model": "thinker", "reasoning_effort": "high", "max_completion_tokens": 500,
                     "messages": [{"role": "user", "content": "6 * 7?"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("plain");
            JsonNode toThinker = SentUpstream.next(upstream);
            JsonNode toPlain = SentUpstream.next(upstream);
            assertThat(toThinker.path("reasoning_effort").asText()).isEqualTo("high");
            // the catalog knows gpt-4o-mini does not reason, and OpenAI refuses reasoning_effort for it
            assertThat(toPlain.has("reasoning_effort")).isFalse();
            assertThat(toPlain.path("model").asText()).isEqualTo("gpt-4o-mini");
            assertThat(toPlain.path("max_completion_tokens").asInt()).isEqualTo(500);
        }
    }

    @Test
    void givenTheResponsesApisReasoningEffort_whenSent_thenItReachesTheModelOrA400NamesIt() throws Exception {
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 20, 30));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> ok = gw.post("/v1/responses", """
                    {"model": "thinker", "input": "6 * 7?", "reasoning": {"effort": "minimal"}}""",
                    "Authorization", "Bearer " + MASTER);
            HttpResponse<String> bad = gw.post("/v1/responses", """
                    {"model": "thinker", "input": "6 * 7?", "reasoning": {"effort": "lots"}}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText()).isEqualTo("minimal");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(bad.body()).at("/error/message").asText())
                    .contains("reasoning.effort: expected one of none, minimal, low, medium, high, xhigh, max, "
                            + "was \"lots\"");
        }
    }

    @Test
    void givenOpenRoutersReasoningObject_whenSentToOpenAiOrOpenRouter_thenEachGetsTheFormItTakes() throws Exception {
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 20, 300));
        upstream.enqueue(OpenAiFake.completion("deepseek/deepseek-r1", "42", 20, 300));
        String body = """
                {"model": "%s", "reasoning": {"max_tokens": 20000},
                 "messages": [{"role": "user", "content": "6 * 7?"}]}""";
        try (TestGateway gw = gateway()) {
            assertThat(chat(gw, body.formatted("thinker")).statusCode()).isEqualTo(200);
            assertThat(chat(gw, body.formatted("routed")).statusCode()).isEqualTo(200);

            JsonNode toOpenAi = SentUpstream.next(upstream);
            JsonNode toOpenRouter = SentUpstream.next(upstream);
            // OpenAI's chat API has no reasoning object: the budget's nearest effort (24,576 tokens is high)
            assertThat(toOpenAi.has("reasoning")).isFalse();
            assertThat(toOpenAi.path("reasoning_effort").asText()).isEqualTo("high");
            assertThat(toOpenRouter.path("reasoning")).isEqualTo(TestGateway.json("{\"max_tokens\":20000}"));
            assertThat(toOpenRouter.has("reasoning_effort")).isFalse();
        }
    }

    private TestGateway cappedGateway(String cap) {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: thinker, provider: openai, model: o4-mini, base_url: %s/v1,
                     price: {input: "1.10", output: "4.40"}}
                pipelines:
                  thinker:
                    max_reasoning_effort: %s
                """.formatted(TestGateway.baseUrl(upstream), cap), Map.of("MASTER", MASTER));
    }

    @Test
    void givenAPipelineCap_whenRequestsAskForMoreOrLess_thenOnlyMoreIsLoweredAndExplainShowsIt() throws Exception {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 20, 30));
        }
        String ask = "{\"model\": \"thinker\", %s, \"messages\": [{\"role\": \"user\", \"content\": \"6*7?\"}]}";
        try (TestGateway gw = cappedGateway("low")) {
            chat(gw, ask.formatted("\"reasoning_effort\": \"high\""));
            chat(gw, ask.formatted("\"reasoning_effort\": \"minimal\""));
            chat(gw, ask.formatted("\"reasoning\": {\"max_tokens\": 30000}"));
            JsonNode explain = TestGateway.json(gw.post("/v1/route/explain",
                    ask.formatted("\"reasoning_effort\": \"xhigh\""), "Authorization", "Bearer " + MASTER).body());

            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText()).isEqualTo("low");
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText()).isEqualTo("minimal");
            // the budget is lowered to low's 1,024 tokens, then sent to OpenAI as its nearest effort
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText()).isEqualTo("low");
            assertThat(explain.path("reasoning")).isEqualTo(TestGateway.json("{\"reasoning_effort\":\"low\"}"));
            assertThat(explain.path("reasoning_asked")).isEqualTo(TestGateway.json(
                    "{\"reasoning_effort\":\"xhigh\"}"));
        }
    }

    @Test
    void givenABudgetLargerThanTheModelsOutputLimit_whenReserved_thenTheReservationCoversWhatAnthropicIsSent()
            throws Exception {
        upstream.enqueue(anthropicText("4"));
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, api_key: k, base_url: %s,
                     max_output_tokens: 2000, price: {input: "3", output: "15"}}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER))) {
            String ask = "{\"model\": \"claude\", \"reasoning_effort\": \"high\", \"messages\": [{\"role\": "
                    + "\"user\", \"content\": \"2 + 2?\"}]}";
            JsonNode plan = TestGateway.json(gw.post("/v1/route/explain", ask, "Authorization", "Bearer " + MASTER)
                    .body());
            assertThat(chat(gw, ask).statusCode()).isEqualTo(200);

            // high is a 24,576-token budget, above the 2,000 the model may answer with: Anthropic gets the sum
            assertThat(SentUpstream.next(upstream).path("max_tokens").asInt()).isEqualTo(26_576);
            assertThat(plan.path("max_output_tokens").asLong()).isEqualTo(26_576);
        }
    }

    @Test
    void givenARouteWithItsOwnCap_whenItIsChosen_thenTheStricterOfRouteAndPipelineCapsApplies() throws Exception {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 20, 30));
        }
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: thinker, provider: openai, model: o4-mini, base_url: %s/v1}
                pipelines:
                  auto:
                    max_reasoning_effort: medium
                    routes:
                      # in production: when: {budget_utilization_above: 0.8}, so the model thinks less as money runs out
                      - {name: quick, model: thinker, max_reasoning_effort: minimal, when: {keywords: [quick]}}
                      - {name: deep, model: thinker, max_reasoning_effort: xhigh, when: {keywords: [deep]}}
                    default_route: thinker
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER))) {
            String ask = "{\"model\": \"auto\", \"reasoning_effort\": \"high\", \"messages\": [{\"role\": "
                    + "\"user\", \"content\": \"%s\"}]}";
            HttpResponse<String> quick = chat(gw, ask.formatted("a quick one: 6 * 7?"));
            chat(gw, ask.formatted("prove Fermat's little theorem"));
            HttpResponse<String> deep = chat(gw, ask.formatted("a deep one: prove it again"));

            assertThat(quick.headers().firstValue("x-costwise-route")).hasValue("quick");
            assertThat(deep.headers().firstValue("x-costwise-route")).hasValue("deep");
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText()).isEqualTo("minimal");
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText())
                    .isEqualTo("medium"); // the pipeline's cap
            // a route's looser cap does not lift the pipeline's
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText()).isEqualTo("medium");
        }
    }

    @Test
    void givenAnUnknownCap_whenTheConfigIsLoaded_thenTheProblemNamesItsPath() {
        assertThatThrownBy(() -> cappedGateway("cheap")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
                        "pipelines.thinker.max_reasoning_effort: unknown effort 'cheap' (known: none, minimal, low, "
                                + "medium, high, xhigh, max)"));
        assertThatThrownBy(() -> new TestGateway("""
                models:
                  - {name: thinker, provider: openai, model: o4-mini, base_url: http://127.0.0.1:9/v1}
                pipelines:
                  auto:
                    routes: [{name: quick, model: thinker, max_reasoning_effort: tiny}]
                """, Map.of())).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
                        "pipelines.auto.routes[0].max_reasoning_effort: unknown effort 'tiny' (known: none, minimal, "
                                + "low, medium, high, xhigh, max)"));
    }

    @Test
    void givenBadReasoning_whenSent_thenA400NamesTheFieldAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> effort = chat(gw, """
                    {"model": "thinker", "reasoning_effort": "turbo",
                     "messages": [{"role": "user", "content": "hi"}]}""");
            HttpResponse<String> blocks = chat(gw, """
                    {"model": "thinker", "messages": [{"role": "user", "content": "hi",
                      "thinking_blocks": [{"type": "thinking", "thinking": "x", "signature": "s"}]}]}""");
            HttpResponse<String> budget = messages(gw, """
                    {"model": "claude", "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 100},
                     "messages": [{"role": "user", "content": "hi"}]}""");
            HttpResponse<String> kind = messages(gw, """
                    {"model": "claude", "max_tokens": 4000, "thinking": {"type": "deep"},
                     "messages": [{"role": "user", "content": "hi"}]}""");

            assertThat(effort.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(effort.body()).at("/error/message").asText())
                    .contains("reasoning_effort: unknown value 'turbo'; expected one of none, minimal, low");
            assertThat(blocks.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(blocks.body()).at("/error/message").asText())
                    .contains("messages[0].thinking_blocks: only an assistant message holds reasoning");
            assertThat(List.of(budget.statusCode(), kind.statusCode())).containsOnly(400);
            assertThat(TestGateway.json(budget.body()).at("/error/message").asText())
                    .contains("thinking.budget_tokens: expected a whole number from 1024 to 2147483647, was 100");
            assertThat(TestGateway.json(kind.body()).at("/error/message").asText())
                    .contains("thinking.type: expected enabled, adaptive or disabled, was 'deep'");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAMessagesRequestWithThinkingForAnOpenAiModel_thenTheEffortGoesAndTheSignedBlocksStayBehind()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("o4-mini", "18 degrees", 60, 40));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "thinker", "max_tokens": 8000, "thinking": {"type": "enabled", "budget_tokens": 1024},
                     "messages": [{"role": "user", "content": "Weather in Paris?"},
                       {"role": "assistant", "content": [
                         {"type": "thinking", "thinking": "Use the tool.", "signature": "sig-1"},
                         {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}}]},
                       {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                         "content": "18C"}]}],
                     "tools": [{"name": "weather", "input_schema": {"type": "object"}}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode sent = SentUpstream.next(upstream);
            assertThat(sent.path("reasoning_effort").asText()).isEqualTo("low");
            assertThat(sent.has("reasoning")).isFalse();
            JsonNode assistant = sent.path("messages").get(1);
            assertThat(assistant.path("tool_calls").get(0).path("id").asText()).isEqualTo("toolu_1");
            assertThat(assistant.has("thinking_blocks")).isFalse(); // OpenAI would refuse them
            assertThat(assistant.has("reasoning_content")).isFalse();
        }
    }

    @Test
    void givenAdaptiveThinkingAtMaxForAnOpenAiModel_whenSent_thenOpenAisDeepestEffortGoes() throws Exception {
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 20, 30));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, """
                    {"model": "thinker", "max_tokens": 8000, "thinking": {"type": "adaptive"},
                     "output_config": {"effort": "max"}, "messages": [{"role": "user", "content": "6 * 7?"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(SentUpstream.next(upstream).path("reasoning_effort").asText())
                    .isEqualTo("xhigh"); // OpenAI has no max
        }
    }

    /** Anthropic's answer with a signed thinking block before its tool call (extended-thinking docs, tool use). */
    private static MockResponse anthropicThinkingToolAnswer() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [
                   {"type": "thinking", "thinking": "The user wants the weather; call the tool.",
                    "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"},
                   {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
                   {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}],
                 "stop_reason": "tool_use", "stop_sequence": null,
                 "usage": {"input_tokens": 400, "output_tokens": 150}}""").build();
    }

    private static MockResponse anthropicText(String text) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_02", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "text", "text": "%s"}], "stop_reason": "end_turn", "stop_sequence": null,
                 "usage": {"input_tokens": 500, "output_tokens": 10}}""".formatted(text)).build();
    }

    @Test
    void givenAToolTurnWithThinkingThroughMessages_whenContinued_thenTheSignedBlocksGoBackToAnthropicUnchanged()
            throws Exception {
        upstream.enqueue(anthropicThinkingToolAnswer());
        upstream.enqueue(anthropicText("18 degrees in Paris."));
        String head = """
                {"model": "claude", "max_tokens": 8000, "thinking": {"type": "enabled", "budget_tokens": 2048},
                 "tools": [{"name": "weather", "input_schema": {"type": "object"}}],
                 "messages": [{"role": "user", "content": "Weather in Paris?"}""";
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = messages(gw, head + "]}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            JsonNode answer = TestGateway.json(first.body());
            JsonNode firstSent = SentUpstream.next(upstream);

            // the caller sends the assistant turn back as it got it, with the tool's result
            HttpResponse<String> second = messages(gw, head + ", {\"role\": \"assistant\", \"content\": "
                    + answer.path("content") + "}, {\"role\": \"user\", \"content\": [{\"type\": \"tool_result\", "
                    + "\"tool_use_id\": \"toolu_01\", \"content\": \"18C\"}]}]}");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            JsonNode secondSent = SentUpstream.next(upstream);

            assertThat(answer.path("content")).isEqualTo(TestGateway.json("""
                    [{"type": "thinking", "thinking": "The user wants the weather; call the tool.",
                      "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"},
                     {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
                     {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]"""));
            assertThat(firstSent.path("thinking")).isEqualTo(TestGateway.json(
                    "{\"type\": \"enabled\", \"budget_tokens\": 2048}"));
            assertThat(secondSent.path("thinking")).isEqualTo(firstSent.path("thinking"));
            assertThat(secondSent.path("messages").get(1).path("content")).isEqualTo(answer.path("content"));
            assertThat(TestGateway.json(second.body()).at("/content/0/text").asText())
                    .isEqualTo("18 degrees in Paris.");
        }
    }

    @Test
    void givenAToolTurnWithThinkingThroughChatCompletions_whenContinued_thenThinkingBlocksRoundTrip()
            throws Exception {
        upstream.enqueue(anthropicThinkingToolAnswer());
        upstream.enqueue(anthropicText("18 degrees."));
        String head = """
                {"model": "claude", "max_tokens": 8000, "reasoning_effort": "low",
                 "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}],
                 "messages": [{"role": "user", "content": "Weather in Paris?"}""";
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = chat(gw, head + "]}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            JsonNode message = TestGateway.json(first.body()).at("/choices/0/message");
            JsonNode firstSent = SentUpstream.next(upstream);

            HttpResponse<String> second = chat(gw, head + ", " + message + ", {\"role\": \"tool\", "
                    + "\"tool_call_id\": \"toolu_01\", \"content\": \"18C\"}]}");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            JsonNode secondSent = SentUpstream.next(upstream);

            assertThat(message.path("reasoning_content").asText())
                    .isEqualTo("The user wants the weather; call the tool.");
            assertThat(message.path("thinking_blocks")).hasSize(2);
            // low effort is Anthropic's smallest budget on a model that takes a budget
            assertThat(firstSent.path("thinking")).isEqualTo(TestGateway.json(
                    "{\"type\": \"enabled\", \"budget_tokens\": 1024}"));
            assertThat(secondSent.path("messages").get(1).path("content")).isEqualTo(TestGateway.json("""
                    [{"type": "thinking", "thinking": "The user wants the weather; call the tool.",
                      "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"},
                     {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
                     {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}}]"""));
        }
    }

    @Test
    void givenAStreamedAnswerWithThinking_whenReadThroughMessages_thenThinkingAndSignatureEventsComeFirst() {
        // https://docs.claude.com/en/docs/build-with-claude/extended-thinking#streaming-thinking
        String[][] events = {
            {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,"
                    + "\"usage\":{\"input_tokens\":40,\"output_tokens\":1}}}"},
            {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"thinking\",\"thinking\":\"\"}}"},
            {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                    + "\"thinking_delta\",\"thinking\":\"Two plus \"}}"},
            {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                    + "\"thinking_delta\",\"thinking\":\"two is four.\"}}"},
            {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                    + "\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}"},
            {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"},
            {"content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                    + "{\"type\":\"text\",\"text\":\"\"}}"},
            {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                    + "\"text_delta\",\"text\":\"4\"}}"},
            {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"},
            {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":30}}"},
            {"message_stop", "{\"type\":\"message_stop\"}"},
        };
        StringBuilder sse = new StringBuilder();
        for (String[] e : events) {
            sse.append("event: ").append(e[0]).append("\ndata: ").append(e[1]).append("\n\n");
        }
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build());
        upstream.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json").body(
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"no second call\"}}")
                .build());
        String ask = """
                {"model": "claude", "max_tokens": 4000, "stream": true,
                 "thinking": {"type": "enabled", "budget_tokens": 2000},
                 "messages": [{"role": "user", "content": "2 + 2?"}]}""";
        try (TestGateway gw = gateway()) {
            List<Map.Entry<String, JsonNode>> out = TestGateway.events(messages(gw, ask).body());
            List<Map.Entry<String, JsonNode>> again = TestGateway.events(messages(gw, ask).body());

            List<String> types = out.stream().map(e -> e.getKey() + ":" + e.getValue().at("/delta/type").asText(
                    e.getValue().at("/content_block/type").asText(""))).toList();
            assertThat(types).containsExactly("message_start:", "content_block_start:thinking",
                    "content_block_delta:thinking_delta", "content_block_delta:thinking_delta",
                    "content_block_delta:signature_delta", "content_block_stop:", "content_block_start:text",
                    "content_block_delta:text_delta", "content_block_stop:", "message_delta:", "message_stop:");
            assertThat(out.get(2).getValue().at("/delta/thinking").asText()
                    + out.get(3).getValue().at("/delta/thinking").asText()).isEqualTo("Two plus two is four.");
            assertThat(out.get(4).getValue().at("/delta/signature").asText()).isEqualTo("EqQBCgIYAhIM");
            assertThat(out.get(6).getValue().path("index").asInt()).isEqualTo(1);
            assertThat(out.get(9).getValue().at("/usage/output_tokens").asInt()).isEqualTo(30);
            // an answer's signed blocks are rebuilt from its stream for the cache: the same ask is a hit, signed
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(again.stream().map(e -> e.getValue().at("/delta/signature").asText()).filter(s -> !s.isEmpty())
                    .toList()).containsExactly("EqQBCgIYAhIM");
        }
    }
}
