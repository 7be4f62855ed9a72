package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A Gemini candidate ended by {@code finishReason: MALFORMED_FUNCTION_CALL} (the model wrote a function call Gemini
 * could not parse; https://ai.google.dev/api/generate-content#FinishReason) is no answer: the attempt fails and is
 * retried, where {@code finish_reason: "stop"} would tell an agent loop the model had finished. It comes in a 200
 * with the {@code usageMetadata} Google billed, so the failed attempt is billed that.
 */
class GeminiToolCallFailuresEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    void givenAMalformedFunctionCall_whenAsked_thenTheAttemptFailsBilledWhatGoogleReportedAndTheRetryAnswers() {
        upstream.enqueue(json("""
                {"candidates": [{"content": {}, "finishReason": "MALFORMED_FUNCTION_CALL", "index": 0}],
                 "usageMetadata": {"promptTokenCount": 900, "totalTokenCount": 900},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r1"}"""));
        upstream.enqueue(json("""
                {"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "get_weather",
                   "args": {"city": "Paris"}}}]}, "finishReason": "STOP", "index": 0}],
                 "usageMetadata": {"promptTokenCount": 900, "candidatesTokenCount": 8, "totalTokenCount": 908},
                 "modelVersion": "gemini-2.5-flash", "responseId": "r2"}"""));
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                defaults:
                  cache: {enabled: false}
                budgets:
                  - {name: all, scope: global, window: day, limit: "10"}
                  - {name: per-model, scope: model, window: day, limit: "10"}
                  - {name: per-user, scope: user, window: day, limit: "10"}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "flash", "user": "alice", "messages": [{"role": "user", "content": "Weather in Paris?"}],
                     "tools": [{"type": "function", "function": {"name": "get_weather",
                       "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode choice = TestGateway.json(res.body()).path("choices").path(0);
            assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(choice.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
            assertThat(gw.records()).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            assertThat(gw.records().getFirst().errorKind()).contains("malformed_response");
            Money failed = Money.of("0.00027"); // the 900 prompt tokens Google reported, at $0.30/M
            assertThat(gw.records().getFirst().usage().inputTokens()).isEqualTo(900);
            assertThat(gw.records().getFirst().cost()).isEqualTo(failed);
            Money answered = Money.of("0.00029"); // and 8 output tokens at $2.50/M
            assertThat(gw.records().get(1).cost()).isEqualTo(answered);
            Money total = failed.plus(answered);
            assertThat(Money.of(res.headers().firstValue("x-costwise-cost").orElseThrow())).isEqualTo(total);
            assertThat(BilledFailedAttemptsEndToEndTest.spent(gw, MASTER)).containsEntry("all:", total)
                    .containsEntry("per-model:flash", total).containsEntry("per-user:alice", total);
        }
    }
}
