package dev.costwise.planner.report;

import dev.costwise.core.Money;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.engine.Savings;
import dev.costwise.planner.engine.Simulation;
import dev.costwise.planner.scenario.Claim;
import dev.costwise.planner.scenario.Scenario;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a simulated day into a {@link PlanReport} with the spec's rows: before and after, per day and per month
 * (day × the scenario's days per month), savings and their percentage, then the breakdown by model and route, and
 * each spec claim checked within {@value #TOLERANCE_PERCENT}%.
 */
public final class SimulationReports {

    /** How far (in percent) a simulated figure may be from the spec's and still match. */
    public static final double TOLERANCE_PERCENT = 2.0;

    private SimulationReports() {
    }

    /**
     * @param result a simulated day
     * @return the report
     */
    public static PlanReport of(Simulation.Result result) {
        Scenario s = result.scenario();
        BigDecimal days = BigDecimal.valueOf(s.daysPerMonth());
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        m.put("requests.perDay", BigDecimal.valueOf(s.traffic().requestsPerDay()));
        addRun(m, "before", result.before(), ".perDay", Optional.of(days));
        addRun(m, "after", result.after(), ".perDay", Optional.of(days));
        BigDecimal before = result.before().cost().toBigDecimal();
        BigDecimal after = result.after().cost().toBigDecimal();
        Savings savings = Savings.of(result.before(), result.after());
        m.put("savings.perDay", savings.amount());
        m.put("recovered", BigDecimal.valueOf(result.after().answered() - result.before().answered()));
        m.put("savings.perMonth", savings.amount().multiply(days));
        m.put("savings.percent", savings.percent());
        addExcluded(m, savings, ".perDay");
        s.monthlyBudget().ifPresent(b -> {
            m.put("budget.perMonth", b.toBigDecimal());
            m.put("budget.headroom.perMonth", b.toBigDecimal().subtract(after.multiply(days)));
        });

        List<PlanReport.Table> tables = new ArrayList<>();
        List<List<String>> costRows = new ArrayList<>();
        costRows.add(List.of("Before", Figures.money(before), Figures.money(before.multiply(days)), ""));
        costRows.add(List.of("After", Figures.money(after), Figures.money(after.multiply(days)), ""));
        costRows.add(List.of(savingsLabel(savings), Figures.money(m.get("savings.perDay")),
                Figures.money(m.get("savings.perMonth")), percent(savings)));
        if (savings.excluded() > 0) {
            BigDecimal excluded = savings.excludedBefore().toBigDecimal();
            costRows.add(List.of(excludedLabel(savings, result.after().requests()), Figures.money(excluded),
                    Figures.money(excluded.multiply(days)), "before-cost not in savings"));
        }
        s.monthlyBudget().ifPresent(b -> costRows.add(List.of("Budget", Figures.money(b.toBigDecimal()
                .divide(days, 6, RoundingMode.HALF_EVEN)), Figures.money(b), after.multiply(days)
                .compareTo(b.toBigDecimal()) <= 0 ? "after is within budget" : "after is OVER budget")));
        tables.add(new PlanReport.Table("Cost (" + Figures.count(s.traffic().requestsPerDay()) + " requests/day, "
                + s.daysPerMonth() + " days/month)", List.of("", "per day", "per month", "savings"), costRows));
        List<String> costHeaders = List.of("per day", "per month");
        Function<BigDecimal, List<String>> costCells = c -> List.of(Figures.money(c), Figures.money(c.multiply(days)));
        tables.add(modelTable("Before: by model", result.before(), costHeaders, costCells));
        tables.add(modelTable("After: by model", result.after(), costHeaders, costCells));
        tables.add(pipelineTable(result.before(), result.after()));
        tables.add(routeTable("After: routes", result.after()));

        List<PlanReport.ClaimCheck> checks = s.claims().stream().map(c -> check(c, m)).toList();
        if (!checks.isEmpty()) {
            tables.add(claimTable(checks));
        }
        List<String> notes = new ArrayList<>();
        if (!s.description().isBlank()) {
            notes.add(s.description().strip());
        }
        notes.add("Simulated on the sim provider (seed " + s.seed() + ") with catalog prices; one day of "
                + Figures.count(s.traffic().requestsPerDay()) + " requests, month = day × " + s.daysPerMonth() + ".");
        excludedNote(savings, result.after().requests(), "/day").ifPresent(notes::add);
        Map<String, BigDecimal> byModel = new LinkedHashMap<>();
        result.after().models().forEach((k, v) -> byModel.put(k, v.cost().toBigDecimal()));
        PlanReport.Charts charts = new PlanReport.Charts(before, after, byModel, result.after().routes(),
                result.after().timeline().stream().map(RunStats.Bucket::hitRate).toList());
        return new PlanReport("simulate", s.title(), notes, tables, m, checks, charts);
    }

    /** The savings cell: the percentage, or why there is none. */
    static String percent(Savings savings) {
        return savings.answered() == 0 ? "n/a: no request answered"
                : String.format(Locale.ROOT, "%.1f%%", savings.percent().doubleValue());
    }

    /** The metrics of the requests left out of the savings, each cost named with its period suffix. */
    static void addExcluded(Map<String, BigDecimal> m, Savings savings, String period) {
        m.put("savings.answeredRequests", BigDecimal.valueOf(savings.answered()));
        m.put("savings.excludedRequests", BigDecimal.valueOf(savings.excluded()));
        m.put("savings.excludedBefore" + period, savings.excludedBefore().toBigDecimal());
        m.put("savings.excludedAfter" + period, savings.excludedAfter().toBigDecimal());
    }

    static String savingsLabel(Savings savings) {
        return savings.excluded() == 0 ? "Savings" : "Savings (answered requests only)";
    }

    static String excludedLabel(Savings savings, long requests) {
        return "Not answered after (" + Figures.count(savings.excluded()) + " of " + Figures.count(requests)
                + " requests)";
    }

    /** Says plainly which requests the savings leave out, if any. */
    static Optional<String> excludedNote(Savings savings, long requests, String period) {
        if (savings.excluded() == 0) {
            return Optional.empty();
        }
        boolean one = savings.excluded() == 1;
        String which = Figures.count(savings.excluded()) + " of " + Figures.count(requests) + " request"
                + (requests == 1 ? "" : "s") + (one ? " was" : " were") + " not answered (failed or rejected) by the"
                + " after pipeline; ";
        String compared = savings.answered() == 0 ? "no request was answered, so there are no savings to compare"
                : "savings compare only the " + Figures.count(savings.answered()) + " it answered";
        String billed = savings.excludedAfter().isZero() ? "" : ", as is what the after pipeline billed for "
                + (one ? "it" : "them") + " (" + Figures.money(savings.excludedAfter()) + period + ")";
        String those = one ? "the unanswered request" : "those " + Figures.count(savings.excluded());
        return Optional.of(which + compared + ": the before-cost of " + those + " ("
                + Figures.money(savings.excludedBefore()) + period + ") is excluded" + billed + ".");
    }

    /**
     * The run's metrics; its costs are named {@code prefix + "." + what + period}, so a simulated day's read
     * {@code .perDay} and a replayed trace's {@code .total}.
     *
     * @param daysPerMonth with a simulated day, adds {@code prefix.perMonth} = the run's cost × this
     */
    static void addRun(Map<String, BigDecimal> m, String prefix, RunStats run, String period,
            Optional<BigDecimal> daysPerMonth) {
        BigDecimal cost = run.cost().toBigDecimal();
        m.put(prefix + period, cost);
        daysPerMonth.ifPresent(days -> m.put(prefix + ".perMonth", cost.multiply(days)));
        m.put(prefix + ".answered", BigDecimal.valueOf(run.answered()));
        m.put(prefix + ".failed", BigDecimal.valueOf(run.failed()));
        m.put(prefix + ".rejected", BigDecimal.valueOf(run.rejected()));
        m.put(prefix + ".cacheHits", BigDecimal.valueOf(run.cacheHits()));
        m.put(prefix + ".cacheHitRate", BigDecimal.valueOf(run.cacheHitRate() * 100));
        m.put(prefix + ".retries", BigDecimal.valueOf(run.retries()));
        m.put(prefix + ".fallbacks", BigDecimal.valueOf(run.fallbacks()));
        m.put(prefix + ".budgetHits", BigDecimal.valueOf(run.budgetHits()));
        m.put(prefix + ".wasted" + period, run.wasted().toBigDecimal());
        m.put(prefix + ".retryCost" + period, run.retryCost().toBigDecimal());
        m.put(prefix + ".costPerAnswer", run.costPerAnswer().toBigDecimal());
        run.models().forEach((name, u) -> {
            m.put(prefix + ".model." + name + ".calls", BigDecimal.valueOf(u.successes()));
            m.put(prefix + ".model." + name + period, u.cost().toBigDecimal());
            m.put(prefix + ".model." + name + ".costPerCall", u.costPerCall().toBigDecimal());
        });
        run.routes().forEach((name, n) -> m.put(prefix + ".route." + name + ".requests", BigDecimal.valueOf(n)));
    }

    /**
     * Calls and cost per model.
     *
     * @param costHeaders the headers of the cost columns
     * @param costCells a model's cost columns from its cost over the run
     */
    static PlanReport.Table modelTable(String title, RunStats run, List<String> costHeaders,
            Function<BigDecimal, List<String>> costCells) {
        List<List<String>> rows = new ArrayList<>();
        run.models().forEach((name, u) -> {
            List<String> row = new ArrayList<>(List.of(name, Figures.count(u.successes()),
                    Figures.count(u.attempts() - u.successes()), Figures.money(u.costPerCall())));
            row.addAll(costCells.apply(u.cost().toBigDecimal()));
            rows.add(row);
        });
        List<String> headers = new ArrayList<>(List.of("model", "calls", "failed calls", "cost/call"));
        headers.addAll(costHeaders);
        return new PlanReport.Table(title, headers, rows);
    }

    /** @return why the run's failed calls failed: per model and kind, with the first one's message */
    static PlanReport.Table failedCallsTable(String title, RunStats run) {
        List<List<String>> rows = run.failedCalls().stream().map(f -> List.of(f.model(), f.kind(),
                Figures.count(f.calls()), f.example())).toList();
        return new PlanReport.Table(title, List.of("model", "failure", "calls", "why (the first)"), rows);
    }

    static PlanReport.Table pipelineTable(RunStats before, RunStats after) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("requests", Figures.count(before.requests()), Figures.count(after.requests())));
        rows.add(List.of("cache hits", hits(before), hits(after)));
        rows.add(List.of("answered", Figures.count(before.answered()), Figures.count(after.answered())));
        rows.add(List.of("failed", Figures.count(before.failed()), Figures.count(after.failed())));
        rows.add(List.of("rejected by budget", Figures.count(before.rejected()), Figures.count(after.rejected())));
        rows.add(List.of("retries", Figures.count(before.retries()), Figures.count(after.retries())));
        rows.add(List.of("answered by a fallback", Figures.count(before.fallbacks()),
                Figures.count(after.fallbacks())));
        rows.add(List.of("budget changed route", Figures.count(before.budgetHits()),
                Figures.count(after.budgetHits())));
        rows.add(List.of("cost of retry attempts", Figures.money(before.retryCost()),
                Figures.money(after.retryCost())));
        rows.add(List.of("wasted (billed failed calls)", Figures.money(before.wasted()),
                Figures.money(after.wasted())));
        rows.add(List.of("cost per answered request", Figures.money(before.costPerAnswer()),
                Figures.money(after.costPerAnswer())));
        return new PlanReport.Table("Pipeline", List.of("", "before", "after"), rows);
    }

    private static String hits(RunStats run) {
        return Figures.count(run.cacheHits()) + " (" + Figures.percent(run.cacheHitRate()) + ")";
    }

    static PlanReport.Table routeTable(String title, RunStats run) {
        List<List<String>> rows = new ArrayList<>();
        if (run.cacheHits() > 0) {
            rows.add(List.of("(cache hit)", Figures.count(run.cacheHits()),
                    Figures.percent(run.cacheHitRate())));
        }
        run.routes().forEach((name, n) -> rows.add(List.of(name, Figures.count(n),
                Figures.percent(run.requests() == 0 ? 0 : (double) n / run.requests()))));
        return new PlanReport.Table(title, List.of("route", "requests", "share of all requests"), rows);
    }

    static PlanReport.ClaimCheck check(Claim claim, Map<String, BigDecimal> metrics) {
        BigDecimal simulated = metrics.get(claim.metric());
        if (simulated == null) {
            return new PlanReport.ClaimCheck(claim.label(), claim.metric(), claim.spec(), claim.max(), BigDecimal.ZERO,
                    Double.NaN, false, "no such metric '" + claim.metric() + "'; metrics are " + metrics.keySet());
        }
        BigDecimal reference = claim.spec();
        boolean inRange = false;
        if (claim.max().isPresent()) {
            inRange = simulated.compareTo(claim.spec()) >= 0 && simulated.compareTo(claim.max().get()) <= 0;
            reference = inRange ? simulated : simulated.compareTo(claim.spec()) < 0 ? claim.spec() : claim.max().get();
        }
        double diff = reference.signum() == 0 ? (simulated.signum() == 0 ? 0 : Double.POSITIVE_INFINITY)
                : simulated.subtract(reference).multiply(BigDecimal.valueOf(100))
                        .divide(reference.abs(), 6, RoundingMode.HALF_EVEN).doubleValue();
        boolean matches = inRange || (claim.max().isEmpty() && Math.abs(diff) <= TOLERANCE_PERCENT);
        String verdict = matches ? (claim.max().isPresent() ? "within the claimed range" : "matches")
                : "spec differs" + (claim.note().isBlank() ? "" : ": " + claim.note());
        return new PlanReport.ClaimCheck(claim.label(), claim.metric(), claim.spec(), claim.max(), simulated, diff,
                matches, verdict);
    }

    static PlanReport.Table claimTable(List<PlanReport.ClaimCheck> checks) {
        List<List<String>> rows = new ArrayList<>();
        for (PlanReport.ClaimCheck c : checks) {
            rows.add(List.of(c.label(), plain(c.spec()) + c.max().map(x -> "-" + plain(x)).orElse(""),
                    plain(c.simulated()),
                    Double.isNaN(c.differencePercent()) ? "-" : String.format(Locale.ROOT, "%+.2f%%",
                            c.differencePercent()), c.verdict()));
        }
        return new PlanReport.Table("Spec claims", List.of("claim", "spec", "simulated", "difference", "verdict"),
                rows);
    }

    private static String plain(BigDecimal d) {
        return d.setScale(Math.min(6, Math.max(2, d.stripTrailingZeros().scale())), RoundingMode.HALF_EVEN)
                .toPlainString();
    }

    static Money money(BigDecimal d) {
        return Money.of(d);
    }
}
