package dev.costwise.llm.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * One alert raised by a rule.
 *
 * @param rule the rule's name
 * @param severity how urgent it is
 * @param message what happened, with the numbers ({@code COST ALERT: spend in the last 1d is $123.40, above $100.00})
 * @param dedupKey the same for every alert of one condition (rule plus subject, such as a budget's name), so a pager
 *     groups repeats into one incident
 * @param at when it was raised
 */
public record Alert(String rule, AlertSeverity severity, String message, String dedupKey, Instant at) {

    public Alert {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(at, "at");
    }
}
