package dev.costwise.llm.provider.anthropic;

import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads Anthropic's rate-limit headers (https://docs.claude.com/en/api/rate-limits#response-headers).
 *
 * <p>{@code anthropic-ratelimit-requests-limit}, {@code -remaining} and {@code -reset} (an RFC 3339 instant) fill the
 * request side. The snapshot has one token dimension: it takes whichever of {@code anthropic-ratelimit-tokens-*},
 * {@code -input-tokens-*} and {@code -output-tokens-*} has the least share left, so a router reading it leaves the
 * model before any of them runs out (an output limit nearly spent counts even while input tokens are plentiful). When
 * none gives both a limit and what remains, it takes the first sent in that order. {@code retry-after} is in seconds.
 */
final class AnthropicRateLimits {

    private static final String PREFIX = "anthropic-ratelimit-";
    private static final List<String> TOKEN_DIMENSIONS = List.of("tokens", "input-tokens", "output-tokens");

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
        String tokens = tightestTokens(headers);
        RateLimitSnapshot s = new RateLimitSnapshot(provider, model, now, status,
                number(headers, PREFIX + "requests-limit"), number(headers, PREFIX + "requests-remaining"),
                reset(headers, PREFIX + "requests-reset", now),
                number(headers, PREFIX + tokens + "-limit"), number(headers, PREFIX + tokens + "-remaining"),
                reset(headers, PREFIX + tokens + "-reset", now),
                RateLimitHeaderParser.retryAfter(headers, now));
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** @return the token dimension ({@code tokens}, {@code input-tokens}, {@code output-tokens}) with least left */
    private static String tightestTokens(HttpHeaders headers) {
        String tightest = null;
        double least = Double.MAX_VALUE;
        for (String dimension : TOKEN_DIMENSIONS) {
            OptionalLong limit = number(headers, PREFIX + dimension + "-limit");
            OptionalLong remaining = number(headers, PREFIX + dimension + "-remaining");
            if (limit.isPresent() && limit.getAsLong() > 0 && remaining.isPresent()
                    && (double) remaining.getAsLong() / limit.getAsLong() < least) {
                least = (double) remaining.getAsLong() / limit.getAsLong();
                tightest = dimension;
            }
        }
        if (tightest != null) {
            return tightest;
        }
        for (String dimension : TOKEN_DIMENSIONS) {
            if (headers.first(PREFIX + dimension + "-limit").isPresent()) {
                return dimension;
            }
        }
        return "output-tokens";
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
