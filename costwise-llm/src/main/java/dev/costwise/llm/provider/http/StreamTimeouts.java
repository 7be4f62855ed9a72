package dev.costwise.llm.provider.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits on a streamed response, enforced by {@link GuardedStream}'s watchdog.
 *
 * <p>The first token is the first output of the model (text, a tool call, reasoning), not the first event: the
 * metadata and keep-alive events providers send at once (Anthropic's {@code message_start} and {@code ping},
 * OpenAI's role-only chunk) do not count.
 *
 * @param firstToken the longest wait, from sending the request, for the first token; empty for none
 * @param total the longest the whole stream may take; empty for none
 */
public record StreamTimeouts(Optional<Duration> firstToken, Optional<Duration> total) {

    /** No limits beyond the transport's read timeout. */
    public static final StreamTimeouts NONE = new StreamTimeouts(Optional.empty(), Optional.empty());

    public StreamTimeouts {
        Objects.requireNonNull(firstToken, "firstToken");
        Objects.requireNonNull(total, "total");
        firstToken.ifPresent(d -> requirePositive("firstToken", d));
        total.ifPresent(d -> requirePositive("total", d));
    }

    /**
     * Both limits.
     *
     * @param firstToken the first-token limit
     * @param total the whole-stream limit
     * @return the limits
     * @throws IllegalArgumentException if either is not positive
     */
    public static StreamTimeouts of(Duration firstToken, Duration total) {
        return new StreamTimeouts(Optional.of(firstToken), Optional.of(total));
    }

    /**
     * These limits with the total narrowed to at most {@code remaining} (a request deadline).
     *
     * @param remaining time left before the caller's deadline
     * @return the narrowed limits
     */
    public StreamTimeouts narrowTotal(Duration remaining) {
        Duration r = remaining.isNegative() || remaining.isZero() ? Duration.ofMillis(1) : remaining;
        Duration t = total.map(d -> d.compareTo(r) <= 0 ? d : r).orElse(r);
        return new StreamTimeouts(firstToken, Optional.of(t));
    }

    /** @return {@code true} when neither limit is set */
    public boolean isNone() {
        return firstToken.isEmpty() && total.isEmpty();
    }

    private static void requirePositive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive, was " + d);
        }
    }
}
