package dev.costwise.core;

/**
 * Root of the failures Costwise itself raises: timeouts, open circuits, exhausted fallbacks, budgets, provider errors.
 *
 * <p>Misuse of the API (a negative TTL, a {@code null} argument) is reported with the JDK's own
 * {@link IllegalArgumentException}, {@link IllegalStateException} and {@link NullPointerException} instead. Messages
 * name the instance and the numbers involved, never a secret or a whole prompt.
 */
public abstract class CostwiseException extends RuntimeException {

    /**
     * @param message what failed, naming the instance and the values involved
     */
    protected CostwiseException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the instance and the values involved
     * @param cause the underlying failure, or {@code null}
     */
    protected CostwiseException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what failed
     * @param cause the underlying failure, or {@code null}
     * @param writableStackTrace {@code false} for cheap, expected rejections (open circuit, full bulkhead)
     */
    protected CostwiseException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
    }
}
