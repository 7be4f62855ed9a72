package dev.costwise.planner.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link PlanReport} as CSV (RFC 4180): first every metric as {@code metric,value}, then each table with
 * its title in the first column.
 */
public final class CsvReport {

    private CsvReport() {
    }

    /**
     * @param report the report
     * @return the CSV text
     */
    public static String render(PlanReport report) {
        StringBuilder out = new StringBuilder();
        out.append("metric,value\r\n");
        for (Map.Entry<String, java.math.BigDecimal> e : report.metrics().entrySet()) {
            out.append(cell(e.getKey())).append(',').append(e.getValue().toPlainString()).append("\r\n");
        }
        for (PlanReport.Table t : report.tables()) {
            out.append("\r\n");
            List<String> header = new ArrayList<>();
            header.add("table");
            header.addAll(t.headers());
            line(out, header);
            for (List<String> row : t.rows()) {
                List<String> cells = new ArrayList<>();
                cells.add(t.title());
                cells.addAll(row);
                line(out, cells);
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            out.append(i == 0 ? "" : ",").append(cell(cells.get(i)));
        }
        out.append("\r\n");
    }

    static String cell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
