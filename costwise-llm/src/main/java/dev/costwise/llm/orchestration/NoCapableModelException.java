package dev.costwise.llm.orchestration;

import dev.costwise.core.CostwiseException;

/** No model in the catalog (or among the registered executors) meets a task's capability, window and cost needs. */
public final class NoCapableModelException extends CostwiseException {

    /**
     * @param message the needs that could not be met and why each candidate was rejected
     */
    public NoCapableModelException(String message) {
        super(message);
    }
}
