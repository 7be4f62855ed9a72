package dev.costwise.planner.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * Who sent a request, as the gateway's key, team and user budgets see it: the virtual key it came with and the end
 * user it names (the request's {@code user}). The key's team comes from the configuration
 * ({@link dev.costwise.planner.scenario.PipelineSpec#teams()}).
 *
 * @param key the virtual key's id, if the request names one
 * @param user the end user, if the request names one
 */
public record Caller(Optional<String> key, Optional<String> user) {

    /** No key, no user: only the budgets on all spend and per model hold the request. */
    public static final Caller NOBODY = new Caller(Optional.empty(), Optional.empty());

    public Caller {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(user, "user");
        // as the gateway: an empty name names no one
        key = key.filter(k -> !k.isEmpty());
        user = user.filter(u -> !u.isEmpty());
    }
}
