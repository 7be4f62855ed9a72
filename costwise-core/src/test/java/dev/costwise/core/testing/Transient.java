package dev.costwise.core.testing;

/** A failure tests treat as transient (retryable, fallbackable). */
public final class Transient extends RuntimeException {
    public Transient(String message) {
        super(message);
    }
}
