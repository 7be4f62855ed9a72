package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Per-model budgets hold a workflow run ({@code auto}: executors gpt-4o-mini and gpt-4o, orchestrator gpt-4o,
 * validated) as they hold a direct call: each model's budget reserves what that model's calls in the run may
 * cost, and is charged with what they did cost. Every model is OpenAI's, faked by {@link OpenAiFake}; a verdict call
 * (the one with a RUBRIC) passes unless told to fail.
 */
class WorkflowModelBudgetsEndToEndTest {
    private static final String MASTER = "sk-master-test";
    private static final String TASK = "Explain how event sourcing works and give a short example.";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final List<String> called = new ArrayList<>();
    /** Prompt tokens every call reports. */
    private final AtomicInteger promptTokens = new AtomicInteger(1000);
    /** How many of the next verdicts fail. */
    private final AtomicInteger verdictsToFail = new AtomicInteger();
    /** How many of the next answers are an error inside a 200 that reports the usage billed (OpenRouter's way). */
    private final AtomicInteger answersToFail = new AtomicInteger();
    /** How many answers are given before every call fails with OpenAI's 500 (negative: none fails). */
    private final AtomicInteger answersBeforeOutage = new AtomicInteger(-1);

    @BeforeEach
    void fake() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String raw = request.getBody().utf8();
                String model = TestGateway.json(raw).path("model").asText();
                boolean verdict = raw.contains("RUBRIC");
                synchronized (called) {
                    called.add(model + (verdict ? " verdict" : ""));
                }
                if (answersBeforeOutage.get() == 0 || !verdict && answersBeforeOutage.getAndDecrement() == 0) {
                    return OpenAiFake.error(500, "server_error", null, "The server had an error");
                }
                if (!verdict && answersToFail.getAndDecrement() > 0) {
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body("{\"id\":\"gen-1\",\"model\":\"" + model + "\",\"error\":{\"code\":502,"
                                    + "\"message\":\"Provider returned error\"},\"choices\":[],\"usage\":"
                                    + "{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100}}")
                            .build();
                }
                String text = !verdict ? "an answer" : verdictsToFail.getAndDecrement() > 0
                        ? "{\\\"pass\\\": false, \\\"reasons\\\": [\\\"too short\\\"]}"
                        : "{\\\"pass\\\": true, \\\"reasons\\\": []}";
                return OpenAiFake.completion(model, text, verdict ? 300 : promptTokens.get(), verdict ? 20 : 500);
            }
        });
    }

    /** Configured prices: gpt-4o $10/$20, gpt-4o-mini $1/$2 per 1M; $0.50 a day per model. */
    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream) + "/v1";
        return new TestGateway("""
                master_key: ${MASTER}
                defaults: {cache: {enabled: false}}
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s, price: {input: "10", output: "20"}}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                pipelines:
                  auto:
                    workflow: true
                    validate: true
                    routes: [{name: mini, model: gpt-4o-mini}, {name: strong, model: gpt-4o}]
                    default_route: gpt-4o
                budgets:
                  - {name: pm, scope: model, window: day, limit: "0.5", on_exhausted: reject}
                """.formatted(base), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> ask(TestGateway gw, String model, String path) {
        return gw.post(path, """
                {"model": "%s", "max_tokens": 500, "messages": [{"role": "user", "content": "%s"}]}"""
                .formatted(model, TASK), "Authorization", "Bearer " + MASTER);
    }

    @Test
    void givenTheOrchestratorsModelBudgetWithoutRoomForTheVerdicts_whenAWorkflowIsAsked_thenRefusedBeforeAnyCall() {
        try (TestGateway gw = gateway()) {
            // one direct gpt-4o call: 48,000 × $10 + 500 × $20 per 1M = $0.49 of gpt-4o's $0.50
            promptTokens.set(48_000);
            assertThat(ask(gw, "gpt-4o", "/v1/chat/completions").statusCode()).isEqualTo(200);
            promptTokens.set(1000);
            called.clear();
            JsonNode explained = TestGateway.json(ask(gw, "auto", "/v1/route/explain").body());

            HttpResponse<String> res = ask(gw, "auto", "/v1/chat/completions");

            // the executor's own budget has room for the whole run; gpt-4o's has none for a verdict
            assertThat(explained.at("/workflow/executor").asText()).isNotEqualTo("gpt-4o");
            assertThat(res.statusCode()).as(res.body()).isEqualTo(429);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("budget_exceeded");
            assertThat(error.get("message").asText()).contains("budget 'pm'", "the workflow's calls to gpt-4o");
            assertThat(called).isEmpty();
            assertThat(explained.get("model").asText()).isNotEqualTo(explained.at("/workflow/orchestrator").asText());
            assertThat(spentByModel(gw)).isEqualTo(ledgeredByModel(gw));
        }
    }

    @Test
    void givenModelBudgets_whenWorkflowsRunWithAndWithoutAnEscalation_thenEachModelsBudgetCountsItsOwnCalls() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> plain = ask(gw, "auto", "/v1/chat/completions");
            assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
            assertThat(spentByModel(gw)).isEqualTo(ledgeredByModel(gw));

            verdictsToFail.set(2);
            HttpResponse<String> escalated = ask(gw, "auto", "/v1/chat/completions");

            assertThat(escalated.statusCode()).as(escalated.body()).isEqualTo(200);
            assertThat(TestGateway.json(escalated.body()).at("/costwise/escalations").asInt()).isEqualTo(1);
            Map<String, Money> ledgered = ledgeredByModel(gw);
            // gpt-4o-mini answered first; gpt-4o judged twice and answered the escalation
            assertThat(ledgered).containsOnlyKeys("gpt-4o-mini", "gpt-4o");
            assertThat(spentByModel(gw)).isEqualTo(ledgered);
            assertThat(budgets(gw)).allSatisfy(b -> assertThat(b.get("reserved").asText()).isEqualTo("0"));
        }
    }

    @Test
    void givenAnExecutorCallThatFailsAfterItsProviderBilledIt_whenTheWorkflowAnswers_thenItsModelIsChargedForIt() {
        try (TestGateway gw = gateway()) {
            answersToFail.set(1);

            HttpResponse<String> res = ask(gw, "auto", "/v1/chat/completions");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            CostRecord failed = gw.records().stream().filter(r -> r.outcome() == Outcome.FAILED).findFirst()
                    .orElseThrow();
            // the executor's first answer: 1,000 × $1 + 100 × $2 per 1M on gpt-4o-mini
            assertThat(failed.usedModel()).isEqualTo("gpt-4o-mini");
            assertThat(failed.cost()).isEqualTo(Money.of("0.0012"));
            assertThat(spentByModel(gw)).isEqualTo(ledgeredByModel(gw));
            assertThat(budgets(gw)).allSatisfy(b -> assertThat(b.get("reserved").asText()).isEqualTo("0"));
            // the run's cost is what it was billed: the failed call with the calls that answered
            Money ledgered = gw.records().stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
            JsonNode costwise = TestGateway.json(res.body()).get("costwise");
            assertThat(Money.of(costwise.get("cost").asText())).isEqualTo(ledgered);
            assertThat(Money.of(costwise.get("failed_cost").asText())).isEqualTo(Money.of("0.0012"));
            assertThat(Money.of(res.headers().firstValue("x-costwise-cost").orElseThrow())).isEqualTo(ledgered);
        }
    }

    @Test
    void givenAnExecutorCallThatFailsAfterItsProviderBilledIt_whenTheWorkflowStreams_thenItsCostIncludesIt() {
        try (TestGateway gw = gateway()) {
            answersToFail.set(1);

            List<JsonNode> chunks = TestGateway.dataChunks(gw.post("/v1/chat/completions", """
                    {"model": "auto", "max_tokens": 500, "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "%s"}]}""".formatted(TASK),
                    "Authorization", "Bearer " + MASTER).body());

            Money ledgered = gw.records().stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
            assertThat(gw.records()).filteredOn(r -> r.outcome() == Outcome.FAILED).singleElement()
                    .satisfies(r -> assertThat(r.cost()).isEqualTo(Money.of("0.0012")));
            assertThat(Money.of(chunks.getLast().at("/costwise/cost").asText())).isEqualTo(ledgered);
        }
    }

    @Test
    void givenTheExecutorAnsweredThenEveryCallFails_whenTheWorkflowFails_thenItsErrorTellsWhatTheRunWasBilled() {
        try (TestGateway gw = gateway()) {
            answersBeforeOutage.set(1);

            HttpResponse<String> res = ask(gw, "auto", "/v1/chat/completions");

            assertThat(res.statusCode()).as(res.body()).isGreaterThanOrEqualTo(500);
            String requestId = res.headers().firstValue("x-request-id").orElseThrow();
            Money ledgered = gw.records().stream().filter(r -> r.requestId().equals(requestId))
                    .map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
            // the executor's answer was billed: 1,000 × $1 + 500 × $2 per 1M on gpt-4o-mini
            assertThat(ledgered).isGreaterThanOrEqualTo(Money.of("0.002"));
            assertThat(Money.of(res.headers().firstValue("x-costwise-cost").orElseThrow())).isEqualTo(ledgered);
            JsonNode costwise = TestGateway.json(res.body()).get("costwise");
            assertThat(Money.of(costwise.get("cost").asText())).isEqualTo(ledgered);
            assertThat(costwise.get("model_used").asText()).isEqualTo("gpt-4o-mini");
            assertThat(TestGateway.json(res.body()).at("/error/costwise/cost").asText())
                    .isEqualTo(costwise.get("cost").asText());
            assertThat(spentByModel(gw)).isEqualTo(ledgeredByModel(gw));
        }
    }

    private static List<JsonNode> budgets(TestGateway gw) {
        List<JsonNode> out = new ArrayList<>();
        TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer " + MASTER).body()).get("data")
                .forEach(out::add);
        return out;
    }

    /** @return the live spend of each model's budget that counted anything */
    private static Map<String, Money> spentByModel(TestGateway gw) {
        Map<String, Money> out = new HashMap<>();
        for (JsonNode b : budgets(gw)) {
            Money spent = Money.of(b.get("spent").asText());
            if (b.get("name").asText().equals("pm") && spent.isGreaterThan(Money.ZERO)) {
                out.put(b.get("scope_value").asText(), spent);
            }
        }
        return out;
    }

    /** @return what the ledger says each model's calls cost */
    private static Map<String, Money> ledgeredByModel(TestGateway gw) {
        Map<String, Money> out = new HashMap<>();
        for (CostRecord r : gw.records()) {
            if (r.cost().isGreaterThan(Money.ZERO)) {
                out.merge(r.usedModel(), r.cost(), Money::plus);
            }
        }
        return out;
    }
}
