package dev.costwise.planner.report;

import dev.costwise.core.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Number formatting shared by the reports. */
final class Figures {

    private Figures() {
    }

    /** Dollars for tables: two decimals from $1, up to six below (per-request prices stay visible). */
    static String money(Money m) {
        return money(m.toBigDecimal());
    }

    static String money(BigDecimal d) {
        BigDecimal abs = d.abs();
        int scale = abs.compareTo(BigDecimal.ONE) >= 0 ? 2
                : Math.max(2, Math.min(6, d.stripTrailingZeros().scale()));
        BigDecimal shown = d.setScale(scale, RoundingMode.HALF_EVEN);
        return (shown.signum() < 0 ? "-$" : "$") + String.format(Locale.ROOT, "%,." + scale + "f", shown.abs());
    }

    static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static BigDecimal round(BigDecimal d, int scale) {
        return d.setScale(scale, RoundingMode.HALF_EVEN);
    }
}
