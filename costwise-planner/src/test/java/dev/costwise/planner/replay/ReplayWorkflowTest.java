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
}
