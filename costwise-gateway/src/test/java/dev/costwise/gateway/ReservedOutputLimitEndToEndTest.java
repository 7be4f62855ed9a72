package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.pipeline.BudgetBook;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A request that sets no {@code max_tokens} reserves its model's {@code max_output_tokens}, and a hard budget holds
 * only if the provider keeps to it: each provider is sent that limit in its own field (OpenAI's
 * {@code max_completion_tokens}, other OpenAI-format servers' {@code max_tokens}, Gemini's
 * {@code generationConfig.maxOutputTokens}), and a stream whose provider ignores it is ended there. Providers are faked
 * in their documented wire formats (https://platform.openai.com/docs/api-reference/chat-streaming,
 * https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent,
 * https://docs.claude.com/en/docs/build-with-claude/streaming).
 */
class ReservedOutputLimitEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1, max_output_tokens: 10,
                     price: {input: "1", output: "2"}}
                  - {name: llama, provider: ollama, model: llama3.2, base_url: %1$s/v1, max_output_tokens: 20,
                     price: {input: "0", output: "0"}}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test,
                     max_output_tokens: 10, price: {input: "0.30", output: "2.50"}}
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, base_url: %1$s, api_key: sk-ant-test,
                     max_output_tokens: 3, price: {input: "1", output: "5"}}
                pipelines:
                  mini:
                    fallbacks: [llama]
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                budgets:
                  - {name: hard, scope: global, window: day, limit: "1.00", on_exhausted: reject}
                """.formatted(base));
    }

    private JsonNode sent() throws InterruptedException {
        return TestGateway.json(upstream.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
    }

    @Test
    void givenNoMaxTokens_whenEachProviderIsCalled_thenItIsSentTheLimitItsReservationAssumed() throws Exception {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "boom"));
        upstream.enqueue(OpenAiFake.completion("llama3.2", "hi", 10, 2));
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP",
                 "index": 0}], "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1,
                 "totalTokenCount": 4}, "modelVersion": "gemini-2.5-flash"}""").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> openAi = gw.post("/v1/chat/completions", TestGateway.chat("mini", "hi"));
            HttpResponse<String> gemini = gw.post("/v1/chat/completions", TestGateway.chat("flash", "hi"));

            assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(200);
            assertThat(gemini.statusCode()).as(gemini.body()).isEqualTo(200);
            JsonNode toOpenAi = sent();
            assertThat(toOpenAi.path("max_completion_tokens").asInt()).isEqualTo(10);
            assertThat(toOpenAi.has("max_tokens")).isFalse();
            // the fallback gets its own model's limit, the one its reservation moved to
            JsonNode toOllama = sent();
            assertThat(toOllama.path("max_tokens").asInt()).isEqualTo(20);
            assertThat(toOllama.has("max_completion_tokens")).isFalse();
            assertThat(sent().at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(10);
        }
    }

    @Test
    void givenACallersOwnMaxTokensAboveTheModels_whenCalled_thenItIsReservedAndSentAsAsked() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "hi", 10, 2));
        String body = "{\"model\":\"mini\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (TestGateway gw = gateway()) {
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", body).body());
            HttpResponse<String> res = gw.post("/v1/chat/completions", body);

            // max_output_tokens is the limit of a request that sets none, not a cap on the caller's own
            assertThat(explained.path("max_output_tokens").asInt()).isEqualTo(500);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sent().path("max_completion_tokens").asInt()).isEqualTo(500);
        }
    }

    @Test
    void givenSeveralChoices_whenReserved_thenEachChoiceHoldsTheWholeOutputLimit() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "hi", 10, 2));
        String base = TestGateway.baseUrl(upstream);
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: dear, provider: openai, model: gpt-4o-mini, base_url: %s/v1, max_output_tokens: 1000,
                     price: {input: "0", output: "1000"}}
                defaults:
                  cache: {enabled: false}
                budgets:
                  - {name: hard, scope: global, window: day, limit: "2.50", on_exhausted: reject}
                """.formatted(base))) {
            String three = "{\"model\":\"dear\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            JsonNode explained = TestGateway.json(gw.post("/v1/route/explain", three).body());
            HttpResponse<String> refused = gw.post("/v1/chat/completions", three);
            HttpResponse<String> one = gw.post("/v1/chat/completions", TestGateway.chat("dear", "hi"));

            // three answers of up to 1,000 tokens at $1,000 per million: $3 may be billed, more than the $2.50 limit
            assertThat(Money.of(explained.path("estimated_max_cost").asText())).isEqualTo(Money.of("3"));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(TestGateway.json(refused.body()).at("/error/code").asText()).isEqualTo("budget_exceeded");
            assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
            assertThat(sent().path("max_completion_tokens").asInt()).isEqualTo(1000); // per choice, as OpenAI reads it
        }
    }

    @Test
    void givenAStreamPastItsLimit_whenRelayed_thenItEndsThereWithLengthAndIsBilledWhatWasCounted() throws Exception {
        StringBuilder endless = new StringBuilder(OpenAiFake.CHUNK_HEAD
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < 2_000; i++) {
            endless.append(OpenAiFake.CHUNK_HEAD).append("[{\"index\":0,\"delta\":{\"content\":\"w").append(i)
                    .append(" \"},\"finish_reason\":null}]}\n\n");
        }
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(endless.toString()).build()); // never ends with a finish reason, usage or [DONE]
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "mini", "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "write forever"}]}""");

            List<JsonNode> chunks = TestGateway.dataChunks(res.body());
            assertThat(res.body()).endsWith("data: [DONE]\n\n");
            StringBuilder text = new StringBuilder();
            chunks.forEach(c -> c.path("choices").forEach(ch -> text.append(ch.at("/delta/content").asText(""))));
            assertThat(text.toString()).isEqualTo("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 ");
            JsonNode ending = chunks.get(chunks.size() - 2);
            assertThat(ending.at("/choices/0/finish_reason").asText()).isEqualTo("length");
            JsonNode usage = chunks.getLast();
            CostRecord row = gw.records().getFirst();
            assertThat(gw.records()).hasSize(1);
            assertThat(row.outcome()).isEqualTo(Outcome.SUCCESS);
            // the 11th output chunk, which proved the limit ignored, was generated and billed but not relayed
            assertThat(row.usage().outputTokens()).isEqualTo(11);
            assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(11);
            assertThat(usage.at("/costwise/cost").asText()).isEqualTo(row.cost().toString());
            assertThat(usage.at("/costwise/estimated").asBoolean()).isTrue();
            assertThat(sent().path("max_completion_tokens").asInt()).isEqualTo(10);
            BudgetBook.Status hard = gw.gateway.budgets().statuses().getFirst();
            assertThat(hard.spent()).isEqualTo(row.cost());
            assertThat(hard.reserved()).isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenAGeminiStreamReportingUsagePastItsLimit_whenRelayed_thenItEndsAtTheReportedCount() throws Exception {
        StringBuilder sse = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            sse.append("data: {\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"part")
                    .append(i).append(" \"}]}, \"index\": 0}], \"usageMetadata\": {\"promptTokenCount\": 100, ")
                    .append("\"candidatesTokenCount\": ").append(4 * i).append(", \"totalTokenCount\": ")
                    .append(100 + 4 * i).append("}, \"modelVersion\": \"gemini-2.5-flash\"}\n\n");
        }
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "flash", "stream": true, "messages": [{"role": "user", "content": "write"}]}""");

            List<JsonNode> chunks = TestGateway.dataChunks(res.body());
            StringBuilder text = new StringBuilder();
            chunks.forEach(c -> c.path("choices").forEach(ch -> text.append(ch.at("/delta/content").asText(""))));
            // 4, 8, then 12 tokens reported: the third chunk passes the limit of 10
            assertThat(text.toString()).isEqualTo("part1 part2 ");
            assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("length");
            assertThat(res.body()).endsWith("data: [DONE]\n\n");
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(row.usage()).isEqualTo(new Usage(100, 0, 0, 12, 0, false));
            assertThat(sent().at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(10);
        }
    }

    @Test
    void givenAStreamThatKeepsToItsLimit_whenRelayed_thenItIsRelayedWholeWithTheProvidersUsage() {
        String[] ten = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", ten));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "mini", "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "ten letters"}]}""");

            List<JsonNode> chunks = TestGateway.dataChunks(res.body());
            assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(chunks.getLast().at("/costwise/estimated").isMissingNode()).isTrue();
            assertThat(gw.records().getFirst().usage().outputTokens()).isEqualTo(10);
        }
    }

    @Test
    void givenAnAnthropicStreamPastItsLimit_whenCut_thenTheChunkThatPassedItIsBilledAsForEveryProvider() {
        List<String> events = new java.util.ArrayList<>(List.of(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5\","
                        + "\"stop_reason\":null,\"stop_sequence\":null,"
                        + "\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        for (int i = 0; i < 10; i++) {
            events.add("content_block_delta");
            events.add("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                    + "\"text\":\"w" + i + " \"}}");
        }
        upstream.enqueue(AnthropicFake.events(events.toArray(String[]::new))); // ignores max_tokens 3
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "haiku", "stream": true, "messages": [{"role": "user", "content": "write"}]}""");

            List<JsonNode> chunks = TestGateway.dataChunks(res.body());
            StringBuilder text = new StringBuilder();
            chunks.forEach(c -> c.path("choices").forEach(ch -> text.append(ch.at("/delta/content").asText(""))));
            assertThat(text.toString()).isEqualTo("w0 w1 w2 ");
            assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("length");
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.SUCCESS);
            // the 4th chunk, generated but not relayed, is billed as it is for OpenAI, OpenRouter and Gemini
            assertThat(row.usage().inputTokens()).isEqualTo(20);
            assertThat(row.usage().outputTokens()).isEqualTo(4);
        }
    }
}
