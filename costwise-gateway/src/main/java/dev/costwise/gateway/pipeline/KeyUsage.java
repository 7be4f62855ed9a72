package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsageSnapshot;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A virtual key's requests- and tokens-per-minute limits and what its sliding minute counts, for OpenAI's
 * {@code x-ratelimit-*} response headers.
 *
 * @param rpm the key's requests per minute, if limited
 * @param requests requests in the minute
 * @param tpm the key's tokens per minute, if limited
 * @param tokens tokens in the minute (estimates until corrected)
 */
public record KeyUsage(Optional<Integer> rpm, long requests, Optional<Integer> tpm, long tokens) {
    /** @return the key's limits with these counts */
    static KeyUsage of(VirtualKey key, long requests, long tokens) {
        return new KeyUsage(key.rpm(), requests, key.tpm(), tokens);
    }

    /** @return the key's limits with a shared limiter's counts of the minute */
    static KeyUsage of(VirtualKey key, UsageSnapshot counted) {
        return of(key, counted.requestsLastMinute(), counted.tokensLastMinute());
    }

    /**
     * @return this replica's share of a key's limits (applied alone while Redis is unreachable) with its own counts
     */
    static KeyUsage ofShare(RateLimits share, UsageSnapshot counted) {
        return new KeyUsage(perMinute(share.requestsPerMinute()), counted.requestsLastMinute(),
                perMinute(share.tokensPerMinute()), counted.tokensLastMinute());
    }

    private static Optional<Integer> perMinute(OptionalLong limit) {
        return limit.isPresent() ? Optional.of((int) Math.min(Integer.MAX_VALUE, limit.getAsLong()))
                : Optional.empty();
    }

    /** @return requests left in the minute, if limited */
    public Optional<Long> remainingRequests() {
        return rpm.map(limit -> Math.max(0, limit - requests));
    }

    /** @return tokens left in the minute, if limited */
    public Optional<Long> remainingTokens() {
        return tpm.map(limit -> Math.max(0, limit - tokens));
    }
}
