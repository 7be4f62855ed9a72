package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class ChatCompletionsEndToEndTest {
    @StartStop
    final MockWebServer primary = new MockWebServer();
    @StartStop
    final MockWebServer secondary = new MockWebServer();

    private String yaml(String extra) {
        return yaml("{max_retries: 0}", extra);
    }

    private String yaml(String retry, String extra) {
        return """
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    api_key_env: TEST_KEY
                    base_url: %s
                    price: {input: "0.15", output: "0.60"}
                  - name: backup
                    provider: openai-compatible
                    model: llama-3.1-8b
                    base_url: %s
                    price: {input: "0.05", output: "0.08"}
                defaults:
                  retry: %s
                %s
                """.formatted(primary.url("/v1").toString().replaceAll("/$", ""),
                secondary.url("/v1").toString().replaceAll("/$", ""), retry, extra);
    }

    @Test
    void givenOpenAiUpstream_whenCompletion_thenAnswerPassesThroughWithCostHeadersAndLedgerRow() throws Exception {
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini-2024-07-18", "Hi!", 1000, 2000));
        try (TestGateway gw = TestGateway.of(yaml(""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hello"));

            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode body = TestGateway.json(res.body());
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hi!");
            assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(3000);
            // 1000 * 0.15/1M + 2000 * 0.60/1M = 0.00015 + 0.0012
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.00135");
            assertThat(res.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("fast");
            assertThat(res.headers().firstValue("x-costwise-route")).hasValue("default");
            assertThat(res.headers().firstValue("x-request-id")).isPresent();
            RecordedRequest sent = primary.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
            assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer sk-upstream-secret");
            assertThat(TestGateway.json(sent.getBody().utf8()).get("model").asText()).isEqualTo("gpt-4o-mini");
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(row.cost()).isEqualTo(Money.of("0.00135"));
            assertThat(row.requestId()).isEqualTo(res.headers().firstValue("x-request-id").orElseThrow());
        }
    }

    @Test
    void givenSameRequestTwice_whenSecondArrives_thenCacheHitWithoutUpstreamAndLedgerRecordsSaving() {
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "cached answer", 1000, 1000));
        try (TestGateway gw = TestGateway.of(yaml(""))) {
            HttpResponse<String> first = gw.post("/v1/chat/completions", TestGateway.chat("fast", "same question"));
            HttpResponse<String> second = gw.post("/v1/chat/completions", TestGateway.chat("fast", "same question"));

            assertThat(first.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(second.headers().firstValue("x-costwise-cost")).hasValue("0");
            assertThat(TestGateway.json(second.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("cached answer");
            assertThat(primary.getRequestCount()).isEqualTo(1);
            CostRecord hit = gw.records().get(1);
            assertThat(hit.outcome()).isEqualTo(Outcome.CACHE_HIT);
            assertThat(hit.cost()).isEqualTo(Money.ZERO);
            assertThat(hit.savings()).isEqualTo(Money.of("0.00075"));
        }
    }

    @Test
    void givenCacheControlNoCache_whenRepeated_thenBothGoUpstream() {
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "a", 10, 10));
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "b", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml(""))) {
            gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));
            HttpResponse<String> second = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"),
                    "Cache-Control", "no-cache");

            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("bypass");
            assertThat(primary.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenTwoVirtualKeys_whenSameRequest_thenOneKeysEntryIsNotAHitForTheOther() {
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "for alice", 10, 10));
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "for bob", 10, 10));
        String keys = """
                keys:
                  - id: alice
                    key_sha256: %s
                  - id: bob
                    key_sha256: %s
                """.formatted(dev.costwise.gateway.config.ConfigLoader.sha256Hex("sk-alice"),
                dev.costwise.gateway.config.ConfigLoader.sha256Hex("sk-bob"));
        try (TestGateway gw = TestGateway.of(yaml(keys))) {
            gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"), "Authorization", "Bearer sk-alice");
            HttpResponse<String> bob = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"),
                    "Authorization", "Bearer sk-bob");
            HttpResponse<String> aliceAgain = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"),
                    "Authorization", "Bearer sk-alice");

            assertThat(bob.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(TestGateway.json(bob.body()).at("/choices/0/message/content").asText()).isEqualTo("for bob");
            assertThat(aliceAgain.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(primary.getRequestCount()).isEqualTo(2);
            assertThat(gw.records()).extracting(r -> r.tags().get("key")).containsExactly("alice", "bob", "alice");
        }
    }

    @Test
    void givenPrimaryRateLimited_whenCalled_thenFallbackAnswersAndBothAttemptsAreLedgered() {
        primary.enqueue(OpenAiFake.error(429, "requests", "rate_limit_exceeded", "Rate limit reached"));
        secondary.enqueue(OpenAiFake.completion("llama-3.1-8b", "from backup", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    fallbacks: [backup]
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            assertThat(rows.get(0).errorKind()).hasValue("rate_limited");
            assertThat(rows).extracting(CostRecord::attempt).containsExactly(1, 2);
            assertThat(rows.get(0).requestId()).isEqualTo(rows.get(1).requestId());
        }
    }

    @Test
    void givenPrimaryServerError_whenCalled_thenFallbackAnswers() {
        primary.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        secondary.enqueue(OpenAiFake.completion("llama-3.1-8b", "from backup", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    fallbacks: [backup]
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(res.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("from backup");
        }
    }

    @Test
    void givenRetries_whenFirstAttemptOverloaded_thenRetriedAfterRetryAfterOnTheSameModel() {
        primary.enqueue(OpenAiFake.error(429, "requests", "rate_limit_exceeded", "slow down"));
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "second try", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    retry: {max_retries: 2, initial_delay: 100ms, max_delay: 2s}
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(primary.getRequestCount()).isEqualTo(2);
            assertThat(gw.sleeps).hasSize(1);
            assertThat(gw.sleeps.getFirst()).isEqualTo(java.time.Duration.ofSeconds(1));
        }
    }

    @Test
    void givenEveryModelFails_whenCalled_then503NamesEachCauseWithoutSecrets() {
        primary.enqueue(OpenAiFake.error(429, "requests", null, "Rate limit for key sk-upstream-secret"));
        secondary.enqueue(OpenAiFake.error(503, "server_error", null, "Overloaded"));
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    fallbacks: [backup]
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(503);
            String message = TestGateway.json(res.body()).at("/error/message").asText();
            assertThat(message).contains("all 2 attempts failed").contains("rate limited").contains("overloaded")
                    .doesNotContain("sk-upstream-secret");
        }
    }

    @Test
    void givenUpstreamServerErrorOnly_whenCalled_then502() {
        primary.enqueue(OpenAiFake.error(500, "server_error", null, "boom"));
        try (TestGateway gw = TestGateway.of(yaml(""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("upstream_error");
        }
    }

    @Test
    void givenUpstreamNeverAnswers_whenTimeoutPasses_then504() {
        primary.enqueue(new mockwebserver3.MockResponse.Builder().code(200)
                .headersDelay(5, TimeUnit.SECONDS).body("{}").build());
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    timeout: 300ms
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(504);
            assertThat(gw.records().getFirst().errorKind()).hasValue("timeout");
        }
    }

    @Test
    void givenContextTooLong_whenContextWindowFallbackConfigured_thenLargerModelAnswers() {
        primary.enqueue(OpenAiFake.error(400, "invalid_request_error", "context_length_exceeded",
                "This model's maximum context length is 128000 tokens"));
        secondary.enqueue(OpenAiFake.completion("llama-3.1-8b", "long answer", 10, 10));
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    context_window_fallback: backup
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
        }
    }

    @Test
    void givenUpstreamRejectsTheRequest_whenCalled_thenNoFallbackAnd400() {
        primary.enqueue(OpenAiFake.error(400, "invalid_request_error", null, "Invalid value for 'tools'"));
        try (TestGateway gw = TestGateway.of(yaml("""
                pipelines:
                  fast:
                    fallbacks: [backup]
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(secondary.getRequestCount()).isZero();
        }
    }

    @Test
    void givenIdenticalRequestsAtOnce_whenTheFirstIsInFlight_thenTheOthersShareItsAnswer() throws Exception {
        primary.enqueue(new mockwebserver3.MockResponse.Builder(OpenAiFake.completion("gpt-4o-mini", "shared", 10,
                10)).headersDelay(500, TimeUnit.MILLISECONDS).build());
        try (TestGateway gw = TestGateway.of(yaml(""));
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var latch = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<HttpResponse<String>>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> {
                    latch.await();
                    return gw.post("/v1/chat/completions", TestGateway.chat("fast", "same"));
                }));
            }
            latch.countDown();
            for (var c : calls) {
                assertThat(TestGateway.json(c.get(10, TimeUnit.SECONDS).body()).at("/choices/0/message/content")
                        .asText()).isEqualTo("shared");
            }
            assertThat(primary.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenProviderThrottleOfOne_whenTwoRequestsArrive_thenTheSecondReachesTheUpstreamOnlyAfterTheFirst()
            throws Exception {
        primary.enqueue(new mockwebserver3.MockResponse.Builder(OpenAiFake.completion("gpt-4o-mini", "first", 1, 1))
                .headersDelay(2, TimeUnit.SECONDS).build());
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "second", 1, 1));
        try (TestGateway gw = TestGateway.of(yaml("throttles:\n  openai: 1\n"));
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> gw.post("/v1/chat/completions", TestGateway.chat("fast", "one")));
            assertThat(primary.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            var second = pool.submit(() -> gw.post("/v1/chat/completions", TestGateway.chat("fast", "two")));

            assertThat(primary.takeRequest(1, TimeUnit.SECONDS)).as("held back by the throttle").isNull();
            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(second.get(10, TimeUnit.SECONDS).body()).at("/choices/0/message/content")
                    .asText()).isEqualTo("second");
        }
    }

    @Test
    void givenProviderThrottleOfOne_whenASecondRequestWaitedForTheSlot_thenTheWaitCountsAgainstItsTimeout()
            throws Exception {
        primary.enqueue(new mockwebserver3.MockResponse.Builder(OpenAiFake.completion("gpt-4o-mini", "first", 1, 1))
                .headersDelay(1500, TimeUnit.MILLISECONDS).build());
        primary.enqueue(new mockwebserver3.MockResponse.Builder(OpenAiFake.completion("gpt-4o-mini", "second", 1, 1))
                .headersDelay(1000, TimeUnit.MILLISECONDS).build());
        try (TestGateway gw = TestGateway.of(yaml("throttles:\n  openai: 1\npipelines:\n  fast:\n    timeout: 2s\n"));
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> gw.post("/v1/chat/completions", TestGateway.chat("fast", "one")));
            assertThat(primary.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            var second = pool.submit(() -> gw.post("/v1/chat/completions", TestGateway.chat("fast", "two")));

            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            // About 1.5 s of its 2 s went on waiting for the slot: 0.5 s is left for an answer that takes 1 s.
            assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
        }
    }

    @Test
    void givenProviderThrottleOfOne_whenAStreamIsStillFlowing_thenTheNextRequestWaitsForItsLastChunk()
            throws Exception {
        // The stream's first chunk comes at once, the rest at 500 bytes a second: it flows for about two seconds.
        primary.enqueue(OpenAiFake.stream("gpt-4o-mini", "slow", "words").newBuilder()
                .throttleBody(500, 1, TimeUnit.SECONDS).build());
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "second", 1, 1));
        try (TestGateway gw = TestGateway.of(yaml("throttles:\n  openai: 1\n"));
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> gw.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"one\"}]}"));
            assertThat(primary.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            var second = pool.submit(() -> gw.post("/v1/chat/completions", TestGateway.chat("fast", "two")));

            assertThat(primary.takeRequest(1, TimeUnit.SECONDS)).as("held back while the stream flows").isNull();
            assertThat(first.get(10, TimeUnit.SECONDS).body()).contains("slow", "words", "data: [DONE]");
            assertThat(TestGateway.json(second.get(10, TimeUnit.SECONDS).body()).at("/choices/0/message/content")
                    .asText()).isEqualTo("second");
        }
    }

    @Test
    void givenProviderDownForEveryCall_whenManyRequestsRetry_thenTheRetryBudgetCapsTheExtraTraffic() {
        primary.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return OpenAiFake.error(500, "server_error", null, "The server had an error");
            }
        });
        String config = yaml("{max_retries: 2, initial_delay: 10ms, budget_ratio: 0.5, budget_min_per_second: 0}",
                "").replace("api_key_env: TEST_KEY\n", "api_key_env: TEST_KEY\n    circuit_breaker: off  # the retry "
                + "budget alone\n");
        try (TestGateway gw = TestGateway.of(config)) {
            for (int i = 0; i < 10; i++) {
                assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q" + i)).statusCode())
                        .isEqualTo(502);
            }
            // Unbudgeted, 10 requests x 3 attempts = 30 calls; retries may be half of the 10 first attempts: 15.
            assertThat(primary.getRequestCount()).isEqualTo(15);
            assertThat(gw.get("/metrics").body())
                    .containsPattern("costwise_retries_refused_total\\{model=\"fast\"\\} [1-9]");
        }
    }
}
