package dev.costwise.llm.provider.anthropic;

import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads Anthropic's rate-limit headers (https://docs.claude.com/en/api/rate-limits#response-headers).
 *
 * <p>{@code anthropic-ratelimit-requests-limit}, {@code -remaining} and {@code -reset} (an RFC 3339 instant) fill the
 * request side. The token side takes {@code anthropic-ratelimit-tokens-*} (the most restrictive of Anthropic's token
 * limits) and falls back to {@code anthropic-ratelimit-input-tokens-*}, the limit prompts usually hit first; the
 * snapshot has one token dimension, so {@code anthropic-ratelimit-output-tokens-*} is only used when neither is sent.
 * {@code retry-after} is in seconds.
 */
final class AnthropicRateLimits {

    private static final String PREFIX = "anthropic-ratelimit-";

    private AnthropicRateLimits() {}

    /**
     * @param provider provider id
     * @param model model name
     * @param status HTTP status
     * @param headers response headers
     * @param now the current time, to turn reset instants into durations
     * @return the snapshot, or empty when the response had no rate-limit header
     */
    static Optional<RateLimitSnapshot> read(String provider, String model, int status, HttpHeaders headers,
            Instant now) {
        String tokens = headers.first(PREFIX + "tokens-limit").isPresent() ? "tokens"
                : headers.first(PREFIX + "input-tokens-limit").isPresent() ? "input-tokens" : "output-tokens";
        RateLimitSnapshot s = new RateLimitSnapshot(provider, model, now, status,
                number(headers, PREFIX + "requests-limit"), number(headers, PREFIX + "requests-remaining"),
                reset(headers, PREFIX + "requests-reset", now),
                number(headers, PREFIX + tokens + "-limit"), number(headers, PREFIX + tokens + "-remaining"),
                reset(headers, PREFIX + tokens + "-reset", now),
                RateLimitHeaderParser.retryAfter(headers, now));
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static OptionalLong number(HttpHeaders headers, String name) {
        Optional<String> v = headers.first(name);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Optional<Duration> reset(HttpHeaders headers, String name, Instant now) {
        return headers.first(name).flatMap(v -> {
            try {
                Duration d = Duration.between(now, OffsetDateTime.parse(v.trim()).toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }
}
