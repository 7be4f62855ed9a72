package dev.costwise.llm.ratelimit;

import dev.costwise.core.CostwiseException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Every deployment of a {@link CooldownAwareFallback} is resting after a 429; earlier failures are attached as
 * suppressed exceptions.
 */
public final class AllCoolingDownException extends CostwiseException {

    private final List<String> deployments;
    private final Instant earliestRetry;

    /**
     * @param name the fallback's name
     * @param deployments the resting deployments
     * @param earliestRetry when the first of them may be called again
     */
    public AllCoolingDownException(String name, List<String> deployments, Instant earliestRetry) {
        super("fallback '" + name + "': every deployment is cooling down after a 429 " + deployments
                + "; the first may be called again at " + earliestRetry, null, false);
        this.deployments = List.copyOf(deployments);
        this.earliestRetry = Objects.requireNonNull(earliestRetry, "earliestRetry");
    }

    /** @return the resting deployments */
    public List<String> deployments() {
        return deployments;
    }

    /** @return when the first of them may be called again */
    public Instant earliestRetry() {
        return earliestRetry;
    }
}
