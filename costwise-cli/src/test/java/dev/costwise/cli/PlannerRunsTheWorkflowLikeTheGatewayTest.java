package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.gateway.Gateway;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.planner.Planner;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.replay.ReplayOptions;
import dev.costwise.planner.replay.ReplayResult;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner replaying a gateway configuration whose {@code auto} pipeline runs the multi-model workflow predicts what
 * the gateway bills for the same requests on the {@code sim} provider: the same routes ({@code workflow:<complexity>}),
 * the same total, and the same orchestrator and executor costs apart. Both modules are on this module's class path: a
 * real gateway answers, and the planner replays a trace of the same requests.
 *
 * <p>Each request sets {@code max_tokens: 60}, below the sim's shortest answer, so every executor answers 60 tokens at
 * the gateway, and the trace records that answer and the prompt as gpt-4o counts it (the executors share its
 * tokenizer). The orchestrator's verdicts are the sim's at both ends: never a readable pass, so every validated answer
 * escalates once when a stronger executor exists.
 */
class PlannerRunsTheWorkflowLikeTheGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final String CONFIG = """
            defaults: {cache: {enabled: false}}
            models:
              - {name: gpt-4o, provider: sim}
              - {name: gpt-4o-mini, provider: sim}
              - {name: gpt-4.1-mini, provider: sim}
              - {name: gpt-4.1, provider: sim}
            pipelines:
              auto:
                workflow: true
                validate: true
                routes:
                  - {name: cheap, model: gpt-4o-mini}
                  - {name: mid, model: gpt-4.1-mini}
                  - {name: strong, model: gpt-4.1}
                default_route: gpt-4o
            """;

    /** A simple question, an analysis (complex), an explanation and a recommendation with a system message. */
    private static final List<String> MESSAGES = List.of(
            "{\"role\": \"user\", \"content\": \"What are your opening hours?\"}",
            "{\"role\": \"user\", \"content\": \"Analyze the trade-offs between event sourcing and CRUD for a bank"
                    + " ledger, compare consistency, auditability and cost, and recommend one with reasons\"}",
            "{\"role\": \"user\", \"content\": \"Explain step by step how a hash map handles collisions\"}",
            "{\"role\": \"system\", \"content\": \"You are a concise assistant.\"}, {\"role\": \"user\", \"content\":"
                    + " \"List the pros and cons of remote work for a small startup and recommend a policy\"}");

    private static String body(String model, String messages, int maxTokens) {
        return "{\"model\": \"" + model + "\", \"max_tokens\": " + maxTokens + ", \"messages\": [" + messages
                + "]}";
    }

    /**
     * What the gateway answered and billed.
     *
     * @param models the model that answered each request ({@code x-costwise-model-used})
     * @param routes each one's {@code x-costwise-route}
     * @param cost every request's {@code x-costwise-cost}, added up
     * @param orchestrator the workflow answers' {@code costwise.orchestrator_cost}, added up
     * @param executor their {@code costwise.executor_cost}, added up
     * @param escalations their {@code costwise.escalations}, added up
     * @param answers the tokens each request's first executor call was billed for (prompt, completion), as the
     *     gateway's ledger records them: what a log of the requests would record as their usage
     */
    private record Billed(List<String> models, List<String> routes, BigDecimal cost, BigDecimal orchestrator,
            BigDecimal executor, int escalations, List<long[]> answers) {}

    /** Sends every request, with {@code max_tokens: 60}, to a real gateway running {@code yaml} on the sim provider. */
    private static Billed atTheGateway(String yaml) throws Exception {
        return atTheGateway(yaml, 60);
    }

    /** Sends every request to a real gateway running {@code yaml} on the sim provider. */
    private static Billed atTheGateway(String yaml, int maxTokens) throws Exception {
        GatewayConfig parsed = new ConfigLoader(name -> null).parse(yaml, "gw.yaml");
        GatewayConfig config = parsed.withServer(parsed.server().withAddress("127.0.0.1", 0));
        List<String> models = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal orchestrator = BigDecimal.ZERO;
        BigDecimal executor = BigDecimal.ZERO;
        int escalations = 0;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        MemorySpendLedger ledger = new MemorySpendLedger();
        try (Gateway gateway = Gateway.builder(config).ledger(ledger)
                .keys(new InMemoryVirtualKeyStore(Clock.systemUTC())).sleeper(duration -> { }).build().start()) {
            for (String messages : MESSAGES) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + gateway.port() + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body("auto", messages, maxTokens))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                models.add(res.headers().firstValue("x-costwise-model-used").orElseThrow());
                routes.add(res.headers().firstValue("x-costwise-route").orElseThrow());
                BigDecimal billed = new BigDecimal(res.headers().firstValue("x-costwise-cost").orElseThrow());
                cost = cost.add(billed);
                // a workflow's answer splits its cost (dollars as text, exact); a downgraded request has no split
                JsonNode costwise = JSON.readTree(res.body()).path("costwise");
                if (costwise.isMissingNode()) {
                    continue;
                }
                assertThat(new BigDecimal(costwise.path("cost").asText())).isEqualByComparingTo(billed);
                orchestrator = orchestrator.add(new BigDecimal(costwise.path("orchestrator_cost").asText()));
                executor = executor.add(new BigDecimal(costwise.path("executor_cost").asText()));
                escalations += costwise.path("escalations").asInt();
            }
        }
        // each request's first call is its first executor's (the gateway configures no model classifier)
        Map<String, long[]> firstCalls = new LinkedHashMap<>();
        for (CostRecord r : ledger.records()) {
            firstCalls.putIfAbsent(r.requestId(), new long[] {r.usage().inputTokens(), r.usage().outputTokens()});
        }
        return new Billed(models, routes, cost, orchestrator, executor, escalations,
                new ArrayList<>(firstCalls.values()));
    }

    /** Replays the same requests, sent as gpt-4o with {@code max_tokens: 60}, through {@code yaml}'s auto. */
    private static ReplayResult replayed(String yaml, Path dir) throws Exception {
        List<long[]> answers = new ArrayList<>();
        JtokkitTokenEstimator tokens = JtokkitTokenEstimator.of(ModelCatalogs.bundled());
        for (String messages : MESSAGES) {
            answers.add(new long[] {tokens.estimateInput("gpt-4o", new OpenAiWire().readRequest(JSON.readTree(
                    body("gpt-4o", messages, 60))).chat()).tokens(), 60});
        }
        return replayed(yaml, dir, 60, answers);
    }

    /** Replays the same requests, sent as gpt-4o, each logged with the usage {@code answers} gives. */
    private static ReplayResult replayed(String yaml, Path dir, int maxTokens, List<long[]> answers)
            throws Exception {
        List<String> trace = new ArrayList<>();
        for (int i = 0; i < MESSAGES.size(); i++) {
            trace.add("{\"timestamp\": \"2026-11-27T08:00:00Z\", \"request\": " + body("gpt-4o", MESSAGES.get(i),
                    maxTokens) + ", \"usage\": {\"prompt_tokens\": " + answers.get(i)[0] + ", \"completion_tokens\": "
                    + answers.get(i)[1] + "}}");
        }
        GatewayPipelineReader.Priced priced = new GatewayPipelineReader(ModelCatalogs.bundled())
                .readPriced(yaml, "auto", "gw.yaml");
        return Planner.of(priced.catalog()).replay(Files.write(dir.resolve("trace.jsonl"), trace),
                priced.pipeline(), ReplayOptions.defaults());
    }

    @Test
    void givenAValidatedWorkflowOnTheSimProvider_whenTheSameRequestsAreReplayed_thenCostsAndTheirSplitAreTheGateways(
            @TempDir Path dir) throws Exception {
        Billed gateway = atTheGateway(CONFIG);
        ReplayResult replay = replayed(CONFIG, dir);

        assertThat(gateway.routes()).containsExactly("workflow:simple", "workflow:complex", "workflow:moderate",
                "workflow:moderate");
        assertThat(gateway.escalations()).as("the sim's verdicts never pass").isPositive();
        assertThat(gateway.orchestrator()).isPositive();
        assertThat(replay.after().outcomes()).extracting(RequestOutcome::route).isEqualTo(gateway.routes());
        assertThat(replay.after().outcomes()).extracting(o -> o.model().orElseThrow()).isEqualTo(gateway.models());
        assertThat(replay.report().metric("after.total").orElseThrow()).isEqualByComparingTo(gateway.cost());
        assertThat(replay.report().metric("after.workflow.orchestratorCost.total").orElseThrow())
                .isEqualByComparingTo(gateway.orchestrator());
        assertThat(replay.report().metric("after.workflow.executorCost.total").orElseThrow())
                .isEqualByComparingTo(gateway.executor());
        assertThat(replay.report().metric("after.workflow.escalations").orElseThrow())
                .isEqualByComparingTo(Integer.toString(gateway.escalations()));
    }

    /**
     * With {@code max_tokens: 300} the sim's answers are 100 to 300 tokens long, and the orchestrator's verdict reads
     * each: the replay, its trace logging the usage the gateway's executors reported, predicts the verdicts' cost too
     * (their prompts hold the very answers the gateway's executors wrote).
     */
    @Test
    void givenLongerAnswers_whenTheSameRequestsAreReplayed_thenTheVerdictsCostWhatTheGatewaysCost(@TempDir Path dir)
            throws Exception {
        Billed gateway = atTheGateway(CONFIG, 300);
        ReplayResult replay = replayed(CONFIG, dir, 300, gateway.answers());

        assertThat(gateway.answers()).as("answers longer than 60 tokens").anySatisfy(a -> assertThat(a[1])
                .isGreaterThan(60));
        assertThat(replay.after().outcomes()).extracting(RequestOutcome::route).isEqualTo(gateway.routes());
        assertThat(replay.report().metric("after.workflow.executorCost.total").orElseThrow())
                .isEqualByComparingTo(gateway.executor());
        assertThat(replay.report().metric("after.workflow.orchestratorCost.total").orElseThrow())
                .isEqualByComparingTo(gateway.orchestrator());
        assertThat(replay.report().metric("after.total").orElseThrow()).isEqualByComparingTo(gateway.cost());
    }

    /**
     * A $0.01 daily budget has room for a simple task's one answer but not for a validated run's worst case (two
     * rounds of an answer and a verdict of up to 1,024 tokens on gpt-4o): the gateway downgrades those to gpt-4o-mini,
     * and so does the replay, at the same cost.
     */
    @Test
    void givenABudgetWithoutRoomForAValidatedRun_whenReplayed_thenTheSameRequestsAreDowngradedAtTheSameCost(
            @TempDir Path dir) throws Exception {
        String config = CONFIG + """
                budgets:
                  - {name: day, scope: global, window: day, limit: "0.01", on_exhausted: downgrade,
                     downgrade_to: gpt-4o-mini}
                """;

        Billed gateway = atTheGateway(config);
        ReplayResult replay = replayed(config, dir);

        assertThat(gateway.routes().getFirst()).isEqualTo("workflow:simple");
        assertThat(gateway.routes().subList(1, 4)).containsOnly("downgrade:day");
        assertThat(replay.after().outcomes()).extracting(RequestOutcome::route).isEqualTo(gateway.routes());
        assertThat(replay.after().outcomes()).extracting(o -> o.model().orElseThrow()).isEqualTo(gateway.models());
        assertThat(replay.report().metric("after.total").orElseThrow()).isEqualByComparingTo(gateway.cost());
    }
}
