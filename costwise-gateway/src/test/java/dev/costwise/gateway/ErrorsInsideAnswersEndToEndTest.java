package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A provider that fails after it has answered HTTP 200 says so inside the answer: OpenRouter puts an {@code error}
 * (with a numeric {@code code}) in a 200 body or in a stream event (https://openrouter.ai/docs/api-reference/errors).
 * Such an answer is the failure its code names, never a success.
 */
class ErrorsInsideAnswersEndToEndTest {
    @StartStop
    final MockWebServer router = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private String yaml(String retry, String pipelines) {
        return """
                models:
                  - name: router
                    provider: openrouter
                    model: openai/gpt-4o-mini
                    api_key_env: TEST_KEY
                    base_url: %s/api/v1
                    price: {input: "0.15", output: "0.60"}
                  - name: backup
                    provider: openai-compatible
                    model: llama-3.1-8b
                    base_url: %s/v1
                    price: {input: "0.05", output: "0.08"}
                defaults:
                  retry: %s
                  cache: {enabled: true}
                %s
                """.formatted(TestGateway.baseUrl(router), TestGateway.baseUrl(backup), retry, pipelines);
    }

    /** OpenRouter's non-streamed answer when the model's provider failed after OpenRouter answered 200. */
    private static MockResponse errorInside200(String code) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"gen-1\",\"object\":\"chat.completion\",\"created\":1741569952,"
                        + "\"model\":\"openai/gpt-4o-mini\",\"provider\":\"OpenAI\",\"error\":{\"code\":" + code
                        + ",\"message\":\"Provider returned error\",\"metadata\":{\"provider_name\":\"OpenAI\","
                        + "\"raw\":\"upstream failed\"}},\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"\"},\"finish_reason\":\"error\",\"native_finish_reason\":\"error\"}]}")
                .build();
    }

    /** An OpenRouter stream that sends two words, then an error event of {@code code}, then [DONE]. */
    private static MockResponse errorMidStream(int code, String message) {
        String head = "data: {\"id\":\"gen-2\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1741569952,"
                + "\"model\":\"openai/gpt-4o-mini\",\"provider\":\"OpenAI\",";
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(": OPENROUTER PROCESSING\n\n"
                        + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},"
                        + "\"finish_reason\":null}]}\n\n"
                        + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
                        + "\"finish_reason\":null}]}\n\n"
                        + head + "\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\"},"
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n"
                        + "data: [DONE]\n\n")
                .build();
    }

    @Test
    void givenAnErrorInsideA200Answer_whenAsked_thenTheFallbackAnswersAndTheFailureIsLedgeredUnbilled() {
        router.enqueue(errorInside200("502"));
        backup.enqueue(OpenAiFake.completion("llama-3.1-8b", "from backup", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", """
                pipelines:
                  router:
                    fallbacks: [backup]
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("router", "q"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(TestGateway.json(res.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("from backup");
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            assertThat(rows.getFirst().errorKind()).hasValue("server_error");
            assertThat(rows.getFirst().cost()).isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenAnErrorInsideA200Answer_whenAskedTwice_thenItIsNeverCachedAndEachAskReachesTheProvider() {
        router.enqueue(errorInside200("502"));
        router.enqueue(errorInside200("502"));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", ""))) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("router", "same"));

                assertThat(res.statusCode()).isEqualTo(502);
                JsonNode error = TestGateway.json(res.body()).path("error");
                assertThat(error.path("code").asText()).isEqualTo("upstream_error");
                assertThat(error.path("message").asText())
                        .contains("server error: Provider returned error (error code 502)")
                        .as("the provider answered 200: no HTTP status is claimed").doesNotContain("HTTP");
            }
            assertThat(router.getRequestCount()).isEqualTo(2);
            assertThat(gw.records()).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.FAILED);
            assertThat(gw.records()).extracting(r -> r.errorKind().orElseThrow())
                    .containsExactly("server_error", "server_error");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "429, 503, upstream_rate_limited",
        "503, 503, upstream_overloaded",
        "402, 503, upstream_quota_exhausted",
        "400, 400, upstream_rejected",
        "'\"server_error\"', 502, upstream_error",
        "'\"something new\"', 502, upstream_error"})
    void givenAnErrorCodeInsideA200Answer_whenAsked_thenItIsTheFailureItsCodeNames(String code, int status,
            String gatewayCode) {
        router.enqueue(errorInside200(code));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", ""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("router", "q"));

            assertThat(res.statusCode()).isEqualTo(status);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo(gatewayCode);
        }
    }

    @Test
    void givenARateLimitInsideA200Answer_whenRetriesAreAllowed_thenTheSameModelIsAskedAgain() {
        router.enqueue(errorInside200("429"));
        router.enqueue(OpenAiFake.completion("openai/gpt-4o-mini", "second try", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 1, initial_delay: 100ms, max_delay: 100ms}", ""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("router", "q"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(res.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("second try");
            assertThat(router.getRequestCount()).isEqualTo(2);
            assertThat(gw.sleeps).hasSize(1);
            assertThat(gw.records()).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            assertThat(gw.records().getFirst().errorKind()).hasValue("rate_limited");
        }
    }

    @Test
    void givenARateLimitMidStream_whenStreamed_thenTheErrorEventIsARateLimitAndItsLedgerRowHasItsKind() {
        router.enqueue(errorMidStream(429, "Rate limit exceeded upstream"));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", ""))) {
            String sse = gw.post("/v1/chat/completions", "{\"model\":\"router\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}").body();

            List<String> data = sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
            assertThat(data.getLast()).isEqualTo("[DONE]");
            JsonNode error = TestGateway.json(data.get(data.size() - 2)).path("error");
            assertThat(error.path("code").asText()).isEqualTo("upstream_rate_limited");
            assertThat(error.path("message").asText())
                    .contains("rate limited: Rate limit exceeded upstream (error code 429)")
                    .as("no HTTP status was sent with the event").doesNotContain("HTTP");
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(row.errorKind()).hasValue("rate_limited");
            });
        }
    }

    @Test
    void givenAnOverloadMidStream_whenStreamedThroughMessages_thenTheErrorEventHasAnthropicsType() {
        router.enqueue(errorMidStream(503, "No instances available"));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", ""))) {
            HttpResponse<String> res = gw.post("/v1/messages", """
                    {"model": "router", "max_tokens": 64, "stream": true,
                     "messages": [{"role": "user", "content": "Say hello"}]}""", "anthropic-version", "2023-06-01");

            List<Map.Entry<String, JsonNode>> events = TestGateway.events(res.body());
            assertThat(events.getLast().getKey()).isEqualTo("error");
            assertThat(events.getLast().getValue().at("/error/type").asText()).isEqualTo("overloaded_error");
            assertThat(gw.records().getFirst().errorKind()).hasValue("overloaded");
        }
    }

    @Test
    void givenAnErrorRightAfterTheRoleChunk_whenStreamed_thenTheFallbackAnswersAsNothingWasSentYet() {
        String head = "data: {\"id\":\"gen-3\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"openai/gpt-4o-mini\",";
        router.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"finish_reason\":null}]}\n\n"
                        + head + "\"error\":{\"code\":429,\"message\":\"Rate limit exceeded upstream\"},"
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n"
                        + "data: [DONE]\n\n")
                .build());
        backup.enqueue(OpenAiFake.stream("llama-3.1-8b", "from", " backup"));
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", """
                pipelines:
                  router: {fallbacks: [backup]}"""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\":\"router\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(res.body()).contains("from").doesNotContain("\"error\"");
            assertThat(gw.records()).extracting(r -> r.outcome() + " " + r.errorKind().orElse("-") + " " + r.cost())
                    .containsExactly("FAILED rate_limited 0", "SUCCESS - " + gw.records().getLast().cost());
        }
    }

    @Test
    void givenAStreamCutShort_whenStreamed_thenItsLedgerRowSaysTheConnectionFailed() {
        router.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(OpenAiFake.streamText("openai/gpt-4o-mini", "Hel", "lo").replace("data: [DONE]\n\n", ""))
                .build());
        try (TestGateway gw = TestGateway.of(yaml("{max_retries: 0}", ""))) {
            gw.post("/v1/chat/completions", "{\"model\":\"router\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(row.errorKind()).hasValue("connection");
            });
        }
    }
}
