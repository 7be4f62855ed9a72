package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A validated workflow ({@code auto}: executors gpt-4o-mini and gpt-4.1-nano, orchestrator gpt-4o) holds its budget
 * for every call it may make, the orchestrator's verdicts and an escalation included, and bills every call at the
 * configured prices alike in the response, the budget and the ledger. Every model is OpenAI's, faked by
 * {@link OpenAiFake}: each call reports 1,000 prompt and 500 completion tokens; gpt-4o passes every verdict.
 */
class WorkflowBudgetsAndPricesEndToEndTest {
    private static final String MASTER = "sk-master-test";
    private static final String TASK = "Analyze the trade-offs of event sourcing for a bank ledger, compare it with"
            + " CRUD and recommend";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final List<JsonNode> sent = new ArrayList<>();

    @BeforeEach
    void fake() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                JsonNode body = TestGateway.json(request.getBody().utf8());
                synchronized (sent) {
                    sent.add(body);
                }
                String model = body.path("model").asText();
                return OpenAiFake.completion(model, model.equals("gpt-4o") ? "{\\\"pass\\\": true, \\\"reasons\\\": []}"
                        : "an answer", 1000, 500);
            }
        });
    }

    /** Configured prices, none the catalog's: gpt-4o $10/$20, gpt-4o-mini $1/$2, gpt-4.1-nano $3/$3 per 1M. */
    private TestGateway gateway(String budgetLimit) {
        String base = TestGateway.baseUrl(upstream) + "/v1";
        return new TestGateway("""
                master_key: ${MASTER}
                defaults: {cache: {enabled: false}}
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s, price: {input: "10", output: "20"}}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                  - {name: gpt-4.1-nano, provider: openai, base_url: %1$s, price: {input: "3", output: "3"}}
                pipelines:
                  auto:
                    workflow: true
                    validate: true
                    routes: [{name: mini, model: gpt-4o-mini}, {name: nano, model: gpt-4.1-nano}]
                    default_route: gpt-4o
                budgets:
                  - {name: g, scope: global, window: day, limit: "%2$s", on_exhausted: reject}
                """.formatted(base, budgetLimit), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> send(TestGateway gw, String path) {
        return gw.post(path, ask(), "Authorization", "Bearer " + MASTER);
    }

    private static String ask() {
        return """
                {"model": "auto", "max_tokens": 500, "messages": [{"role": "user", "content": "%s"}]}"""
                .formatted(TASK);
    }

    @Test
    void givenAHardBudgetBelowTheWorkflowsWorstCase_whenAsked_thenRefusedBeforeAnyCallWithTheWorstCaseExplainShows() {
        try (TestGateway gw = gateway("0.002")) {
            JsonNode explained = TestGateway.json(send(gw, "/v1/route/explain").body());

            HttpResponse<String> res = send(gw, "/v1/chat/completions");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(429);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("budget_exceeded");
            // the executor alone could answer within $0.002 (at most 500 output tokens at $3); the verdicts cannot
            assertThat(Money.of(error.get("worst_case").asText()).isGreaterThan(Money.of("0.01"))).isTrue();
            assertThat(error.get("worst_case").asText()).isEqualTo(explained.get("estimated_max_cost").asText());
            assertThat(sent).isEmpty();
        }
    }

    @Test
    void givenRoomForTheWorstCase_whenTheWorkflowValidates_thenTheVerdictCallIsCappedAndCostsAgreeEverywhere() {
        try (TestGateway gw = gateway("10")) {
            HttpResponse<String> res = send(gw, "/v1/chat/completions");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode verdictCall = sent.stream().filter(b -> b.path("model").asText().equals("gpt-4o")).findFirst()
                    .orElseThrow();
            assertThat(verdictCall.path("max_completion_tokens").asInt()).isEqualTo(1024);
            JsonNode costwise = TestGateway.json(res.body()).get("costwise");
            // gpt-4o at the configured price: 1,000 × $10 + 500 × $20 per 1M
            assertThat(costwise.get("orchestrator_cost").asText()).isEqualTo("0.02");
            Money ledgered = gw.records().stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
            assertThat(res.headers().firstValue("x-costwise-cost").orElseThrow()).isEqualTo(ledgered.toString());
            assertThat(costwise.get("cost").asText()).isEqualTo(ledgered.toString());
            JsonNode budget = TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer " + MASTER).body())
                    .at("/data/0");
            assertThat(budget.get("spent").asText()).isEqualTo(ledgered.toString());
            assertThat(budget.get("reserved").asText()).isEqualTo("0");
        }
    }

    @Test
    void givenAWorkflowPipeline_whenExplained_thenItNamesTheWorkflowAndTheExecutorTheRequestThenUses() {
        try (TestGateway gw = gateway("10")) {
            JsonNode explained = TestGateway.json(send(gw, "/v1/route/explain").body());

            HttpResponse<String> res = send(gw, "/v1/chat/completions");

            assertThat(explained.get("route").asText()).isEqualTo(res.headers().firstValue("x-costwise-route")
                    .orElseThrow());
            assertThat(explained.at("/workflow/executor").asText()).isEqualTo(explained.get("model").asText())
                    .isEqualTo(res.headers().firstValue("x-costwise-model-used").orElseThrow());
            assertThat(explained.at("/workflow/orchestrator").asText()).isEqualTo("gpt-4o");
            assertThat(explained.at("/workflow/validated").asBoolean()).isTrue();
            assertThat(explained.at("/classification/complexity").asText())
                    .isEqualTo(TestGateway.json(res.body()).at("/costwise/complexity").asText());
        }
    }

    @Test
    void givenAWorkflowOnModelsTheCatalogDoesNotKnow_whenLoaded_thenAConfigProblemNamesEachPath() {
        String yaml = """
                models:
                  - {name: big, provider: openai-compatible, model: up-big, base_url: http://x/v1,
                     price: {input: "1", output: "1"}}
                  - {name: small, provider: openai-compatible, model: up-small, base_url: http://x/v1,
                     price: {input: "1", output: "1"}}
                  - {name: gpt-4o-mini, provider: openai-compatible, model: up-mini, base_url: http://x/v1,
                     price: {input: "1", output: "1"}}
                pipelines:
                  auto:
                    workflow: true
                    routes: [{name: a, model: small}, {name: b, model: gpt-4o-mini}]
                    default_route: big
                """;

        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "test.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "pipelines.auto.routes[0].model: the multi-model workflow ranks its models by the catalog's "
                                + "tiers, and the catalog knows neither the name 'small' nor the upstream id "
                                + "'up-small': name the model after a catalog model (costwise models)",
                        "pipelines.auto.default_route: the multi-model workflow ranks its models by the catalog's "
                                + "tiers, and the catalog knows neither the name 'big' nor the upstream id "
                                + "'up-big': name the model after a catalog model (costwise models)"));
    }
}
