package dev.costwise.planner.report;

import java.math.BigDecimal;

/** Test access to the report's money format. */
public final class TerminalReportAccess {
    private TerminalReportAccess() {
    }

    public static String money(BigDecimal d) {
        return Figures.money(d);
    }
}
