package dev.costwise.core.recovery;

import dev.costwise.core.CostwiseException;
import java.util.Objects;

/**
 * A {@link CircuitBreaker} refused a call without making it. Cheap: it has no stack trace. A {@link Fallback} always
 * treats it as a reason to move to the next target.
 */
public final class CircuitOpenException extends CostwiseException {

    private final String name;
    private final CircuitState state;

    /**
     * @param name the breaker's name
     * @param state the state that refused the call ({@code OPEN}, or {@code HALF_OPEN} with no probe left)
     */
    public CircuitOpenException(String name, CircuitState state) {
        super("circuit breaker '" + name + "' is " + state + " and does not permit further calls", null, false);
        this.name = Objects.requireNonNull(name, "name");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** @return the breaker's name */
    public String name() {
        return name;
    }

    /** @return the state that refused the call */
    public CircuitState state() {
        return state;
    }
}
