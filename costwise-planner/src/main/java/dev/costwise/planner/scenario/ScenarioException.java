package dev.costwise.planner.scenario;

import dev.costwise.core.CostwiseException;

/** A scenario or pipeline file that cannot be used; the message names the file, the field and the value. */
public final class ScenarioException extends CostwiseException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the field and the value
     */
    public ScenarioException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause the underlying failure
     */
    public ScenarioException(String message, Throwable cause) {
        super(message, cause);
    }

    static void require(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new ScenarioException(String.format(format, args));
        }
    }
}
