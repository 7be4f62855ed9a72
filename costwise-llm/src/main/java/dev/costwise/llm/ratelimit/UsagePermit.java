package dev.costwise.llm.ratelimit;

import java.util.Optional;

/**
 * A request admitted by {@link UsageTracker#tryAcquire}: it already counts one request and its estimated tokens.
 * Call {@link #reconcile} once the real token count is known (input plus output), so the window holds actual usage.
 */
public interface UsagePermit {

    /**
     * Replaces the estimated tokens with the actual count. Only the first call counts.
     *
     * @param actualTokens tokens the call used; zero when it failed before any were billed
     */
    void reconcile(long actualTokens);

    /**
     * What the limiter counted when it admitted this request, this request and its estimate included, in the windows
     * it checked (the others read zero).
     *
     * @return the counts, or empty if this limiter does not report them
     */
    default Optional<UsageSnapshot> usage() {
        return Optional.empty();
    }
}
