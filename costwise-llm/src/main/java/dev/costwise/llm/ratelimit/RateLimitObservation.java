package dev.costwise.llm.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a provider said about its rate limits on one response, read from headers such as OpenAI's
 * {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-tokens}, {@code x-ratelimit-reset-requests} and
 * {@code retry-after}.
 *
 * @param provider the provider id
 * @param model the catalog model the response was for
 * @param limitRequests the request limit of the provider's current window
 * @param remainingRequests requests left in it
 * @param resetRequests time until the request window resets
 * @param limitTokens the token limit of the provider's current window
 * @param remainingTokens tokens left in it
 * @param resetTokens time until the token window resets
 * @param retryAfter the provider's {@code retry-after}, on a 429
 */
public record RateLimitObservation(String provider, String model, OptionalLong limitRequests,
        OptionalLong remainingRequests, Optional<Duration> resetRequests, OptionalLong limitTokens,
        OptionalLong remainingTokens, Optional<Duration> resetTokens, Optional<Duration> retryAfter) {

    public RateLimitObservation {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(limitRequests, "limitRequests");
        Objects.requireNonNull(remainingRequests, "remainingRequests");
        Objects.requireNonNull(resetRequests, "resetRequests");
        Objects.requireNonNull(limitTokens, "limitTokens");
        Objects.requireNonNull(remainingTokens, "remainingTokens");
        Objects.requireNonNull(resetTokens, "resetTokens");
        Objects.requireNonNull(retryAfter, "retryAfter");
        requireNonNegative("limitRequests", limitRequests);
        requireNonNegative("remainingRequests", remainingRequests);
        requireNonNegative("limitTokens", limitTokens);
        requireNonNegative("remainingTokens", remainingTokens);
    }

    /**
     * The observation of the rate-limit headers a provider adapter captured.
     *
     * @param snapshot what the adapter read from one response's headers
     * @return the same limits as an observation
     */
    public static RateLimitObservation from(dev.costwise.llm.provider.http.RateLimitSnapshot snapshot) {
        return new RateLimitObservation(snapshot.provider(), snapshot.model(), snapshot.requestLimit(),
                snapshot.requestsRemaining(), snapshot.requestsReset(), snapshot.tokenLimit(),
                snapshot.tokensRemaining(), snapshot.tokensReset(), snapshot.retryAfter());
    }

    /**
     * Request headers only.
     *
     * @param provider provider id
     * @param model model
     * @param limit request limit
     * @param remaining requests left
     * @param reset time until reset
     * @return the observation
     */
    public static RateLimitObservation ofRequests(String provider, String model, long limit, long remaining,
            Duration reset) {
        return new RateLimitObservation(provider, model, OptionalLong.of(limit), OptionalLong.of(remaining),
                Optional.of(reset), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Token headers only.
     *
     * @param provider provider id
     * @param model model
     * @param limit token limit
     * @param remaining tokens left
     * @param reset time until reset
     * @return the observation
     */
    public static RateLimitObservation ofTokens(String provider, String model, long limit, long remaining,
            Duration reset) {
        return new RateLimitObservation(provider, model, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                OptionalLong.of(limit), OptionalLong.of(remaining), Optional.of(reset), Optional.empty());
    }

    private static void requireNonNegative(String name, OptionalLong v) {
        if (v.isPresent() && v.getAsLong() < 0) {
            throw new IllegalArgumentException(name + " cannot be negative, was " + v.getAsLong());
        }
    }
}
