package dev.costwise.core.testing;

/** A failure tests treat as the caller's fault: never retried, never fallen back from. */
public final class CallersMistake extends RuntimeException {
    public CallersMistake(String message) {
        super(message);
    }
}
