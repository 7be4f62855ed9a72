package dev.costwise.planner.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a {@link PlanReport} as CSV (RFC 4180): first every metric as {@code metric,value}, then each table with
 * its title in the first column.
 */
public final class CsvReport {
    /** A signed number or dollar amount, such as {@code -0.005}, {@code -$1,234.50} or {@code +12.5%}. */
    private static final Pattern PLAIN_AMOUNT = Pattern.compile("[+-]\\$?[0-9][0-9.,]*%?");

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

    /**
     * One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180), and, when it could start a
     * spreadsheet formula ({@code = + - @}, tab, carriage return) without being a plain number or amount, prefixed
     * with {@code '} so that a spreadsheet shows it as text: model names, users and tags come from callers.
     *
     * @param s the value
     * @return the field as written
     */
    public static String cell(String s) {
        String text = startsFormula(s) ? "'" + s : s;
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }

    private static boolean startsFormula(String s) {
        return !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !PLAIN_AMOUNT.matcher(s).matches();
    }
}
