package dev.costwise.llm.alert;

import dev.costwise.core.Money;
import java.time.Duration;
import java.util.Objects;

/**
 * A condition over recent events that raises an {@link Alert}, at most once per {@link #cooldown()} for one subject.
 * Build rules with {@link AlertRules}.
 */
public sealed interface AlertRule {

    /** @return the rule's name, unique in one evaluator */
    String name();

    /** @return how urgent its alerts are */
    AlertSeverity severity();

    /** @return the least time between two alerts of this rule for one subject */
    Duration cooldown();

    /**
     * Spend in a sliding window at or above a threshold.
     *
     * @param name rule name
     * @param window the sliding window
     * @param threshold alert when spend reaches this (as {@link BudgetUtilizationAtLeast} does its ratio)
     * @param severity severity
     * @param cooldown cool-down
     */
    record SpendAbove(String name, Duration window, Money threshold, AlertSeverity severity, Duration cooldown)
            implements AlertRule {
        public SpendAbove {
            AlertRules.check(name, severity, cooldown);
            AlertRules.checkWindow(name, window);
            Objects.requireNonNull(threshold, "threshold");
        }
    }

    /**
     * Cache hit rate in a sliding window below a threshold, once the window holds enough lookups.
     *
     * @param name rule name
     * @param window the sliding window
     * @param threshold alert when the hit rate is strictly below this ratio
     * @param minSamples lookups the window must hold before the rule judges
     * @param severity severity
     * @param cooldown cool-down
     */
    record CacheHitRateBelow(String name, Duration window, double threshold, long minSamples, AlertSeverity severity,
            Duration cooldown) implements AlertRule {
        public CacheHitRateBelow {
            AlertRules.check(name, severity, cooldown);
            AlertRules.checkWindow(name, window);
            AlertRules.checkRatio(name, threshold);
            AlertRules.checkSamples(name, minSamples);
        }
    }

    /**
     * Share of failed requests in a sliding window at or above a threshold, once the window holds enough requests.
     *
     * @param name rule name
     * @param window the sliding window
     * @param threshold alert when the error rate reaches this ratio
     * @param minSamples requests the window must hold before the rule judges
     * @param severity severity
     * @param cooldown cool-down
     */
    record ErrorRateAbove(String name, Duration window, double threshold, long minSamples, AlertSeverity severity,
            Duration cooldown) implements AlertRule {
        public ErrorRateAbove {
            AlertRules.check(name, severity, cooldown);
            AlertRules.checkWindow(name, window);
            AlertRules.checkRatio(name, threshold);
            AlertRules.checkSamples(name, minSamples);
        }
    }

    /**
     * A budget's utilization at or above a ratio (1.0: the budget is exhausted). Judged per budget.
     *
     * @param name rule name
     * @param threshold alert when utilization is at least this
     * @param severity severity
     * @param cooldown cool-down, per budget
     */
    record BudgetUtilizationAtLeast(String name, double threshold, AlertSeverity severity, Duration cooldown)
            implements AlertRule {
        public BudgetUtilizationAtLeast {
            AlertRules.check(name, severity, cooldown);
            if (!(threshold > 0.0)) {
                throw new IllegalArgumentException("rule '" + name + "': threshold must be > 0, was " + threshold);
            }
        }
    }

    /**
     * Providers answering with another model than the one asked for (the spec's silent Gemini Pro → Flash
     * downgrade), at least {@code minCount} times in a sliding window.
     *
     * @param name rule name
     * @param window the sliding window
     * @param minCount downgrades in the window that raise the alert
     * @param severity severity
     * @param cooldown cool-down
     */
    record ModelDowngrades(String name, Duration window, long minCount, AlertSeverity severity, Duration cooldown)
            implements AlertRule {
        public ModelDowngrades {
            AlertRules.check(name, severity, cooldown);
            AlertRules.checkWindow(name, window);
            AlertRules.checkSamples(name, minCount);
        }
    }
}
