package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.planner.Planner;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway pipeline with {@code workflow: true} is replayed as the gateway runs it: classified by the rules, a simple
 * task straight to the cheapest capable executor, any other judged by the orchestrator and, on a failed verdict,
 * escalated to a stronger executor; orchestrator and executor costs apart. Executors bill the request's recorded
 * tokens: gpt-4o-mini ($0.15 / $0.60 per 1M) 1,000 in / 100 out is $0.00021, gpt-4.1 ($2 / $8) $0.0028. The
 * orchestrator's verdicts are the sim's (they never pass), so the gateway's own comparison is in costwise-cli
 * ({@code PlannerRunsTheWorkflowLikeTheGatewayTest}).
 */
class ReplayWorkflowTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            models:
              - {name: gpt-4o, provider: openai}
              - {name: gpt-4o-mini, provider: openai}
              - {name: gpt-4.1, provider: openai}
            pipelines:
              auto:
                workflow: true
                validate: true
                routes: [{name: cheap, model: gpt-4o-mini}, {name: strong, model: gpt-4.1}]
                default_route: gpt-4o
            """;

    /** A simple question, then a moderate one (the rules' classification), each 1,000 in / 100 out on gpt-4o. */
    private static final String TRACE = line("08:00", "What are your opening hours?")
            + line("08:01", "Explain step by step how a hash map handles collisions");

    private static String line(String at, String question) {
        return "{\"timestamp\":\"2026-11-27T" + at + ":00Z\",\"request\":{\"model\":\"gpt-4o\",\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]},"
                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}\n";
    }

    private ReplayResult replay(String config, ReplayOptions options) throws Exception {
        GatewayPipelineReader.Priced g = new GatewayPipelineReader(Planner.ofDefaults().catalog())
                .readPriced(config, "auto", "gw.yaml");
        return Planner.of(g.catalog()).replay(Files.writeString(dir.resolve("t.jsonl"), TRACE), g.pipeline(),
                options);
    }

    @Test
    void givenAValidatedWorkflow_whenReplayed_thenEachTaskRunsItsStepsAndTheSplitIsReported() throws Exception {
        ReplayResult r = replay(CONFIG, ReplayOptions.defaults());

        assertThat(r.after().outcomes()).extracting(RequestOutcome::route)
                .containsExactly("workflow:simple", "workflow:moderate");
        assertThat(r.after().outcomes()).extracting(o -> o.model().orElseThrow())
                .containsExactly("gpt-4o-mini", "gpt-4.1");
        RunStats.Workflow w = r.after().workflow();
        assertThat(w.runs()).isEqualTo(2);
        assertThat(w.orchestrated()).isEqualTo(1); // the simple task skips the orchestrator
        assertThat(w.verdicts()).isEqualTo(2); // gpt-4o-mini's answer, then gpt-4.1's
        assertThat(w.failedVerdicts()).isEqualTo(2);
        assertThat(w.escalations()).isEqualTo(1); // gpt-4.1 is the strongest executor: no second escalation
        // $0.00021 (simple) + $0.00021 (moderate, superseded) + $0.0028 (moderate, escalated)
        assertThat(w.executorCost()).isEqualTo(Money.of("0.00322"));
        assertThat(w.orchestratorCost()).isEqualTo(r.after().models().get("gpt-4o").cost());
        assertThat(r.after().models().get("gpt-4o").successes()).isEqualTo(2);
        assertThat(w.orchestratorCost().isGreaterThan(Money.ZERO)).isTrue();
        assertThat(r.after().cost()).isEqualTo(w.executorCost().plus(w.orchestratorCost()));
        assertThat(r.report().metric("after.workflow.executorCost.total").orElseThrow())
                .isEqualByComparingTo("0.00322");
        assertThat(r.report().metric("after.workflow.orchestratorCost.total").orElseThrow())
                .isEqualByComparingTo(w.orchestratorCost().toBigDecimal());
        assertThat(r.report().metric("after.workflow.escalations").orElseThrow()).isEqualByComparingTo("1");
        assertThat(r.report().tables()).filteredOn(t -> t.title().equals("After: multi-model workflow"))
                .singleElement().satisfies(t -> assertThat(t.rows()).extracting(row -> row.getFirst() + ": "
                        + row.get(1)).contains("escalations: 1", "verdicts (failed): 2 (2)",
                        "executor cost, trace total: $0.00322"));
        assertThat(r.report().notes()).anyMatch(n -> n.startsWith("Workflow: the orchestrator's verdicts ran on the"
                + " sim provider") && n.contains("(1 escalation)"));
    }

    @Test
    void givenADryRun_whenReplayed_thenEachTaskIsPricedAsItsFirstExecutorAndNothingRuns() throws Exception {
        ReplayResult r = replay(CONFIG, ReplayOptions.defaults().withDryRun(true));

        assertThat(r.after().outcomes()).extracting(RequestOutcome::route)
                .containsExactly("workflow:simple", "workflow:moderate");
        assertThat(r.after().outcomes()).extracting(RequestOutcome::model)
                .containsExactly(Optional.of("gpt-4o-mini"), Optional.of("gpt-4o-mini"));
        assertThat(r.after().cost()).isEqualTo(Money.of("0.00042"));
        assertThat(r.after().workflow()).isEqualTo(RunStats.Workflow.NONE);
        assertThat(r.report().notes()).contains("Dry run: a workflow request is priced as its first executor's"
                + " answer; the orchestrator's verdicts and any escalation are not called.");
    }

    /**
     * As the gateway, a run holds the worst case of every call it may make. The simple task: one round, no verdict,
     * the dearest executor's answer (gpt-4.1: its ~10-token prompt and 100 tokens out, under $0.001) fits the $0.01
     * budget. The moderate one: two rounds (one escalation), each the dearest answer plus a verdict on gpt-4o (its
     * prompt, the answer and 1,024 tokens out, over $0.01 alone): more than the budget, so it is downgraded to
     * gpt-4o-mini, which answers alone for $0.00021.
     */
    @Test
    void givenABudgetWithRoomForOneAnswerButNotForAValidatedRun_whenReplayed_thenTheRunIsDowngraded()
            throws Exception {
        String config = CONFIG + """
                budgets:
                  - {name: day, scope: global, window: day, limit: "0.01", on_exhausted: downgrade,
                     downgrade_to: gpt-4o-mini}
                """;

        ReplayResult r = replay(config, ReplayOptions.defaults());

        assertThat(r.after().outcomes()).extracting(RequestOutcome::route)
                .containsExactly("workflow:simple", "downgrade:day");
        assertThat(r.after().outcomes()).extracting(RequestOutcome::budgetHit).containsExactly(false, true);
        assertThat(r.after().cost()).isEqualTo(Money.of("0.00042"));
        assertThat(r.after().workflow().runs()).isEqualTo(1);
        assertThat(r.after().workflow().orchestratorCost()).isEqualTo(Money.ZERO);
    }

    /**
     * The bug bash's repro on the {@code sim} provider: gpt-4o-mini configured with a 2,000-token window, below its
     * 16,384-token output limit. The gateway checks only its estimate of the prompt against the window, so it calls
     * gpt-4o-mini for "What is 2+2?" (14 in, 269 out: 14 × $0.15 + 269 × $0.60 per 1M = $0.0001635) and so must the
     * replay, not count the call failed for the output limit it sends in place of the caller's max_tokens and move
     * to claude-haiku-4-5. A prompt that does not fit the window still fails the call, and the report says why.
     */
    @Test
    void givenAnExecutorWindowBelowItsOutputLimit_whenReplayed_thenItAnswersAsAtTheGatewayAndAFailureSaysWhy()
            throws Exception {
        String config = """
                models:
                  - {name: gpt-4o-mini, provider: sim, context_window: 2000}
                  - {name: claude-haiku-4-5, provider: sim}
                  - {name: gpt-4o, provider: sim}
                  - {name: claude-sonnet-4-6, provider: sim}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  auto:
                    workflow: true
                    validate: true
                    routes:
                      - {name: e1, model: gpt-4o-mini}
                      - {name: e2, model: claude-haiku-4-5}
                      - {name: e3, model: gpt-4o}
                    default_route: claude-sonnet-4-6
                """;
        GatewayPipelineReader.Priced g = new GatewayPipelineReader(Planner.ofDefaults().catalog())
                .readPriced(config, "auto", "cwsim.yaml");
        Path trace = Files.writeString(dir.resolve("t_sim.jsonl"), """
                {"timestamp": "2026-11-29T03:45:00Z", "request": {"model": "auto", "messages": [{"role": "user", \
                "content": "What is 2+2?"}]}, "usage": {"prompt_tokens": 14, "completion_tokens": 269}}
                {"timestamp": "2026-11-29T03:46:00Z", "request": {"model": "auto", "messages": [{"role": "user", \
                "content": "What is 3+3?"}]}, "usage": {"prompt_tokens": 3000, "completion_tokens": 269}}
                """);

        ReplayResult r = Planner.of(g.catalog()).replay(trace, g.pipeline(), ReplayOptions.defaults());

        RequestOutcome fits = r.after().outcomes().getFirst();
        assertThat(fits.route()).isEqualTo("workflow:simple");
        assertThat(fits.model()).contains("gpt-4o-mini");
        assertThat(fits.cost()).isEqualTo(Money.of("0.0001635"));
        assertThat(fits.fallback()).isFalse();
        RequestOutcome over = r.after().outcomes().get(1);
        assertThat(over.model()).contains("claude-haiku-4-5"); // 3,000 + 269 tokens do not fit 2,000
        assertThat(r.after().models().get("gpt-4o-mini").attempts()).isEqualTo(2);
        assertThat(r.after().models().get("gpt-4o-mini").successes()).isEqualTo(1);
        assertThat(r.report().tables()).filteredOn(t -> t.title().equals("After: failed calls"))
                .singleElement().satisfies(t -> assertThat(t.rows()).singleElement().satisfies(row -> {
                    assertThat(row.subList(0, 3)).containsExactly("gpt-4o-mini", "context_length", "1");
                    assertThat(row.get(3)).contains("3269 tokens", "2000-token context window");
                }));
    }
}
