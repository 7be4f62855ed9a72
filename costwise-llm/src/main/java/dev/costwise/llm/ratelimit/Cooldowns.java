package dev.costwise.llm.ratelimit;

import dev.costwise.llm.chat.ChatModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Deployments (a provider's model) that answered 429 and must rest until their retry-after passes. A later 429 may
 * extend a cooldown, never shorten it.
 *
 * <p>Read on the injected clock; thread-safe.
 */
public final class Cooldowns {

    private final Clock clock;
    private final Duration defaultCooldown;
    private final ConcurrentMap<String, Instant> until = new ConcurrentHashMap<>();

    private Cooldowns(Clock clock, Duration defaultCooldown) {
        this.clock = clock;
        this.defaultCooldown = defaultCooldown;
    }

    /**
     * Creates the cooldown table.
     *
     * @param clock the clock cooldowns are read on
     * @param defaultCooldown how long a 429 without retry-after rests the deployment
     * @return the table
     * @throws IllegalArgumentException if {@code defaultCooldown} is negative
     */
    public static Cooldowns of(Clock clock, Duration defaultCooldown) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(defaultCooldown, "defaultCooldown");
        if (defaultCooldown.isNegative()) {
            throw new IllegalArgumentException("defaultCooldown cannot be negative, was " + defaultCooldown);
        }
        return new Cooldowns(clock, defaultCooldown);
    }

    /** @return a table on the UTC system clock resting a deployment 60 seconds when the provider gives no retry-after */
    public static Cooldowns ofDefaults() {
        return of(Clock.systemUTC(), Duration.ofSeconds(60));
    }

    /**
     * The deployment id of a model: {@code provider/name}.
     *
     * @param model the model
     * @return its id
     */
    public static String deploymentOf(ChatModel model) {
        return model.provider() + "/" + model.name();
    }

    /**
     * Rests a deployment for {@code retryAfter} (or the default) from now, unless it already rests longer.
     *
     * @param deployment the deployment id
     * @param retryAfter the provider's retry-after, if it sent one
     * @return when the deployment may be called again
     * @throws IllegalArgumentException if {@code retryAfter} is negative
     */
    public Instant trip(String deployment, Optional<Duration> retryAfter) {
        Objects.requireNonNull(deployment, "deployment");
        Duration rest = Objects.requireNonNull(retryAfter, "retryAfter").orElse(defaultCooldown);
        if (rest.isNegative()) {
            throw new IllegalArgumentException("retryAfter cannot be negative, was " + rest);
        }
        Instant proposed = clock.instant().plus(rest);
        return until.merge(deployment, proposed, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * @param deployment the deployment id
     * @return {@code true} while the deployment rests
     */
    public boolean isCoolingDown(String deployment) {
        return until(deployment).isPresent();
    }

    /**
     * @param deployment the deployment id
     * @return when its cooldown ends, if it is cooling down now
     */
    public Optional<Instant> until(String deployment) {
        Instant end = until.get(Objects.requireNonNull(deployment, "deployment"));
        if (end == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(end)) {
            until.remove(deployment, end);
            return Optional.empty();
        }
        return Optional.of(end);
    }

    /**
     * @param deployment the deployment id
     * @return how long it still rests; zero when it does not
     */
    public Duration remaining(String deployment) {
        return until(deployment).map(end -> Duration.between(clock.instant(), end)).orElse(Duration.ZERO);
    }
}
