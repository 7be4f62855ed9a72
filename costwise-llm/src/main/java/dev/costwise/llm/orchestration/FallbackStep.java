package dev.costwise.llm.orchestration;

import java.util.Objects;

/**
 * One executor in a fallback chain that failed, so the next one was tried.
 *
 * @param model the executor that failed
 * @param errorKind the failure kind ({@code rate_limited}, {@code timeout}, {@code overloaded}…)
 * @param message the failure's message (no secrets)
 */
public record FallbackStep(String model, String errorKind, String message) {
    public FallbackStep {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(errorKind, "errorKind");
        Objects.requireNonNull(message, "message");
    }
}
