package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A non-streamed attempt that fails after its provider billed it, and says what it billed, is ledgered and charged
 * at that usage: OpenRouter's {@code error} inside a 200 may come with the {@code usage} of the failed generation
 * (https://openrouter.ai/docs/api-reference/errors). Its ledger row, its model's and the request's other budgets and
 * the request's {@code x-costwise-cost} all carry it. Gemini's failed tool call: {@link
 * GeminiToolCallFailuresEndToEndTest}.
 */
class BilledFailedAttemptsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer router = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    /** OpenRouter's error inside a 200, with the usage of the generation it failed: 1,000 in, 200 out. */
    private static MockResponse errorInside200WithUsage() {
        return json("""
                {"id": "gen-1", "object": "chat.completion", "created": 1741569952, "model": "openai/gpt-4o-mini",
                 "provider": "OpenAI", "error": {"code": 502, "message": "Provider returned error"},
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": ""},
                   "finish_reason": "error", "native_finish_reason": "error"}],
                 "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}}""");
    }

    /** OpenRouter with a fallback, no retries, and a budget of each scope the request counts for. */
    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: router, provider: openrouter, model: openai/gpt-4o-mini, api_key_env: TEST_KEY,
                     base_url: %s/api/v1, price: {input: "0.15", output: "0.60"}}
                  - {name: backup, provider: openai-compatible, model: llama-3.1-8b, base_url: %s/v1,
                     price: {input: "0.05", output: "0.08"}}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  router:
                    fallbacks: [backup]
                budgets:
                  - {name: all, scope: global, window: day, limit: "10"}
                  - {name: per-model, scope: model, window: day, limit: "10"}
                  - {name: per-user, scope: user, window: day, limit: "10"}
                """.formatted(TestGateway.baseUrl(router), TestGateway.baseUrl(backup)),
                Map.of("MASTER", MASTER, "TEST_KEY", "sk-upstream-secret"));
    }

    /** Each budget window's spend, by {@code name:scope_value}, as {@code /v1/budgets} shows it to the master key. */
    static Map<String, Money> spent(TestGateway gw, String master) {
        JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer " + master).body());
        Map<String, Money> spent = new TreeMap<>();
        budgets.get("data").forEach(b -> spent.put(b.get("name").asText() + ":" + b.path("scope_value").asText(),
                Money.of(b.get("spent").asText())));
        return spent;
    }

    @Test
    void givenAnErrorInsideA200WithUsage_whenTheFallbackAnswers_thenEachModelIsChargedWhatItsProviderBilled() {
        router.enqueue(errorInside200WithUsage());
        backup.enqueue(OpenAiFake.completion("llama-3.1-8b", "from backup", 10, 10));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "router", "user": "alice", "messages": [{"role": "user", "content": "q"}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            // 1,000 × $0.15/M + 200 × $0.60/M
            Money failed = Money.of("0.00027");
            assertThat(rows.getFirst().errorKind()).hasValue("server_error");
            assertThat(rows.getFirst().usage().outputTokens()).isEqualTo(200);
            assertThat(rows.getFirst().cost()).isEqualTo(failed);
            // 10 × $0.05/M + 10 × $0.08/M
            Money answered = Money.of("0.0000013");
            assertThat(rows.get(1).cost()).isEqualTo(answered);
            Money total = failed.plus(answered);
            assertThat(Money.of(res.headers().firstValue("x-costwise-cost").orElseThrow())).isEqualTo(total);
            assertThat(spent(gw, MASTER)).containsEntry("all:", total).containsEntry("per-user:alice", total)
                    .containsEntry("per-model:router", failed).containsEntry("per-model:backup", answered);
        }
    }

    @Test
    void givenAnErrorEventWithUsageMidStream_whenStreamed_thenTheFailedStreamIsBilledThatUsage() {
        router.enqueue(OpenRouterFake.streamFailing(1000, 200, "Hel", "lo"));
        try (TestGateway gw = gateway()) {
            String sse = gw.post("/v1/chat/completions", """
                    {"model": "router", "user": "alice", "stream": true,
                     "messages": [{"role": "user", "content": "q"}]}""", "Authorization", "Bearer " + MASTER).body();

            assertThat(sse).contains("Hel").contains("\"code\":\"upstream_error\"");
            // 1,000 × $0.15/M + 200 × $0.60/M, not the prompt's estimate and two chunks
            Money failed = Money.of("0.00027");
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(row.errorKind()).hasValue("server_error");
                assertThat(row.usage().estimated()).isFalse();
                assertThat(row.cost()).isEqualTo(failed);
            });
            assertThat(spent(gw, MASTER)).containsEntry("all:", failed).containsEntry("per-user:alice", failed)
                    .containsEntry("per-model:router", failed);
        }
    }

    @Test
    void givenAnErrorEventWithUsageBeforeAnyOutput_whenTheFallbackStreams_thenItsCostIncludesTheBilledFailure() {
        router.enqueue(OpenRouterFake.streamFailing(1000, 200));
        backup.enqueue(OpenAiFake.stream("llama-3.1-8b", "from", " backup"));
        try (TestGateway gw = gateway()) {
            String sse = gw.post("/v1/chat/completions", """
                    {"model": "router", "user": "alice", "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "q"}]}""", "Authorization", "Bearer " + MASTER).body();

            List<JsonNode> chunks = TestGateway.dataChunks(sse);
            Money failed = Money.of("0.00027");
            // 12 × $0.05/M + 2 × $0.08/M
            Money answered = Money.of("0.00000076");
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(r -> r.outcome() + " " + r.errorKind().orElse("-"))
                    .containsExactly("FAILED server_error", "SUCCESS -");
            assertThat(rows).extracting(CostRecord::cost).containsExactly(failed, answered);
            assertThat(Money.of(chunks.getLast().at("/costwise/cost").asText())).isEqualTo(failed.plus(answered));
            assertThat(spent(gw, MASTER)).containsEntry("all:", failed.plus(answered))
                    .containsEntry("per-model:router", failed).containsEntry("per-model:backup", answered);
        }
    }

    @Test
    void givenAnErrorInsideA200WithUsage_whenTheFallbackFailsToo_thenTheErrorSaysWhatTheRequestCost() {
        router.enqueue(errorInside200WithUsage());
        backup.enqueue(new MockResponse.Builder().code(500).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"internal\",\"type\":\"server_error\"}}").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "router", "messages": [{"role": "user", "content": "q"}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(502);
            Money failed = Money.of("0.00027");
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue(failed.toString());
            JsonNode costwise = TestGateway.json(res.body()).at("/error/costwise");
            assertThat(costwise).isEqualTo(TestGateway.json("""
                    {"cost": "%s", "cache": "bypass", "model_used": "router", "route": "default"}"""
                    .formatted(failed)));
            assertThat(spent(gw, MASTER)).containsEntry("all:", failed);
        }
    }
}
