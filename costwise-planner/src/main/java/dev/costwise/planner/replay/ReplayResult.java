package dev.costwise.planner.replay;

import dev.costwise.core.Money;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.engine.Savings;
import dev.costwise.planner.report.PlanReport;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A replayed trace.
 *
 * @param lines non-blank lines in the trace
 * @param errors the skipped lines, with line numbers and reasons: the first {@link TraceScan#MAX_KEPT_ERRORS}
 * @param badLines how many lines were skipped
 * @param costBefore the requests on their requested models (recorded usage, else estimated)
 * @param estimatedBefore requests whose before-cost was estimated (no usage logged)
 * @param after the run through the pipeline (or the dry run); its outcomes are those of the first
 *     {@link dev.costwise.planner.report.ReplayReports#MAX_ROUTE_ROWS} requests, its figures count every request
 * @param savings before against after over the requests the pipeline answered
 * @param judge the judged sample, if a judge was asked for
 * @param report the report
 */
public record ReplayResult(int lines, List<TraceError> errors, long badLines, Money costBefore,
        long estimatedBefore, RunStats after, Savings savings, Optional<JudgeSummary> judge, PlanReport report) {

    public ReplayResult {
        errors = List.copyOf(errors);
        if (errors.size() > badLines) {
            throw new IllegalArgumentException(errors.size() + " errors for " + badLines + " bad lines");
        }
        Objects.requireNonNull(costBefore, "costBefore");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(savings, "savings");
        Objects.requireNonNull(judge, "judge");
        Objects.requireNonNull(report, "report");
    }
}
