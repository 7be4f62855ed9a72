package dev.costwise.planner.replay;

/** A trace line the planner cannot use; the message says why. Caught per line, never escapes a replay. */
final class BadLineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BadLineException(String message) {
        super(message, null, false, false);
    }
}
