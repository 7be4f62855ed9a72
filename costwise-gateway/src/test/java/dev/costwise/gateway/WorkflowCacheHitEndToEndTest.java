package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cached workflow answer ({@code auto}: executors gpt-4o-mini and gpt-4.1-nano, orchestrator gpt-4o, baseline
 * gpt-4.1 at $5/$20 per 1M) is free when it is hit, says so in its body too, and saves what the answer would have cost
 * on the baseline, as the run that filled the cache did; a streamed run fills the cache as a non-streamed one does.
 * Every model is OpenAI's, faked by {@link OpenAiFake}: each call reports 1,000 prompt and 500 completion tokens;
 * gpt-4o passes every verdict.
 */
class WorkflowCacheHitEndToEndTest {
    private static final String MASTER = "sk-master-test";
    /** The answer on gpt-4.1: 1,000 × $5 + 500 × $20 per 1M. */
    private static final String BASELINE = "0.015";
    /** The body fields of a streamed request that asks for the usage chunk. */
    private static final String STREAMED = "\"stream\": true, \"stream_options\": {\"include_usage\": true},";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void fake() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                calls.incrementAndGet();
                String model = TestGateway.json(request.getBody().utf8()).path("model").asText();
                return OpenAiFake.completion(model, model.equals("gpt-4o") ? "{\\\"pass\\\": true, \\\"reasons\\\": []}"
                        : "an answer", 1000, 500);
            }
        });
    }

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream) + "/v1";
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s, price: {input: "10", output: "20"}}
                  - {name: gpt-4.1, provider: openai, base_url: %1$s, price: {input: "5", output: "20"}}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                  - {name: gpt-4.1-nano, provider: openai, base_url: %1$s, price: {input: "3", output: "3"}}
                pipelines:
                  auto:
                    workflow: true
                    validate: true
                    baseline: gpt-4.1
                    cache: {enabled: true}
                    routes: [{name: mini, model: gpt-4o-mini}, {name: nano, model: gpt-4.1-nano}]
                    default_route: gpt-4o
                """.formatted(base), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> send(TestGateway gw, String extra) {
        return gw.post("/v1/chat/completions", """
                {"model": "auto", "max_tokens": 500, %s
                 "messages": [{"role": "user", "content": "Analyze the trade-offs of event sourcing for a bank"}]}"""
                .formatted(extra), "Authorization", "Bearer " + MASTER);
    }

    @Test
    void givenACachedWorkflowAnswer_whenHit_thenItsBodyAndTheSpendSayItCostNothingAndSavedTheBaseline() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> miss = send(gw, "");
            int callsToFill = calls.get();

            HttpResponse<String> hit = send(gw, "");

            assertThat(hit.statusCode()).as(hit.body()).isEqualTo(200);
            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(calls.get()).isEqualTo(callsToFill);
            JsonNode filled = TestGateway.json(miss.body()).get("costwise");
            assertThat(filled.get("baseline_cost").asText()).isEqualTo(BASELINE);
            JsonNode costwise = TestGateway.json(hit.body()).get("costwise");
            assertThat(hit.headers().firstValue("x-costwise-cost")).hasValue("0");
            assertThat(costwise.get("cost").asText()).isEqualTo("0");
            assertThat(costwise.get("orchestrator_cost").asText()).isEqualTo("0");
            assertThat(costwise.get("executor_cost").asText()).isEqualTo("0");
            assertThat(costwise.get("baseline_cost").asText()).isEqualTo(BASELINE);
            assertThat(costwise.get("savings").asText()).isEqualTo(BASELINE);
            assertThat(TestGateway.json(hit.body()).at("/choices/0/message/content").asText())
                    .isEqualTo(TestGateway.json(miss.body()).at("/choices/0/message/content").asText());
            JsonNode total = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer " + MASTER).body())
                    .get("total");
            assertThat(total.get("cost").asText()).isEqualTo(filled.get("cost").asText());
            assertThat(total.get("baseline_cost").asText())
                    .isEqualTo(Money.of(BASELINE).plus(Money.of(BASELINE)).toString());
            assertThat(total.get("savings").asText())
                    .isEqualTo(Money.of(filled.get("savings").asText()).plus(Money.of(BASELINE)).toString());
        }
    }

    /** The text of a chat completion stream: its chunks' content deltas, joined. */
    private static String streamedText(String sse) {
        StringBuilder text = new StringBuilder();
        TestGateway.dataChunks(sse).forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        return text.toString();
    }

    @Test
    void givenAStreamedWorkflowMiss_whenTheSameRequestComesAgain_thenItIsAHitStreamedOrNotAndCallsNothing() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> miss = send(gw, STREAMED);
            int callsToFill = calls.get();
            int rowsToFill = gw.records().size();
            JsonNode filled = TestGateway.dataChunks(miss.body()).getLast().get("costwise");

            HttpResponse<String> hit = send(gw, "");
            HttpResponse<String> streamedHit = send(gw, STREAMED);

            assertThat(miss.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(callsToFill).as("the run's calls").isGreaterThan(0);
            assertThat(calls.get()).as("upstream calls after the miss").isEqualTo(callsToFill);
            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(streamedHit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(TestGateway.json(hit.body()).at("/choices/0/message/content").asText())
                    .isEqualTo(streamedText(miss.body())).isEqualTo(streamedText(streamedHit.body()));
            assertThat(TestGateway.json(hit.body()).at("/costwise/savings").asText()).isEqualTo(BASELINE);
            assertThat(TestGateway.dataChunks(streamedHit.body()).getLast().at("/costwise/savings").asText())
                    .isEqualTo(BASELINE);
            // each hit is one free ledger row that saved the baseline
            assertThat(gw.records().subList(rowsToFill, gw.records().size())).hasSize(2).allSatisfy(row -> {
                assertThat(row.outcome()).isEqualTo(Outcome.CACHE_HIT);
                assertThat(row.cost()).isEqualTo(Money.ZERO);
                assertThat(row.baselineCost()).isEqualTo(Money.of(BASELINE));
            });
            JsonNode total = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer " + MASTER).body())
                    .get("total");
            assertThat(total.get("cost").asText()).isEqualTo(filled.get("cost").asText());
        }
    }

    /** A stream's {@code costwise} object without where its answer came from, which only a stream's has. */
    private static JsonNode runFieldsOf(JsonNode costwise) {
        return ((ObjectNode) costwise.deepCopy()).remove(List.of("cache", "model_used", "route"));
    }

    @Test
    void givenAStreamedWorkflowRunAndItsHit_whenTheirUsageChunksArrive_thenEachHasTheWholeAnswersFields() {
        try (TestGateway whole = gateway(); TestGateway streamed = gateway()) {
            JsonNode run = TestGateway.json(send(whole, "").body()).get("costwise");
            JsonNode hit = TestGateway.json(send(whole, "").body()).get("costwise");

            HttpResponse<String> streamedRun = send(streamed, STREAMED);
            HttpResponse<String> streamedHit = send(streamed, STREAMED);

            JsonNode runChunk = TestGateway.dataChunks(streamedRun.body()).getLast().get("costwise");
            JsonNode hitChunk = TestGateway.dataChunks(streamedHit.body()).getLast().get("costwise");
            assertThat(run.fieldNames()).toIterable().containsExactly("cost", "orchestrator_cost", "executor_cost",
                    "failed_cost", "baseline_cost", "savings", "complexity", "escalations", "validation");
            assertThat(runFieldsOf(runChunk)).isEqualTo(run);
            assertThat(runFieldsOf(hitChunk)).isEqualTo(hit);
            assertThat(runChunk.get("baseline_cost").asText()).isEqualTo(BASELINE);
            assertThat(hitChunk.get("orchestrator_cost").asText()).isEqualTo("0");
            assertThat(runChunk.get("cache").asText()).isEqualTo("miss");
            assertThat(hitChunk.get("cache").asText()).isEqualTo("hit");
            assertThat(runChunk.get("route").asText()).startsWith("workflow:");
        }
    }

    @Test
    void givenACachedWorkflowAnswer_whenHitStreamed_thenTheUsageChunkSaysItCostNothingAndSavedTheBaseline() {
        try (TestGateway gw = gateway()) {
            send(gw, "");

            HttpResponse<String> hit = send(gw, STREAMED);

            assertThat(hit.statusCode()).as(hit.body()).isEqualTo(200);
            List<JsonNode> chunks = hit.body().lines().filter(l -> l.startsWith("data: {"))
                    .map(l -> TestGateway.json(l.substring("data: ".length()))).toList();
            JsonNode costwise = chunks.getLast().get("costwise");
            assertThat(costwise.get("cache").asText()).isEqualTo("hit");
            assertThat(costwise.get("cost").asText()).isEqualTo("0");
            assertThat(costwise.get("savings").asText()).isEqualTo(BASELINE);
        }
    }
}
