package dev.costwise.core.recovery;

/** The states of a {@link CircuitBreaker}. */
public enum CircuitState {
    /** Calls pass; outcomes are counted. */
    CLOSED,
    /** Calls are refused with {@link CircuitOpenException} until the wait duration has passed. */
    OPEN,
    /** A limited number of probe calls pass; enough successes close the circuit, one failure opens it again. */
    HALF_OPEN
}
