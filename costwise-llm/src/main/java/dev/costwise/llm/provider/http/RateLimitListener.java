package dev.costwise.llm.provider.http;

/**
 * Receives the rate-limit headers of every provider response. Implementations must be fast, thread-safe and must not
 * throw: an exception is logged and dropped, never failing the call.
 */
@FunctionalInterface
public interface RateLimitListener {

    /** A listener that ignores every snapshot. */
    RateLimitListener NONE = snapshot -> { };

    /**
     * Called after each provider response that carried rate-limit or retry headers.
     *
     * @param snapshot what the headers said
     */
    void onSnapshot(RateLimitSnapshot snapshot);
}
