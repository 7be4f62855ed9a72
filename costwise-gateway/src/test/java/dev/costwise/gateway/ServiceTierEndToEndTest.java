package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's service tiers through the gateway (https://platform.openai.com/docs/api-reference/chat/create,
 * {@code service_tier}; https://platform.openai.com/docs/guides/flex-processing;
 * https://openai.com/api-priority-processing):
 * the tier an answer reports is the one billed, a budget is held at the tier asked for, a model configured with
 * {@code service_tier: flex} is a half-price deployment that falls back to the standard one, and providers without
 * the tiers never see the field. Upstreams are MockWebServers speaking OpenAI's and Groq's chat API, and Gemini's
 * generateContent with its {@code x-gemini-service-tier} header (https://ai.google.dev/gemini-api/docs/flex-inference,
 * https://ai.google.dev/gemini-api/docs/priority-inference).
 */
class ServiceTierEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: o3
                    provider: openai
                    model: o3
                    base_url: %1$s/v1
                  - name: o3-flex
                    provider: openai
                    model: o3
                    base_url: %1$s/v1
                    service_tier: flex
                  - name: llama
                    provider: groq
                    model: llama-3.3-70b-versatile
                    base_url: %1$s/openai/v1
                    api_key: gsk-test
                    price: {input: "0.59", output: "0.79"}
                pipelines:
                  o3-flex:
                    fallbacks: [o3]
                    retry: {max_retries: 0}
                  o3:
                    fallbacks: [llama]
                    retry: {max_retries: 0}
                """.formatted(base), Map.of("MASTER", MASTER));
    }

    /** An o3 answer: 10,000 prompt tokens (4,000 of them cached), 2,000 completion tokens, served on {@code tier}. */
    private static MockResponse o3Answer(String tier) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "chatcmpl-t", "object": "chat.completion", "created": 1741569952, "model": "o3-2025-04-16",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "done"},
                              "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 10000, "completion_tokens": 2000, "total_tokens": 12000,
                           "prompt_tokens_details": {"cached_tokens": 4000},
                           "completion_tokens_details": {"reasoning_tokens": 1200}},
                 "service_tier": "%s"}""".formatted(tier)).build();
    }

    private static HttpResponse<String> chat(TestGateway gw, String model, String extra) {
        return gw.post("/v1/chat/completions", "{\"model\": \"" + model + "\"" + extra
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tag these 500 tickets\"}]}",
                "Authorization", "Bearer " + MASTER);
    }

    private JsonNode sentUpstream() throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }

    @Test
    void givenAFlexRequest_whenOpenAiServesItOnFlex_thenTheCallerIsBilledHalfTheStandardPrice() throws Exception {
        upstream.enqueue(o3Answer("flex"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, "o3", ", \"service_tier\": \"flex\"");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sentUpstream().path("service_tier").asText()).isEqualTo("flex");
            assertThat(TestGateway.json(res.body()).path("service_tier").asText()).isEqualTo("flex");
            // o3 flex: 6,000 × $1 + 4,000 × $0.25 + 2,000 × $4 per 1M = $0.015 (standard: $0.03)
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.015");
            JsonNode spend = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer " + MASTER).body());
            assertThat(spend.at("/by_model/o3/cost").asText()).isEqualTo("0.015");
        }
    }

    @Test
    void givenNoTierAsked_whenTheAccountServesItOnPriority_thenThePriorityPriceIsBilled() throws Exception {
        upstream.enqueue(o3Answer("priority"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, "o3", "");

            assertThat(sentUpstream().has("service_tier")).isFalse();
            // o3 priority: 6,000 × $3.50 + 4,000 × $0.875 + 2,000 × $14 per 1M = $0.0525
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.0525");
        }
    }

    @Test
    void givenAStreamedAnswerOnFlex_whenItEnds_thenTheFinalUsageChunkAndTheLedgerCarryTheFlexCost() {
        String head = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o3\","
                + "\"service_tier\":\"flex\",\"choices\":";
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(
                "data: " + head + "[{\"index\":0,\"delta\":{\"content\":\"done\"},\"finish_reason\":\"stop\"}]}\n\n"
                        + "data: " + head + "[],\"usage\":{\"prompt_tokens\":10000,\"completion_tokens\":2000,"
                        + "\"total_tokens\":12000,\"prompt_tokens_details\":{\"cached_tokens\":4000}}}\n\n"
                        + "data: [DONE]\n\n").build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, "o3", ", \"stream\": true, \"stream_options\": "
                    + "{\"include_usage\": true}, "
                    + "\"service_tier\": \"flex\"");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("\"costwise\":{\"cost\":\"0.015\"");
            JsonNode spend = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer " + MASTER).body());
            assertThat(spend.at("/by_model/o3/cost").asText()).isEqualTo("0.015");
        }
    }

    @Test
    void givenAFlexDeployment_whenFlexIsOutOfCapacity_thenTheStandardDeploymentAnswersWithoutTheTier()
            throws Exception {
        // flex processing answers 429 when it has no capacity, and does not bill the call
        upstream.enqueue(OpenAiFake.error(429, "rate_limit_exceeded", "resource_unavailable",
                "Resource unavailable for flex processing, please retry later"));
        upstream.enqueue(o3Answer("default"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, "o3-flex", "");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("o3");
            assertThat(sentUpstream().path("service_tier").asText()).as("the flex deployment").isEqualTo("flex");
            assertThat(sentUpstream().has("service_tier")).as("the standard one").isFalse();
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.03");
        }
    }

    @Test
    void givenAFlexDeploymentThatAnswersOnFlex_whenLedgered_thenItsSavingIsTheStandardPriceLessTheFlexOne() {
        upstream.enqueue(o3Answer("flex"));
        upstream.enqueue(o3Answer("flex"));
        try (TestGateway gw = gateway()) {
            assertThat(chat(gw, "o3-flex", "").headers().firstValue("x-costwise-cost")).hasValue("0.015");
            // a caller that asks for flex itself saved nothing through the gateway: its baseline is flex too
            assertThat(chat(gw, "o3", ", \"service_tier\": \"flex\"").headers().firstValue("x-costwise-cost"))
                    .hasValue("0.015");

            JsonNode spend = TestGateway.json(gw.get("/v1/spend?group_by=service_tier", "Authorization",
                    "Bearer " + MASTER).body());
            assertThat(spend.at("/by_service_tier/flex/cost").asText()).isEqualTo("0.03");
            assertThat(spend.at("/by_service_tier/flex/requests").asLong()).isEqualTo(2);
            assertThat(spend.at("/by_model/o3-flex/baseline_cost").asText()).isEqualTo("0.03");
            assertThat(spend.at("/by_model/o3-flex/savings").asText()).isEqualTo("0.015");
            assertThat(spend.at("/by_model/o3/savings").asText()).isEqualTo("0");
        }
    }

    /** A gateway whose {@code batch} pipeline is a workflow with {@code executor} as its one route. */
    private TestGateway workflowGateway(String executor) {
        String base = TestGateway.baseUrl(upstream);
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: o3, provider: openai, model: o3, base_url: %1$s/v1}
                  - {name: o3-flex, provider: openai, model: o3, base_url: %1$s/v1, service_tier: flex}
                pipelines:
                  batch:
                    workflow: true
                    routes: [{name: executor, model: %2$s}]
                    default_route: o3
                """.formatted(base, executor), Map.of("MASTER", MASTER));
    }

    @Test
    void givenAFlexDeploymentAsTheWorkflowsExecutor_whenItAnswers_thenItAskedForFlexAndIsBilledAtFlex()
            throws Exception {
        upstream.enqueue(o3Answer("flex"));
        try (TestGateway gw = workflowGateway("o3-flex")) {
            HttpResponse<String> res = chat(gw, "batch", "");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sentUpstream().path("service_tier").asText()).isEqualTo("flex");
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.015");
        }
    }

    @Test
    void givenACallerAskingForFlex_whenAWorkflowAnswers_thenItsExecutorAskedForFlexAndIsBilledAtFlex()
            throws Exception {
        upstream.enqueue(o3Answer("flex"));
        try (TestGateway gw = workflowGateway("o3")) {
            HttpResponse<String> res = chat(gw, "batch", ", \"service_tier\": \"flex\", \"top_k\": 5");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode sent = sentUpstream();
            assertThat(sent.path("service_tier").asText()).isEqualTo("flex");
            assertThat(sent.has("top_k")).as("OpenAI refuses top_k").isFalse();
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.015");
        }
    }

    @Test
    void givenTheSimulator_whenAFlexStreamEnds_thenItsUsageChunkNamesTheTierAndCostsHalf() {
        try (TestGateway gw = new TestGateway("models: [{name: o4-mini, provider: sim}]", Map.of())) {
            String ask = "{\"model\": \"o4-mini\", \"max_completion_tokens\": 20, \"stream\": true, "
                    + "\"stream_options\": {\"include_usage\": true}, %s\"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"Summarise the backlog\"}]}";
            JsonNode flex = usageChunk(gw.post("/v1/chat/completions", ask.formatted("\"service_tier\": \"flex\", "),
                    "Cache-Control", "no-store").body());
            JsonNode standard = usageChunk(gw.post("/v1/chat/completions", ask.formatted(""), "Cache-Control",
                    "no-store").body());

            assertThat(flex.path("service_tier").asText()).isEqualTo("flex");
            assertThat(standard.has("service_tier")).isFalse();
            assertThat(flex.at("/usage/completion_tokens").asLong()).isEqualTo(20);
            assertThat(Money.of(flex.at("/costwise/cost").asText()).times(2))
                    .isEqualTo(Money.of(standard.at("/costwise/cost").asText()));
        }
    }

    private static JsonNode usageChunk(String sse) {
        return sse.lines().filter(l -> l.startsWith("data: {") && l.contains("\"usage\":{"))
                .map(l -> TestGateway.json(l.substring("data: ".length()))).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void givenAModelPricedInTheConfigWithItsFlexPrices_whenAnswerIsOnFlex_thenTheConfiguredFlexPricesBill() {
        upstream.enqueue(o3Answer("flex"));
        String base = TestGateway.baseUrl(upstream);
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - name: negotiated
                    provider: openai
                    model: o3
                    base_url: %s/v1
                    price: {input: "1.60", cached_input: "0.40", output: "6.40",
                            flex: {input: "0.80", cached_input: "0.20", output: "3.20"}}
                """.formatted(base), Map.of("MASTER", MASTER))) {
            HttpResponse<String> res = chat(gw, "negotiated", ", \"service_tier\": \"flex\"");

            // 6,000 × $0.80 + 4,000 × $0.20 + 2,000 × $3.20 per 1M = 4,800 + 800 + 6,400 = $0.012
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.012");
        }
        assertThatThrownBy(() -> new TestGateway("""
                models:
                  - {name: m, provider: openai, model: o3, price: {input: "1", output: "2", flex: {input: "0.5"},
                     priority: {input: "2", output: "4", ouput: "4"}}}
                """, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("models[0].price.flex.output: is required")
                .hasMessageContaining("models[0].price.priority.ouput: unknown field");
    }

    @Test
    void givenACallersTier_whenTheFallbackIsAProviderWithoutTiers_thenItGetsTheRequestWithoutIt() throws Exception {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        upstream.enqueue(OpenAiFake.completion("llama-3.3-70b-versatile", "done", 20, 3));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, "o3", ", \"service_tier\": \"priority\"");

            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("llama");
            assertThat(sentUpstream().path("service_tier").asText()).isEqualTo("priority");
            // Groq refuses OpenAI's tier names
            assertThat(sentUpstream().has("service_tier")).isFalse();
        }
    }

    @Test
    void givenATierAsked_whenTheRouteIsExplained_thenTheWorstCaseIsHeldAtThatTiersPrices() {
        try (TestGateway gw = gateway()) {
            Money standard = worstCase(gw, "o3", "");
            Money priority = worstCase(gw, "o3", ", \"service_tier\": \"priority\"");
            Money flex = worstCase(gw, "o3", ", \"service_tier\": \"flex\"");

            // o3's priority prices are 1.75× its standard ones, input and output alike; flex halves both
            assertThat(priority).isEqualTo(standard.times(new java.math.BigDecimal("1.75")));
            assertThat(flex.times(2)).isEqualTo(standard);
            assertThat(worstCase(gw, "o3-flex", ", \"service_tier\": \"priority\"")).as("the model's tier wins")
                    .isEqualTo(flex);
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    /** A Gemini answer: 10,000 prompt tokens (8,000 cached), 500 candidates and 1,500 thought tokens. */
    private static MockResponse geminiAnswer(String servedTier) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json; charset=UTF-8")
                .addHeader("x-gemini-service-tier", servedTier).body("""
                {"candidates": [{"content": {"parts": [{"text": "done"}], "role": "model"}, "finishReason": "STOP",
                                 "index": 0}],
                 "usageMetadata": {"promptTokenCount": 10000, "candidatesTokenCount": 500, "totalTokenCount": 12000,
                                   "cachedContentTokenCount": 8000, "thoughtsTokenCount": 1500},
                 "modelVersion": "gemini-2.5-flash", "responseId": "g-1"}""").build();
    }

    @Test
    void givenAGeminiFlexDeployment_whenGeminiServesItOnFlex_thenItAskedForFlexAndIsBilledAtHalfPrice()
            throws Exception {
        upstream.enqueue(geminiAnswer("flex"));
        upstream.enqueue(geminiAnswer("standard"));
        String base = TestGateway.baseUrl(upstream);
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test}
                  - {name: flash-flex, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test,
                     service_tier: flex}
                """.formatted(base), Map.of("MASTER", MASTER))) {
            HttpResponse<String> flex = chat(gw, "flash-flex", "");
            JsonNode flexSent = sentUpstream();
            HttpResponse<String> priority = chat(gw, "flash", ", \"service_tier\": \"priority\"");

            assertThat(flex.statusCode()).as(flex.body()).isEqualTo(200);
            assertThat(flexSent.path("service_tier").asText()).isEqualTo("flex");
            assertThat(TestGateway.json(flex.body()).path("service_tier").asText()).isEqualTo("flex");
            // gemini-2.5-flash flex: 2,000 × $0.15 + 8,000 × $0.015 + 2,000 × $1.25 per 1M = $0.00292
            assertThat(flex.headers().firstValue("x-costwise-cost")).hasValue("0.00292");
            assertThat(sentUpstream().path("service_tier").asText()).isEqualTo("priority");
            // over its priority limit, Gemini served it on standard: $0.30, $0.03, $2.50 per 1M
            assertThat(priority.headers().firstValue("x-costwise-cost")).hasValue("0.00584");
            JsonNode spend = TestGateway.json(gw.get("/v1/spend?group_by=service_tier", "Authorization",
                    "Bearer " + MASTER).body());
            assertThat(spend.at("/by_service_tier/flex/cost").asText()).isEqualTo("0.00292");
            assertThat(spend.at("/by_service_tier/default/cost").asText()).isEqualTo("0.00584");
        }
    }

    @Test
    void givenAnAccountThatServesUnnamedTiersOnPriority_whenTheNextRequestNamesNone_thenItIsHeldAtPriority() {
        upstream.enqueue(o3Answer("priority"));
        upstream.enqueue(o3Answer("default"));
        try (TestGateway gw = gateway()) {
            Money standard = worstCase(gw, "o3", "");

            chat(gw, "o3", ""); // the project's default tier is priority
            Money afterPriority = worstCase(gw, "o3", "");
            Money askedFlex = worstCase(gw, "o3", ", \"service_tier\": \"flex\"");
            chat(gw, "o3", ", \"temperature\": 0.5"); // not a cache hit: served on the standard tier again
            Money afterDefault = worstCase(gw, "o3", "");

            assertThat(afterPriority).isEqualTo(standard.times(new java.math.BigDecimal("1.75")));
            assertThat(askedFlex.times(2)).as("a tier asked for is held as asked").isEqualTo(standard);
            assertThat(afterDefault).isEqualTo(standard);
        }
    }

    @Test
    void givenAnUnknownTier_whenSent_thenA400NamesTheFieldAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = chat(gw, "o3", ", \"service_tier\": \"cheapest\"");

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("param").asText()).isEqualTo("service_tier");
            assertThat(error.path("message").asText()).contains("'cheapest'", "auto, default, flex, priority or scale");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenATierOnAProviderWithoutTiers_whenTheConfigIsLoaded_thenTheStartFailsNamingThePath() {
        assertThatThrownBy(() -> new TestGateway("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, api_key: k, service_tier: flex}
                  - {name: mini, provider: openai, model: gpt-4o-mini, service_tier: cheap}
                """, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "models[0].service_tier: applies to openai, openai-compatible and gemini models only")
                .hasMessageContaining("models[1].service_tier: expected default, flex or priority, was 'cheap'");
    }

    private static Money worstCase(TestGateway gw, String model, String extra) {
        HttpResponse<String> res = gw.post("/v1/route/explain", "{\"model\": \"" + model + "\", \"max_tokens\": 1000"
                + extra + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tag these 500 tickets\"}]}",
                "Authorization", "Bearer " + MASTER);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return Money.of(TestGateway.json(res.body()).get("estimated_max_cost").asText());
    }
}
