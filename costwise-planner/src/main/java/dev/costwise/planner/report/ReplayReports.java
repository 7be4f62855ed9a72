package dev.costwise.planner.report;

import dev.costwise.core.Money;
import dev.costwise.planner.engine.Caller;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.engine.Savings;
import dev.costwise.planner.replay.JudgeSummary;
import dev.costwise.planner.replay.TraceError;
import dev.costwise.planner.replay.TraceScan;
import dev.costwise.planner.replay.Verdict;
import dev.costwise.planner.scenario.BudgetSpec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Turns a replayed trace into a {@link PlanReport}. */
public final class ReplayReports {

    /** Dry-run rows listed in the report at most (the JSON and CSV have the same cap). */
    public static final int MAX_ROUTE_ROWS = 10_000;
    /** Days in a month for a replayed trace's per-month figures: per day × this. */
    public static final int DAYS_PER_MONTH = 30;
    /** The bad lines named one by one in the notes; the "Bad lines" table lists every one. */
    static final int MAX_SKIPPED_NOTES = 5;

    private ReplayReports() {
    }

    /**
     * A replayed line the dry-run table lists.
     *
     * @param line the 1-based line number
     * @param requested the model the request asked for
     */
    public record Listed(int line, String requested) {
        public Listed {
            Objects.requireNonNull(requested, "requested");
        }
    }

    /**
     * Who the replayed requests came from, for the budgets that hold a request by its caller (the gateway's key, team
     * and user budgets) and for a gateway that requires a key: how many lines named a virtual key and how many an end
     * user. Not thread-safe.
     */
    public static final class Callers {
        private final List<BudgetSpec.Scope> scopes;
        private final boolean keyRequired;
        private long lines;
        private long keyed;
        private long users;

        /**
         * @param scopes the caller scopes ({@code KEY}, {@code TEAM}, {@code USER}) the pipeline's budgets have
         * @param keyRequired whether the pipeline refuses a request without a key, as a gateway with virtual keys
         *     does ({@link dev.costwise.planner.scenario.PipelineSpec#keyRequired()})
         */
        public Callers(List<BudgetSpec.Scope> scopes, boolean keyRequired) {
            this.scopes = List.copyOf(scopes);
            this.keyRequired = keyRequired;
        }

        /** @param caller who sent the next replayed line */
        public void add(Caller caller) {
            lines++;
            keyed += caller.key().isPresent() ? 1 : 0;
            users += caller.user().isPresent() ? 1 : 0;
        }

        /** @return the lines refused for naming no key; 0 where no key is required */
        long refusedNoKey() {
            return keyRequired ? lines - keyed : 0;
        }

        /**
         * @return what the report says of the callers: the lines refused for naming no key, if a key is required,
         *     and of the caller budgets: nothing without any, a warning when they held none
         */
        List<String> notes() {
            List<String> notes = new ArrayList<>();
            if (refusedNoKey() > 0) {
                notes.add(Figures.count(refusedNoKey()) + " of " + Figures.count(lines) + " requests refused: no key."
                        + " The configuration has virtual keys, so the gateway answers a request that comes without"
                        + " one 401; those lines are counted as rejected, costing nothing. Add \"key\": \"<key id>\""
                        + " to the trace's lines to replay them as the keys' traffic.");
            }
            if (scopes.isEmpty()) {
                return notes;
            }
            boolean byKey = scopes.contains(BudgetSpec.Scope.KEY) || scopes.contains(BudgetSpec.Scope.TEAM);
            boolean byUser = scopes.contains(BudgetSpec.Scope.USER);
            notes.add("Key, team and user budgets hold a request by its caller, as at the gateway: "
                    + Figures.count(keyed) + " of " + Figures.count(lines) + " replayed lines name a virtual key (the"
                    + " line's \"key\"; a key's team comes from its tags in the configuration), "
                    + Figures.count(users) + " an end user (the request's \"user\").");
            if (byKey && keyed == 0 && !keyRequired) { // else every line was refused, as said above
                notes.add("Warning: the configuration has key or team budgets (or keys with a budget of their own),"
                        + " but no line names a key, so they held no request: the after cost assumes they never"
                        + " refuse or downgrade one. Add \"key\": \"<key id>\" to the trace's lines to apply them.");
            }
            if (byUser && users == 0) {
                notes.add("Warning: the configuration has user budgets, but no request names an end user, so they"
                        + " held no request: the after cost assumes they never refuse or downgrade one.");
            }
            return notes;
        }
    }

