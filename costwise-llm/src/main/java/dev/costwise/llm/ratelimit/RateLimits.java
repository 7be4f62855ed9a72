package dev.costwise.llm.ratelimit;

import dev.costwise.llm.catalog.FreeTier;
import java.util.OptionalLong;

/**
 * The request and token limits of a model or provider, per minute, hour and day. Any limit may be unknown.
 *
 * @param requestsPerMinute RPM
 * @param requestsPerHour requests per hour (the spec's Gemini tracker counts hourly)
 * @param requestsPerDay RPD
 * @param tokensPerMinute TPM (input plus output)
 * @param tokensPerHour tokens per hour
 * @param tokensPerDay TPD
 */
public record RateLimits(OptionalLong requestsPerMinute, OptionalLong requestsPerHour, OptionalLong requestsPerDay,
        OptionalLong tokensPerMinute, OptionalLong tokensPerHour, OptionalLong tokensPerDay) {

    /** No known limit. */
    public static final RateLimits NONE = new RateLimits(OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

    public RateLimits {
        check("requestsPerMinute", requestsPerMinute);
        check("requestsPerHour", requestsPerHour);
        check("requestsPerDay", requestsPerDay);
        check("tokensPerMinute", tokensPerMinute);
        check("tokensPerHour", tokensPerHour);
        check("tokensPerDay", tokensPerDay);
    }

    /**
     * The documented limits of a free tier.
     *
     * @param tier the free tier
     * @return its limits (no hourly ones: free tiers document minutes and days)
     */
    public static RateLimits from(FreeTier tier) {
        return new RateLimits(tier.requestsPerMinute(), OptionalLong.empty(), tier.requestsPerDay(),
                tier.tokensPerMinute(), OptionalLong.empty(), tier.tokensPerDay());
    }

    /** @param limit requests per minute; @return a copy with that limit */
    public RateLimits withRequestsPerMinute(long limit) {
        return new RateLimits(OptionalLong.of(limit), requestsPerHour, requestsPerDay, tokensPerMinute, tokensPerHour,
                tokensPerDay);
    }

    /** @param limit requests per hour; @return a copy with that limit */
    public RateLimits withRequestsPerHour(long limit) {
        return new RateLimits(requestsPerMinute, OptionalLong.of(limit), requestsPerDay, tokensPerMinute,
                tokensPerHour, tokensPerDay);
    }

    /** @param limit requests per day; @return a copy with that limit */
    public RateLimits withRequestsPerDay(long limit) {
        return new RateLimits(requestsPerMinute, requestsPerHour, OptionalLong.of(limit), tokensPerMinute,
                tokensPerHour, tokensPerDay);
    }

    /** @param limit tokens per minute; @return a copy with that limit */
    public RateLimits withTokensPerMinute(long limit) {
        return new RateLimits(requestsPerMinute, requestsPerHour, requestsPerDay, OptionalLong.of(limit),
                tokensPerHour, tokensPerDay);
    }

    /** @param limit tokens per hour; @return a copy with that limit */
    public RateLimits withTokensPerHour(long limit) {
        return new RateLimits(requestsPerMinute, requestsPerHour, requestsPerDay, tokensPerMinute,
                OptionalLong.of(limit), tokensPerDay);
    }

    /** @param limit tokens per day; @return a copy with that limit */
    public RateLimits withTokensPerDay(long limit) {
        return new RateLimits(requestsPerMinute, requestsPerHour, requestsPerDay, tokensPerMinute, tokensPerHour,
                OptionalLong.of(limit));
    }

    /** @return {@code true} if no limit is known */
    public boolean isEmpty() {
        return this.equals(NONE);
    }

    private static void check(String name, OptionalLong value) {
        java.util.Objects.requireNonNull(value, name);
        if (value.isPresent() && value.getAsLong() < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value.getAsLong());
        }
    }
}
