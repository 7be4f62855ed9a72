package dev.costwise.planner.report;

import java.util.List;

/** Renders a {@link PlanReport} as plain-text tables for a terminal. */
public final class TerminalReport {

    private TerminalReport() {
    }

    /**
     * @param report the report
     * @return the text, ending with a newline
     */
    public static String render(PlanReport report) {
        StringBuilder out = new StringBuilder();
        out.append(report.title()).append('\n').append("=".repeat(Math.min(100, report.title().length())))
                .append('\n');
        for (String note : report.notes()) {
            out.append(note).append('\n');
        }
        for (PlanReport.Table table : report.tables()) {
            out.append('\n').append(table.title()).append('\n');
            renderTable(out, table);
        }
        return out.toString();
    }

    private static void renderTable(StringBuilder out, PlanReport.Table table) {
        int cols = table.headers().size();
        int[] width = new int[cols];
        for (int i = 0; i < cols; i++) {
            width[i] = table.headers().get(i).length();
            for (List<String> row : table.rows()) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        line(out, table.headers(), width);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < cols; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.append(rule).append('\n');
        for (List<String> row : table.rows()) {
            line(out, row, width);
        }
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            boolean numeric = i > 0 && !cell.isEmpty() && (Character.isDigit(cell.charAt(0)) || cell.startsWith("$")
                    || cell.startsWith("-$") || cell.startsWith("+") || cell.startsWith("-"));
            String padded = numeric ? " ".repeat(width[i] - cell.length()) + cell
                    : cell + " ".repeat(width[i] - cell.length());
            l.append(i == 0 ? "" : " | ").append(padded);
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }
}