    /**
     * @param trace what the first pass over the trace found: its lines, requests, period and bad lines
     * @param before the cost on the requested models
     * @param estimatedBefore requests whose before-cost was estimated
     * @param after the pipeline's run, with the outcomes of the first requests
     * @param savings before against after over the requests the pipeline answered
     * @param judge the judged sample, if any
     * @param listed the first replayed lines (up to {@link #MAX_ROUTE_ROWS}), in the order run, for the dry-run table
     * @param dryRun whether the run only routed
     * @param callers who the replayed requests came from
     * @return the report
     */
    public static PlanReport of(TraceScan trace, Money before, long estimatedBefore, RunStats after,
            Savings savings, Optional<JudgeSummary> judge, List<Listed> listed, boolean dryRun, Callers callers) {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        BigDecimal b = before.toBigDecimal();
        BigDecimal a = after.cost().toBigDecimal();
        m.put("lines", BigDecimal.valueOf(trace.lines()));
        m.put("replayed", BigDecimal.valueOf(trace.entries()));
        m.put("badLines", BigDecimal.valueOf(trace.badLines()));
        Optional<TracePeriod> period = TracePeriod.of(trace);
        period.ifPresent(p -> m.put("trace.days", BigDecimal.valueOf(p.days())));
        m.put("before.total", b);
        period.ifPresent(p -> putPerDayAndMonth(m, "before", b, p));
        m.put("before.estimatedRequests", BigDecimal.valueOf(estimatedBefore));
        SimulationReports.addRun(m, "after", after, ".total", Optional.empty());
        if (callers.keyRequired) {
            m.put("after.rejectedNoKey", BigDecimal.valueOf(callers.refusedNoKey()));
        }
        period.ifPresent(p -> putPerDayAndMonth(m, "after", a, p));
        m.put("savings.total", savings.amount());
        period.ifPresent(p -> putPerDayAndMonth(m, "savings", savings.amount(), p));
        m.put("savings.percent", savings.percent());
        SimulationReports.addExcluded(m, savings, ".total");
        RunStats.Workflow w = after.workflow();
        if (w.runs() > 0) {
            m.put("after.workflow.runs", BigDecimal.valueOf(w.runs()));
            m.put("after.workflow.orchestrated", BigDecimal.valueOf(w.orchestrated()));
            m.put("after.workflow.verdicts", BigDecimal.valueOf(w.verdicts()));
            m.put("after.workflow.failedVerdicts", BigDecimal.valueOf(w.failedVerdicts()));
            m.put("after.workflow.escalations", BigDecimal.valueOf(w.escalations()));
            m.put("after.workflow.failedRuns", BigDecimal.valueOf(w.failedRuns()));
            m.put("after.workflow.orchestratorCost.total", w.orchestratorCost().toBigDecimal());
            period.ifPresent(p -> putPerDayAndMonth(m, "after.workflow.orchestratorCost",
                    w.orchestratorCost().toBigDecimal(), p));
            m.put("after.workflow.executorCost.total", w.executorCost().toBigDecimal());
            period.ifPresent(p -> putPerDayAndMonth(m, "after.workflow.executorCost", w.executorCost().toBigDecimal(),
                    p));
        }
        judge.ifPresent(j -> {
            m.put("judge.judged", BigDecimal.valueOf(j.judged()));
            m.put("judge.keptQualityPercent", BigDecimal.valueOf(j.keptQuality() * 100));
        });

        List<PlanReport.Table> tables = new ArrayList<>();
        List<List<String>> summary = new ArrayList<>();
        summary.add(List.of("lines read", Figures.count(trace.lines())));
        summary.add(List.of("replayed", Figures.count(trace.entries())));
        summary.add(List.of("bad lines (skipped)", Figures.count(trace.badLines())));
        summary.add(List.of("trace period", period.map(TracePeriod::describe)
                .orElse("unknown (no timestamps): costs are trace totals")));
        summary.add(List.of("cost before, trace total (requested models)", Figures.money(before)
                + (estimatedBefore > 0 ? " (" + Figures.count(estimatedBefore) + " estimated: no usage logged)" : "")));
        summary.add(List.of(dryRun ? "cost after, trace total (estimated, dry run)"
                : "cost after, trace total (pipeline)", Figures.money(after.cost())));
        summary.add(List.of(SimulationReports.savingsLabel(savings).toLowerCase(Locale.ROOT) + ", trace total",
                Figures.money(savings.amount()) + " (" + SimulationReports.percent(savings) + ")"));
        if (savings.excluded() > 0) {
            summary.add(List.of(SimulationReports.excludedLabel(savings, after.requests()),
                    Figures.money(savings.excludedBefore()) + " before-cost not in savings"));
        }
        summary.add(List.of("cache hit rate", Figures.percent(after.cacheHitRate())));
        summary.add(List.of("retries", Figures.count(after.retries())));
        summary.add(List.of("answered by a fallback", Figures.count(after.fallbacks())));
        summary.add(List.of("budget hits", Figures.count(after.budgetHits())));
        summary.add(List.of("failed / rejected", Figures.count(after.failed()) + " / "
                + Figures.count(after.rejected())));
        if (callers.keyRequired) {
            summary.add(List.of("rejected: no key (the gateway's 401)", Figures.count(callers.refusedNoKey())));
        }
        tables.add(new PlanReport.Table("Replay", List.of("", "value"), summary));
        period.ifPresent(p -> tables.add(costTable(p, b, a, savings, after.requests())));
        tables.add(period.isPresent()
                ? SimulationReports.modelTable("After: by model", after, List.of("trace total", "per day", "per month"),
                        c -> List.of(Figures.money(c), Figures.money(period.get().perDay(c)),
                                Figures.money(period.get().perMonth(c))))
                : SimulationReports.modelTable("After: by model", after, List.of("trace total"),
                        c -> List.of(Figures.money(c))));
        if (!after.failedCalls().isEmpty()) {
            tables.add(SimulationReports.failedCallsTable("After: failed calls", after));
        }
        tables.add(SimulationReports.routeTable("After: routes", after));
        if (w.runs() > 0) {
            tables.add(workflowTable(w));
        }
        if (!trace.errors().isEmpty()) {
            tables.add(new PlanReport.Table(trace.badLines() > trace.errors().size()
                    ? "Bad lines (the first " + Figures.count(trace.errors().size()) + " of "
                            + Figures.count(trace.badLines()) + ")" : "Bad lines",
                    List.of("line", "reason"), trace.errors().stream()
                    .map(e -> List.of(Integer.toString(e.line()), e.reason())).toList()));
        }
        if (dryRun) {
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < Math.min(MAX_ROUTE_ROWS, Math.min(listed.size(), after.outcomes().size())); i++) {
                RequestOutcome o = after.outcomes().get(i);
                rows.add(List.of(Integer.toString(listed.get(i).line()), listed.get(i).requested(),
                        o.route(), o.cacheHit() ? "(cache)" : o.model().orElse("-"), Figures.money(o.cost())));
            }
            tables.add(new PlanReport.Table("Where each request would go (dry run: no model called)",
                    List.of("line", "requested", "route", "model", "est. cost"), rows));
        }
        judge.ifPresent(j -> {
            List<List<String>> rows = new ArrayList<>();
            for (Verdict v : Verdict.values()) {
                rows.add(List.of(v.label(), Figures.count(j.verdicts().getOrDefault(v, 0L))));
            }
            rows.add(List.of("quality kept (same or better)", Figures.percent(j.keptQuality())));
            tables.add(new PlanReport.Table("Judged sample (" + j.judge() + ")", List.of("verdict", "requests"),
                    rows));
        });
        List<String> notes = new ArrayList<>();
        nothingReplayed(trace.lines(), trace.badLines()).ifPresent(notes::add);
        notes.add(dryRun ? "Dry run: requests were routed and priced from their tokens; no model was called."
                : "After: the pipeline ran on the sim provider with each request's recorded (or estimated) tokens,"
                        + " priced at catalog prices (or a gateway config's price, where it gives one).");
        if (period.isEmpty()) {
            notes.add("The trace has no timestamps, so its period is unknown: costs are totals for the whole trace,"
                    + " not per day or per month.");
        }
        SimulationReports.excludedNote(savings, after.requests(), "").ifPresent(notes::add);
        notes.addAll(callers.notes());
        if (w.verdicts() > 0) {
            notes.add("Workflow: the orchestrator's verdicts ran on the sim provider, whose answer is never a verdict"
                    + " the validator can read, so each validated answer failed and escalated to a stronger executor"
                    + " where there was one (" + Figures.count(w.escalations()) + " escalation"
                    + (w.escalations() == 1 ? "" : "s") + "), as at the gateway"
                    + " on the sim provider: the most the validation can cost. An orchestrator that passes answers"
                    + " costs less.");
        }
        if (dryRun && after.routes().keySet().stream().anyMatch(r -> r.startsWith("workflow:"))) {
            notes.add("Dry run: a workflow request is priced as its first executor's answer; the orchestrator's"
                    + " verdicts and any escalation are not called.");
        }
        judge.ifPresent(j -> notes.add(j.judge()));
        for (TraceError e : trace.errors().stream().limit(MAX_SKIPPED_NOTES).toList()) {
            notes.add("skipped " + e);
        }
        long more = trace.badLines() - MAX_SKIPPED_NOTES;
        if (more > 0) { // the Bad lines table lists them, up to the first TraceScan.MAX_KEPT_ERRORS
            notes.add("skipped " + more + " more line" + (more == 1 ? "" : "s") + ", listed under Bad lines"
                    + (trace.badLines() > trace.errors().size() ? " (the first " + Figures.count(trace.errors()
                            .size()) + " of " + Figures.count(trace.badLines()) + ")" : ""));
        }
        Map<String, BigDecimal> byModel = new LinkedHashMap<>();
        after.models().forEach((k, v) -> byModel.put(k, v.cost().toBigDecimal()));
        PlanReport.Charts charts = new PlanReport.Charts(b, a, byModel, after.routes(),
                after.timeline().stream().map(RunStats.Bucket::hitRate).toList());
        return new PlanReport("replay", "Replay" + (dryRun ? " (dry run)" : ""), notes, tables, m, List.of(),
                charts);
    }

    /**
     * @param lines the trace's non-blank lines
     * @param badLines how many of them were bad
     * @return a warning when no request was replayed, so that a $0 report is not read as a cheap one: the trace is
     *     empty (a wrong path to an empty file, say) or every line is bad
     */
    public static Optional<String> nothingReplayed(long lines, long badLines) {
        if (lines > badLines) {
            return Optional.empty();
        }
        return Optional.of("Warning: no request was replayed, so every cost is $0: " + (lines == 0
                ? "the trace is empty (it has no line but blank ones)" : lines == 1 ? "its only line is bad"
                        : "each of its " + Figures.count(lines) + " lines is bad") + ".");
    }

    /** The workflow's figures, its orchestrator's and executors' costs apart as the gateway reports them. */
    private static PlanReport.Table workflowTable(RunStats.Workflow w) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("requests run by the workflow", Figures.count(w.runs())));
        rows.add(List.of("orchestrated (not simple)", Figures.count(w.orchestrated())));
        rows.add(List.of("verdicts (failed)", Figures.count(w.verdicts()) + " (" + Figures.count(w.failedVerdicts())
                + ")"));
        rows.add(List.of("escalations", Figures.count(w.escalations())));
        rows.add(List.of("runs no executor answered", Figures.count(w.failedRuns())));
        rows.add(List.of("orchestrator cost (classification, validation), trace total",
                Figures.money(w.orchestratorCost())));
        rows.add(List.of("executor cost, trace total", Figures.money(w.executorCost())));
        rows.add(List.of("workflow cost, trace total", Figures.money(w.orchestratorCost().plus(w.executorCost()))));
        return new PlanReport.Table("After: multi-model workflow", List.of("", "value"), rows);
    }

    private static void putPerDayAndMonth(Map<String, BigDecimal> m, String prefix, BigDecimal total, TracePeriod p) {
        m.put(prefix + ".perDay", p.perDay(total));
        m.put(prefix + ".perMonth", p.perMonth(total));
    }

    private static PlanReport.Table costTable(TracePeriod p, BigDecimal before, BigDecimal after, Savings savings,
            long requests) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(costRow("Before", before, p, ""));
        rows.add(costRow("After", after, p, ""));
        rows.add(costRow(SimulationReports.savingsLabel(savings), savings.amount(), p,
                SimulationReports.percent(savings)));
        if (savings.excluded() > 0) {
            rows.add(costRow(SimulationReports.excludedLabel(savings, requests),
                    savings.excludedBefore().toBigDecimal(), p, "before-cost not in savings"));
        }
        return new PlanReport.Table("Cost over the trace's " + p.describe() + "; per month = per day × "
                + DAYS_PER_MONTH, List.of("", "trace total", "per day", "per month", "savings"), rows);
    }

    private static List<String> costRow(String label, BigDecimal total, TracePeriod p, String last) {
        return List.of(label, Figures.money(total), Figures.money(p.perDay(total)), Figures.money(p.perMonth(total)),
                last);
    }

    /**
     * The days a trace spans: UTC calendar days from the first logged timestamp's date to the last's, both included
     * (a trace within one day spans 1 day; Nov 27 08:00 to Nov 29 08:00 spans 3).
     *
     * @param first the first day
     * @param last the last day
     * @param untimed replayed lines without a timestamp (assumed to fall within the period)
     */
    record TracePeriod(LocalDate first, LocalDate last, long untimed) {

        static Optional<TracePeriod> of(TraceScan trace) {
            return trace.first().map(first -> new TracePeriod(LocalDate.ofInstant(first, ZoneOffset.UTC),
                    LocalDate.ofInstant(trace.last().orElseThrow(), ZoneOffset.UTC), trace.untimed()));
        }

        long days() {
            return ChronoUnit.DAYS.between(first, last) + 1;
        }

        BigDecimal perDay(BigDecimal total) {
            return total.divide(BigDecimal.valueOf(days()), 10, RoundingMode.HALF_EVEN).stripTrailingZeros();
        }

        BigDecimal perMonth(BigDecimal total) {
            return perDay(total).multiply(BigDecimal.valueOf(DAYS_PER_MONTH));
        }

        String describe() {
            String span = days() == 1 ? "1 day (" + first + ", UTC)" : days() + " days (" + first + " to " + last
                    + ", UTC)";
            return untimed == 0 ? span : span + "; " + untimed + " line" + (untimed == 1 ? "" : "s")
                    + " without a timestamp counted within it";
        }
    }
}
