package dev.costwise.llm.orchestration;

import dev.costwise.core.Primitive;

/**
 * Judges a task's complexity and type and recommends the model to run it.
 *
 * <p>{@link RuleBasedTaskClassifier} is the free default; {@link LlmTaskClassifier} asks an orchestrator model and
 * falls back to the rules. Implementations are thread-safe and record what they decided in the context (event
 * {@code classified}).
 */
public interface TaskClassifier extends Primitive<TaskClassificationRequest, TaskClassification> {}
