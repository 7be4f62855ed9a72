package dev.costwise.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.planner.engine.ProgressListener;
import dev.costwise.planner.engine.Simulation;
import dev.costwise.planner.report.PlanReport;
import dev.costwise.planner.report.SimulationReports;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each built-in scenario simulated with its fixed seed; every expectation is computed here from catalog prices and
 * the counts the scenario states (never copied from the spec), and the simulated figure must be within 2% of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltInScenariosTest {

    private static final double TOLERANCE = 0.02;

    private final ModelCatalog catalog = ModelCatalogs.bundled();
    private final CatalogPricer pricer = CatalogPricer.of(catalog);
    private final Planner planner = Planner.of(catalog);
    private final Map<String, Simulation.Result> results = new HashMap<>();

    private Simulation.Result day(String name) {
        return results.computeIfAbsent(name, n -> planner.simulateDay(planner.scenario(ScenarioFile.builtIn(n)),
                ProgressListener.NONE));
    }

    private double price(String model, long in, long out) {
        return pricer.price(model, Usage.of(in, out)).cost().toBigDecimal().doubleValue();
    }

    private static double dollars(Money m) {
        return m.toBigDecimal().doubleValue();
    }

    private static void assertWithin2Percent(double simulated, double expected) {
        assertThat(simulated).isCloseTo(expected, within(Math.abs(expected) * TOLERANCE));
    }

    @Test
    void givenPattern1_whenSimulated_thenBeforeIsAllGpt4oAndAfterIsCacheMissesRoutedByClass() {
        Simulation.Result r = day("pattern1");
        double gpt4o = price("gpt-4o", 1000, 1400);      // $0.0165
        double mini = price("gpt-4o-mini", 1000, 1000);  // $0.00075
        // 10,000 requests, 30% cache hits, then classes 2:4:1 (local : mini : GPT-4o) of the 7,000 misses.
        double expectedAfter = 7000.0 * 1 / 7 * gpt4o + 7000.0 * 4 / 7 * mini;
        assertWithin2Percent(dollars(r.before().cost()), 10_000 * gpt4o);
        assertWithin2Percent(dollars(r.after().cost()), expectedAfter);
        assertThat(r.after().cacheHitRate()).isCloseTo(0.30, within(0.006));
        assertThat(r.after().models().get("llama3.1:8b").cost()).isEqualTo(Money.ZERO);
        assertWithin2Percent(r.after().models().get("gpt-4o").successes(), 1000);
    }

    @Test
    void givenPattern2_whenPrimaryFails20Percent_thenFallbacksServe15And5Percent() {
        Simulation.Result r = day("pattern2");
        double gpt4o = price("gpt-4o", 1000, 1400);
        double mini = price("gpt-4o-mini", 1000, 1000);
        assertWithin2Percent(dollars(r.after().cost()), 8000 * gpt4o + 1500 * mini);
        assertWithin2Percent(r.after().models().get("gpt-4o-mini").successes(), 1500);
        assertWithin2Percent(r.after().models().get("llama3.1:8b").successes(), 500);
        assertThat(r.after().fallbacks()).isEqualTo(r.after().models().get("gpt-4o-mini").successes()
                + r.after().models().get("llama3.1:8b").successes());
        assertThat(r.after().failed()).isZero();
    }

    @Test
    void givenPattern3_whenBudgetIs100PerDay_thenPremiumUntilHalfSpentThenMiniAndNeverOverBudget() {
        Simulation.Result r = day("pattern3");
        double gpt4o = price("gpt-4o", 1000, 1400);
        double mini = price("gpt-4o-mini", 1000, 1000);
        long premium = (long) Math.ceil(50 / gpt4o);     // GPT-4o until utilization reaches 50%
        double expected = premium * gpt4o + (10_000 - premium) * mini;
        assertWithin2Percent(dollars(r.after().cost()), expected);
        assertThat(r.after().cost()).isLessThanOrEqualTo(Money.ofDollars(100));
        assertThat(r.after().budgetHits()).isEqualTo(10_000 - premium);
    }

    @Test
    void givenPattern4_whenRetryingTransientFailures_thenRecoversMostAndCostsMoreThanNoRetry() {
        Simulation.Result r = day("pattern4");
        double call = price("gpt-4o", 1000, 1400);
        // Before: 9,000 answers + 800 billed timeouts (the 200 invalid requests are not billed).
        assertWithin2Percent(dollars(r.before().cost()), 9800 * call);
        // Each retry succeeds with 0.9, times out again with 0.08 (retried again, up to 3), or is invalid (0.02).
        double recoverShare = 0.9 * (1 + 0.08 + 0.08 * 0.08);
        assertWithin2Percent(r.after().answered() - r.before().answered(), 800 * recoverShare);
        assertThat(r.after().cost()).isGreaterThan(r.before().cost());
        assertThat(r.after().backoff()).isPositive();
        assertWithin2Percent(dollars(r.after().retryCost()),
                dollars(r.after().cost()) - dollars(r.before().cost()));
    }

    @Test
    void givenPattern5_whenOrchestrating_thenClaudePlansAndFreeGeminiExecutes() {
        Simulation.Result r = day("pattern5");
        assertWithin2Percent(dollars(r.before().cost()), 10_000 * price("claude-sonnet-4-5", 1999, 1));
        assertWithin2Percent(dollars(r.after().cost()), 10_000 * price("claude-sonnet-4-5", 199, 1));
        assertThat(r.after().models().get("gemini-2.5-pro:free").cost()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenPattern5A_whenFreeModelsExecuteSubtasks_thenOnlyPlanningIsPaid() {
        Simulation.Result r = day("pattern5a");
        double plan = price("claude-sonnet-4-5", 1000, 467);
        double subtask = price("claude-sonnet-4-5", 1000, 10667);
        assertWithin2Percent(dollars(r.before().costPerAnswer()), plan + 3 * subtask);
        assertWithin2Percent(dollars(r.after().costPerAnswer()), plan);
    }

    @Test
    void givenPattern5B_whenClaudeOnlyValidates_thenPaysValidationOnly() {
        Simulation.Result r = day("pattern5b");
        assertWithin2Percent(dollars(r.before().costPerAnswer()), price("claude-sonnet-4-5", 1000, 3133));
        assertWithin2Percent(dollars(r.after().costPerAnswer()), price("claude-sonnet-4-5", 1000, 133));
    }

    @Test
    void givenExample1_whenSimulated_thenADayCosts12KMiniCallsAndTheMonthIsOverBudget() {
        Simulation.Result r = day("example1");
        double mini = price("gpt-4o-mini", 1000, 1000);
        // 50,000 requests: 60% local; 40% cloud = 20,000, of which 40% cache hits -> 12,000 calls.
        assertWithin2Percent(dollars(r.after().cost()), 12_000 * mini);
        assertWithin2Percent(r.after().routes().get("local"), 30_000);
        assertWithin2Percent(r.after().cacheHits(), 8_000);
        PlanReport report = SimulationReports.of(r);
        assertThat(report.metric("budget.headroom.perMonth").orElseThrow()).isNegative();
    }

    @Test
    void givenExample2_whenOptimised_thenHalfGoesToMiniAndCachedClaudeServesTheRest() {
        Simulation.Result r = day("example2");
        double sonnet = price("claude-3-5-sonnet-20241022", 1000, 1000);   // $0.018
        double mini = price("gpt-4o-mini", 1000, 1000);                    // $0.00075: same profile
        assertWithin2Percent(dollars(r.before().cost()), 7000 * sonnet);
        assertWithin2Percent(dollars(r.after().cost()), 5000 * mini + 3500 * sonnet);
        assertThat(dollars(r.after().cost()) * 30).isGreaterThan(500);
    }

    @Test
    void givenCombined_whenAllPatternsTogether_thenCostIsMiniPlusOrchestrationPlanning() {
        Simulation.Result r = day("combined");
        double expected = 4000 * price("gpt-4o-mini", 1000, 1000) + 1000 * price("claude-sonnet-4-5", 200, 140);
        assertWithin2Percent(dollars(r.after().cost()), expected);
        assertThat(r.after().retries()).isPositive();
        assertThat(r.after().failed()).isZero();
        PlanReport report = SimulationReports.of(r);
        assertThat(report.claims()).filteredOn(c -> c.label().contains("50-70%")).singleElement()
                .satisfies(c -> assertThat(c.matches()).isFalse());
    }

    @Test
    void givenSameScenarioAndSeed_whenSimulatedTwice_thenFiguresAreIdentical() {
        Simulation.Result a = day("pattern2");
        Simulation.Result b = planner.simulateDay(planner.scenario(ScenarioFile.builtIn("pattern2")),
                ProgressListener.NONE);
        assertThat(b.after().cost()).isEqualTo(a.after().cost());
        assertThat(b.after().models()).isEqualTo(a.after().models());
    }

    @Test
    void givenPattern1Report_whenRendered_thenHasTheSpecRowsAndCheckedClaims() {
        PlanReport report = SimulationReports.of(day("pattern1"));
        assertThat(report.tables().getFirst().rows()).extracting(row -> row.getFirst())
                .containsExactly("Before", "After", "Savings");
        BigDecimal perMonth = report.metric("after.perMonth").orElseThrow();
        assertThat(perMonth).isEqualByComparingTo(report.metric("after.perDay").orElseThrow()
                .multiply(BigDecimal.valueOf(30)));
        assertThat(report.claims()).filteredOn(c -> c.metric().equals("after.perDay")).singleElement()
                .satisfies(c -> assertThat(c.matches()).isTrue());
    }

}
