package dev.costwise.llm.provider.http;

import dev.costwise.core.WorkflowContext;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits on a streamed response, enforced by {@link GuardedStream}'s watchdog.
 *
 * <p>The first token is the first output of the model (text, a tool call, reasoning), not the first event: the
 * metadata and keep-alive events providers send at once (Anthropic's {@code message_start} and {@code ping},
 * OpenAI's role-only chunk) do not count. The idle limit is the longest wait for the next bytes of the stream, counted
 * from sending the request and again after each read: a long answer that keeps coming is never cut by it, a stream
 * that stalls is. An adapter's limits apply to every call; a caller may narrow them for the calls made on one context
 * ({@link #install}), and the context's deadline always narrows the total.
 *
 * @param firstToken the longest wait, from sending the request, for the first token; empty for none
 * @param total the longest the whole stream may take; empty for none
 * @param idle the longest wait for the next bytes (between chunks); empty for only the transport's read timeout
 */
public record StreamTimeouts(Optional<Duration> firstToken, Optional<Duration> total, Optional<Duration> idle) {

    /** No limits beyond the transport's read timeout. */
    public static final StreamTimeouts NONE = new StreamTimeouts(Optional.empty(), Optional.empty(), Optional.empty());

    /** The {@link WorkflowContext#metadata() metadata} key of the limits {@link #install installed} on a context. */
    public static final String METADATA_KEY = "costwise.streamTimeouts";

    public StreamTimeouts {
        Objects.requireNonNull(firstToken, "firstToken");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(idle, "idle");
        firstToken.ifPresent(d -> requirePositive("firstToken", d));
        total.ifPresent(d -> requirePositive("total", d));
        idle.ifPresent(d -> requirePositive("idle", d));
    }

    /**
     * A first-token and a total limit, without an idle one.
     *
     * @param firstToken the first-token limit; empty for none
     * @param total the whole-stream limit; empty for none
     */
    public StreamTimeouts(Optional<Duration> firstToken, Optional<Duration> total) {
        this(firstToken, total, Optional.empty());
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
     * Only an idle limit: the longest wait between chunks.
     *
     * @param idle the limit
     * @return the limits
     * @throws IllegalArgumentException if it is not positive
     */
    public static StreamTimeouts idleOnly(Duration idle) {
        return new StreamTimeouts(Optional.empty(), Optional.empty(), Optional.of(idle));
    }

    /**
     * These limits with an idle limit.
     *
     * @param limit the longest wait for the next bytes of the stream
     * @return the limits
     * @throws IllegalArgumentException if it is not positive
     */
    public StreamTimeouts withIdle(Duration limit) {
        return new StreamTimeouts(firstToken, total, Optional.of(limit));
    }

    /**
     * These limits with the total narrowed to at most {@code remaining} (a request deadline).
     *
     * @param remaining time left before the caller's deadline
     * @return the narrowed limits
     */
    public StreamTimeouts narrowTotal(Duration remaining) {
        Duration r = remaining.isNegative() || remaining.isZero() ? Duration.ofMillis(1) : remaining;
        return new StreamTimeouts(firstToken, Optional.of(shorter(total, Optional.of(r)).orElseThrow()), idle);
    }

    /**
     * The tighter of these limits and {@code other}'s, one by one.
     *
     * @param other other limits
     * @return each limit at the shorter of the two, or the one set
     */
    public StreamTimeouts narrowTo(StreamTimeouts other) {
        return new StreamTimeouts(shorter(firstToken, other.firstToken), shorter(total, other.total),
                shorter(idle, other.idle));
    }

    /** @return {@code true} when no limit is set */
    public boolean isNone() {
        return firstToken.isEmpty() && total.isEmpty() && idle.isEmpty();
    }

    /**
     * Narrows the limits of every stream an adapter opens for calls made on {@code context} (and its forks, which
     * share its metadata): each stream keeps the tighter of its adapter's limits and these. A gateway whose timeout
     * per attempt is a limit between chunks, while its request deadline bounds the whole stream, installs
     * {@code idleOnly(attemptTimeout)} on a context whose deadline is the request's.
     *
     * @param context the calls' context
     * @param limits the limits; replaces any installed before
     */
    public static void install(WorkflowContext context, StreamTimeouts limits) {
        Objects.requireNonNull(context, "context").metadata().put(METADATA_KEY, Objects.requireNonNull(limits,
                "limits"));
    }

    /**
     * The limits {@link #install installed} on a context.
     *
     * @param context the call's context
     * @return the limits, if any were installed
     */
    public static Optional<StreamTimeouts> installed(WorkflowContext context) {
        return context.metadata().get(METADATA_KEY) instanceof StreamTimeouts t ? Optional.of(t) : Optional.empty();
    }

    private static Optional<Duration> shorter(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.get().compareTo(b.get()) <= 0 ? a : b;
    }

    private static void requirePositive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive, was " + d);
        }
    }
}
