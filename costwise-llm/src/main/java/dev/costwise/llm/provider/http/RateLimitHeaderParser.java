package dev.costwise.llm.provider.http;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads rate-limit and retry headers.
 *
 * <p>OpenAI-style headers (also sent by Groq, Together, DeepSeek and others): {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests} as a Go duration such as {@code 1s} or
 * {@code 6m0s}, and the same for {@code -tokens}. Retry: {@code retry-after-ms} (milliseconds, as the OpenAI SDKs read
 * it) wins over {@code retry-after} (seconds or an HTTP date).
 *
 * @see <a href="https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers">OpenAI rate limits in
 *     headers</a>
 */
public final class RateLimitHeaderParser {

    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private RateLimitHeaderParser() {}

    /**
     * Reads OpenAI-style rate-limit headers.
     *
     * @param provider the provider id
     * @param model the model the call was for
     * @param status the response status
     * @param headers the response headers
     * @param now the current time (for an HTTP-date {@code retry-after})
     * @return the snapshot, or empty when the response had none of the headers
     */
    public static Optional<RateLimitSnapshot> openAiStyle(String provider, String model, int status,
            HttpHeaders headers, Instant now) {
        RateLimitSnapshot s = new RateLimitSnapshot(provider, model, now, status,
                longHeader(headers, "x-ratelimit-limit-requests"),
                longHeader(headers, "x-ratelimit-remaining-requests"),
                headers.first("x-ratelimit-reset-requests").flatMap(RateLimitHeaderParser::goDuration),
                longHeader(headers, "x-ratelimit-limit-tokens"),
                longHeader(headers, "x-ratelimit-remaining-tokens"),
                headers.first("x-ratelimit-reset-tokens").flatMap(RateLimitHeaderParser::goDuration),
                retryAfter(headers, now));
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /**
     * Reads how long the provider asks to wait: {@code retry-after-ms}, else {@code retry-after} in seconds (decimals
     * allowed) or as an HTTP date. Unreadable values are ignored.
     *
     * @param headers the response headers
     * @param now the current time
     * @return the wait, never negative, if the provider gave one
     */
    public static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        Optional<Duration> ms = headers.first("retry-after-ms").flatMap(v -> decimal(v))
                .map(d -> Duration.ofNanos(d.multiply(BigDecimal.valueOf(1_000_000)).longValue()));
        if (ms.isPresent()) {
            return ms.filter(d -> !d.isNegative());
        }
        return headers.first("retry-after").flatMap(v -> {
            Optional<BigDecimal> seconds = decimal(v);
            if (seconds.isPresent()) {
                return seconds.map(s -> Duration.ofNanos(s.multiply(BigDecimal.valueOf(1_000_000_000)).longValue()))
                        .filter(d -> !d.isNegative());
            }
            try {
                Instant when = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(now, when);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * When the provider's rate limits let a call in again, for a 429 that gave no {@code retry-after}: the later of
     * {@code x-ratelimit-reset-requests} and {@code x-ratelimit-reset-tokens} among the limits whose
     * {@code x-ratelimit-remaining-*} is 0 (all of them when none says 0), as OpenAI and Groq send them. A reset is
     * when the limit is whole again; a call may fit sooner, so callers bound the wait.
     *
     * @param header reads a response header by name
     * @return the wait, never negative, if a reset was given
     */
    public static Optional<Duration> untilReset(Function<String, Optional<String>> header) {
        Optional<Duration> requests = header.apply("x-ratelimit-reset-requests")
                .flatMap(RateLimitHeaderParser::goDuration);
        Optional<Duration> tokens = header.apply("x-ratelimit-reset-tokens")
                .flatMap(RateLimitHeaderParser::goDuration);
        boolean requestsOut = spent(header.apply("x-ratelimit-remaining-requests"));
        boolean tokensOut = spent(header.apply("x-ratelimit-remaining-tokens"));
        Stream<Optional<Duration>> resets = requestsOut || tokensOut
                ? Stream.of(requestsOut ? requests : Optional.empty(), tokensOut ? tokens : Optional.empty())
                : Stream.of(requests, tokens);
        return resets.flatMap(Optional::stream).filter(d -> !d.isNegative()).max(Duration::compareTo);
    }

    private static boolean spent(Optional<String> remaining) {
        return remaining.map(String::trim).filter(v -> v.equals("0")).isPresent();
    }

    /**
     * Parses a Go-style duration as OpenAI and Groq send it: {@code 1s}, {@code 6m0s}, {@code 20ms},
     * {@code 2m59.56s}, {@code 1h30m}. A bare number is read as seconds.
     *
     * @param text the header value
     * @return the duration, or empty when it cannot be read
     */
    public static Optional<Duration> goDuration(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Optional<BigDecimal> bare = decimal(t);
        if (bare.isPresent()) {
            return Optional.of(Duration.ofNanos(bare.get().multiply(BigDecimal.valueOf(1_000_000_000)).longValue()));
        }
        Matcher m = GO_DURATION_PART.matcher(t);
        int pos = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (m.find()) {
            if (m.start() != pos) {
                return Optional.empty();
            }
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
            pos = m.end();
        }
        return pos == t.length() && pos > 0 ? Optional.of(Duration.ofNanos(nanos.longValue())) : Optional.empty();
    }

    private static OptionalLong longHeader(HttpHeaders headers, String name) {
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

    private static Optional<BigDecimal> decimal(String v) {
        try {
            return Optional.of(new BigDecimal(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
