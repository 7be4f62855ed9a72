package dev.costwise.llm.alert;

import dev.costwise.core.Money;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Factories for {@link AlertRule}s, and the spec's default set. */
public final class AlertRules {

    /** The cool-down rules get when none is given: one hour. */
    public static final Duration DEFAULT_COOLDOWN = Duration.ofHours(1);

    private AlertRules() {}

    /**
     * The spec's alerting thresholds: daily spend reaching $100, cache hit rate under 20% (over the last hour, once
     * 100 lookups are in), error rate reaching 10% (over the last 15 minutes, once 50 requests are in), and any budget
     * exceeded.
     *
     * @return the rules
     */
    public static List<AlertRule> specDefaults() {
        return List.of(
                spendAbove("cost", Money.ofDollars(100), Duration.ofDays(1)),
                new AlertRule.CacheHitRateBelow("cache", Duration.ofHours(1), 0.20, 100, AlertSeverity.WARNING,
                        DEFAULT_COOLDOWN),
                new AlertRule.ErrorRateAbove("errors", Duration.ofMinutes(15), 0.10, 50, AlertSeverity.ERROR,
                        DEFAULT_COOLDOWN),
                budgetExceeded("budget"));
    }

    /**
     * Spend at or above {@code threshold} in the sliding {@code window}; severity warning, one-hour cool-down.
     *
     * @param name rule name
     * @param threshold the amount
     * @param window the window
     * @return the rule
     */
    public static AlertRule spendAbove(String name, Money threshold, Duration window) {
        return new AlertRule.SpendAbove(name, window, threshold, AlertSeverity.WARNING, DEFAULT_COOLDOWN);
    }

    /**
     * Any budget's spend at or past its limit; severity critical, one-hour cool-down per budget.
     *
     * @param name rule name
     * @return the rule
     */
    public static AlertRule budgetExceeded(String name) {
        return new AlertRule.BudgetUtilizationAtLeast(name, 1.0, AlertSeverity.CRITICAL, DEFAULT_COOLDOWN);
    }

    /**
     * Any silent model downgrade in the last hour; severity warning, one-hour cool-down.
     *
     * @param name rule name
     * @return the rule
     */
    public static AlertRule silentDowngrades(String name) {
        return new AlertRule.ModelDowngrades(name, Duration.ofHours(1), 1, AlertSeverity.WARNING, DEFAULT_COOLDOWN);
    }

    static void check(String name, AlertSeverity severity, Duration cooldown) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(cooldown, "cooldown");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name cannot be blank");
        }
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("rule '" + name + "': cooldown cannot be negative, was " + cooldown);
        }
    }

    static void checkWindow(String name, Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.toMillis() < 60) {
            throw new IllegalArgumentException("rule '" + name + "': window must be at least 60 ms, was " + window);
        }
    }

    static void checkRatio(String name, double ratio) {
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("rule '" + name + "': threshold must be in [0, 1], was " + ratio);
        }
    }

    static void checkSamples(String name, long samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("rule '" + name + "': minimum samples must be >= 1, was " + samples);
        }
    }
}
