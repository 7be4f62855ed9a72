package dev.costwise.planner.report;

import dev.costwise.core.Money;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.engine.Savings;
import dev.costwise.planner.replay.JudgeSummary;
import dev.costwise.planner.replay.TraceEntry;
import dev.costwise.planner.replay.TraceError;
import dev.costwise.planner.replay.TraceReader;
import dev.costwise.planner.replay.Verdict;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Turns a replayed trace into a {@link PlanReport}. */
public final class ReplayReports {

    /** Dry-run rows listed in the report at most (the JSON and CSV have the same cap). */
    public static final int MAX_ROUTE_ROWS = 10_000;
    /** The bad lines named one by one in the notes; the "Bad lines" table lists every one. */
    static final int MAX_SKIPPED_NOTES = 5;

    private ReplayReports() {
    }

    /**
     * @param trace the read trace
     * @param before the cost on the requested models
     * @param estimatedBefore requests whose before-cost was estimated
     * @param after the pipeline's run
     * @param savings before against after over the requests the pipeline answered
     * @param judge the judged sample, if any
     * @param entries the usable lines, in the order run
     * @param dryRun whether the run only routed
     * @return the report
     */
    public static PlanReport of(TraceReader.Trace trace, Money before, long estimatedBefore, RunStats after,
            Savings savings, Optional<JudgeSummary> judge, List<TraceEntry> entries, boolean dryRun) {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        BigDecimal b = before.toBigDecimal();
        BigDecimal a = after.cost().toBigDecimal();
        m.put("lines", BigDecimal.valueOf(trace.lines()));
        m.put("replayed", BigDecimal.valueOf(entries.size()));
        m.put("badLines", BigDecimal.valueOf(trace.errors().size()));
        m.put("before.total", b);
        m.put("before.estimatedRequests", BigDecimal.valueOf(estimatedBefore));
        SimulationReports.addRun(m, "after", after, BigDecimal.ONE);
        m.remove("after.perMonth");
        m.put("after.total", a);
        m.put("savings.total", savings.amount());
        m.put("savings.percent", savings.percent());
        SimulationReports.addExcluded(m, savings, ".total");
        judge.ifPresent(j -> {
            m.put("judge.judged", BigDecimal.valueOf(j.judged()));
            m.put("judge.keptQualityPercent", BigDecimal.valueOf(j.keptQuality() * 100));
        });

        List<PlanReport.Table> tables = new ArrayList<>();
        List<List<String>> summary = new ArrayList<>();
        summary.add(List.of("lines read", Figures.count(trace.lines())));
        summary.add(List.of("replayed", Figures.count(entries.size())));
        summary.add(List.of("bad lines (skipped)", Figures.count(trace.errors().size())));
        summary.add(List.of("cost before (requested models)", Figures.money(before)
                + (estimatedBefore > 0 ? " (" + Figures.count(estimatedBefore) + " estimated: no usage logged)" : "")));
        summary.add(List.of(dryRun ? "cost after (estimated, dry run)" : "cost after (pipeline)",
                Figures.money(after.cost())));
        summary.add(List.of(SimulationReports.savingsLabel(savings).toLowerCase(Locale.ROOT),
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
        tables.add(new PlanReport.Table("Replay", List.of("", "value"), summary));
        tables.add(SimulationReports.modelTable("After: by model", after, BigDecimal.ONE));
        tables.add(SimulationReports.routeTable("After: routes", after));
        if (!trace.errors().isEmpty()) {
            tables.add(new PlanReport.Table("Bad lines", List.of("line", "reason"), trace.errors().stream()
                    .map(e -> List.of(Integer.toString(e.line()), e.reason())).toList()));
        }
        if (dryRun) {
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < Math.min(MAX_ROUTE_ROWS, entries.size()); i++) {
                RequestOutcome o = after.outcomes().get(i);
                rows.add(List.of(Integer.toString(entries.get(i).line()), entries.get(i).request().model(),
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
        notes.add(dryRun ? "Dry run: requests were routed and priced from their tokens; no model was called."
                : "After: the pipeline ran on the sim provider with each request's recorded (or estimated) tokens,"
                        + " priced at catalog prices.");
        SimulationReports.excludedNote(savings, after.requests(), "").ifPresent(notes::add);
        judge.ifPresent(j -> notes.add(j.judge()));
        for (TraceError e : trace.errors().stream().limit(MAX_SKIPPED_NOTES).toList()) {
            notes.add("skipped " + e);
        }
        int more = trace.errors().size() - MAX_SKIPPED_NOTES;
        if (more > 0) { // the Bad lines table lists them all
            notes.add("skipped " + more + " more line" + (more == 1 ? "" : "s") + ", listed under Bad lines");
        }
        Map<String, BigDecimal> byModel = new LinkedHashMap<>();
        after.models().forEach((k, v) -> byModel.put(k, v.cost().toBigDecimal()));
        PlanReport.Charts charts = new PlanReport.Charts(b, a, byModel, after.routes(),
                after.timeline().stream().map(RunStats.Bucket::hitRate).toList());
        return new PlanReport("replay", "Replay" + (dryRun ? " (dry run)" : ""), notes, tables, m, List.of(),
                charts);
    }
}
