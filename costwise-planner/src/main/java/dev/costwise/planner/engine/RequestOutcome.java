package dev.costwise.planner.engine;

import dev.costwise.core.Money;
import java.util.Objects;
import java.util.Optional;

/**
 * What the pipeline did with one request.
 *
 * @param id the request's id
 * @param route the route taken ({@code -} without a router, {@code cache} for a hit in front of the router)
 * @param model the model that answered (the last step's, for orchestration), empty on a cache hit or failure
 * @param cacheHit answered from a cache
 * @param cost what the request cost (all billed attempts)
 * @param retries retries made
 * @param fallback answered by a fallback model
 * @param budgetHit the budget changed the route or rejected the request
 * @param failure why the request failed, if it did
 */
public record RequestOutcome(String id, String route, Optional<String> model, boolean cacheHit, Money cost,
        int retries, boolean fallback, boolean budgetHit, Optional<String> failure) {

    public RequestOutcome {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(failure, "failure");
    }
}
