package dev.costwise.gateway.pipeline;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A virtual key's requests- and tokens-per-minute limits and what its sliding minute counts once a request is
 * admitted (that request and its token estimate included), for OpenAI's {@code x-ratelimit-*} response headers.
 *
 * @param rpm the key's requests per minute, if limited
 * @param requests requests in the minute
 * @param tpm the key's tokens per minute, if limited
 * @param tokens tokens in the minute (estimates until corrected)
 */
public record KeyUsage(OptionalInt rpm, long requests, OptionalInt tpm, long tokens) {
    /** @return requests left in the minute, if limited */
    public OptionalInt remainingRequests() {
        return rpm.isPresent() ? OptionalInt.of((int) Math.max(0, rpm.getAsInt() - requests)) : OptionalInt.empty();
    }

    /** @return tokens left in the minute, if limited */
    public Optional<Long> remainingTokens() {
        return tpm.isPresent() ? Optional.of(Math.max(0, tpm.getAsInt() - tokens)) : Optional.empty();
    }
}
