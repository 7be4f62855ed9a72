package dev.costwise.llm.alert;

import java.util.Locale;

/** How urgent an alert is; the names are PagerDuty's severities. */
public enum AlertSeverity {
    /** Worth knowing. */
    INFO,
    /** Needs attention soon (a soft budget threshold, a low hit rate). */
    WARNING,
    /** Something is failing (a high error rate). */
    ERROR,
    /** Needs attention now (a budget exhausted). */
    CRITICAL;

    /** @return the lower-case name PagerDuty's Events API expects: {@code info}, {@code warning}… */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
