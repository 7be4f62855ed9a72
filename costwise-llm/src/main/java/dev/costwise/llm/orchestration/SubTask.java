package dev.costwise.llm.orchestration;

import java.util.Objects;
import java.util.Optional;

/**
 * One step of a {@link Plan}: run {@code prompt} on an executor, independently of the other steps.
 *
 * @param id a short unique id within the plan
 * @param description what the step is for
 * @param prompt what the executor is asked
 * @param executorHint the orchestrator's choice of executor, if it gave one (used when registered)
 */
public record SubTask(String id, String description, String prompt, Optional<String> executorHint) {
    public SubTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(executorHint, "executorHint");
        if (id.isBlank() || prompt.isBlank()) {
            throw new IllegalArgumentException("a sub-task needs an id and a prompt, was id='" + id + "'");
        }
    }
}
