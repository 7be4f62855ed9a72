package dev.costwise.llm.provider.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a provider's rate-limit headers said on one response: limits, what remains, when the windows reset, and any
 * {@code Retry-After}. The usage tracker reads these to route away from a model before its limit is hit.
 *
 * @param provider the provider id
 * @param model the model the call was for
 * @param at when the response arrived
 * @param status the HTTP status of the response
 * @param requestLimit requests allowed per window ({@code x-ratelimit-limit-requests})
 * @param requestsRemaining requests left in the window ({@code x-ratelimit-remaining-requests})
 * @param requestsReset time until the request window resets ({@code x-ratelimit-reset-requests})
 * @param tokenLimit tokens allowed per window ({@code x-ratelimit-limit-tokens})
 * @param tokensRemaining tokens left in the window ({@code x-ratelimit-remaining-tokens})
 * @param tokensReset time until the token window resets ({@code x-ratelimit-reset-tokens})
 * @param retryAfter the provider's {@code retry-after-ms} or {@code retry-after}
 */
public record RateLimitSnapshot(String provider, String model, Instant at, int status, OptionalLong requestLimit,
        OptionalLong requestsRemaining, Optional<Duration> requestsReset, OptionalLong tokenLimit,
        OptionalLong tokensRemaining, Optional<Duration> tokensReset, Optional<Duration> retryAfter) {

    public RateLimitSnapshot {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(requestLimit, "requestLimit");
        Objects.requireNonNull(requestsRemaining, "requestsRemaining");
        Objects.requireNonNull(requestsReset, "requestsReset");
        Objects.requireNonNull(tokenLimit, "tokenLimit");
        Objects.requireNonNull(tokensRemaining, "tokensRemaining");
        Objects.requireNonNull(tokensReset, "tokensReset");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** @return {@code true} when the response carried none of the headers */
    public boolean isEmpty() {
        return requestLimit.isEmpty() && requestsRemaining.isEmpty() && requestsReset.isEmpty()
                && tokenLimit.isEmpty() && tokensRemaining.isEmpty() && tokensReset.isEmpty() && retryAfter.isEmpty();
    }
}
