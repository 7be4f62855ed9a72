package dev.costwise.planner.cli;

import dev.costwise.planner.report.CsvReport;
import dev.costwise.planner.report.HtmlReport;
import dev.costwise.planner.report.JsonReport;
import dev.costwise.planner.report.PlanReport;
import dev.costwise.planner.report.TerminalReport;

/** The report formats the planner commands write. */
public enum OutputFormat {
    /** Plain-text tables. */
    TABLE,
    /** JSON. */
    JSON,
    /** CSV. */
    CSV,
    /** A self-contained HTML page with SVG charts. */
    HTML;

    /**
     * @param report the report
     * @return the report in this format
     */
    public String render(PlanReport report) {
        return switch (this) {
            case TABLE -> TerminalReport.render(report);
            case JSON -> JsonReport.render(report);
            case CSV -> CsvReport.render(report);
            case HTML -> HtmlReport.render(report);
        };
    }
}
