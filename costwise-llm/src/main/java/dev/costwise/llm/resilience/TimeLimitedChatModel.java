package dev.costwise.llm.resilience;

import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Timeout;
import dev.costwise.core.recovery.TimeoutExceededException;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A {@link ChatModel} whose calls and streams a core {@link Timeout} bounds, on the caller's thread, so that what a
 * timed-out attempt cost is in the context before its caller gets the timeout.
 *
 * <p>A call is bounded by the timeout, or by the time left before the context's deadline if that is less (a context
 * with no time left fails at once, and nothing is sent). It runs on its caller's thread whatever the timeout's
 * {@link Timeout.Isolation}, on a {@linkplain WorkflowContext#fork(String) fork} of the context whose deadline is
 * narrowed to the bound, and whose records join the context once the bound has said whether the call ended in time:
 * a provider adapter stops waiting for its exchange at that deadline (the exchange itself is never interrupted, see
 * {@link dev.costwise.llm.provider.http.DeadlineBoundExchange}) and records the attempt as
 * {@linkplain dev.costwise.llm.cost.Outcome#FAILED failed} with error kind {@code timeout}, at what its provider is
 * known to have billed ($0: the cut-off exchange reported nothing). When the bound expires first, the fork's
 * deadline is expired and then the caller's thread is interrupted, which stops a model that keeps to no deadline and
 * which an adapter takes for the same timeout. Either way the caller gets {@link TimeoutExceededException}, or
 * {@link DeadlineExceededException} when the context's deadline set the bound, with what the model threw as
 * suppressed, only once the attempt's cost record is in the context, and with no interrupt of the timeout's left on
 * its thread. A failure from below at or after the bound's end is the bound's; an answer that comes after it is
 * dropped for the bound's failure, and its {@linkplain dev.costwise.llm.cost.Outcome#SUCCESS successful} cost records
 * join the context {@linkplain CostRecord#timedOut() failed with error kind timeout}, keeping what they cost.
 *
 * <p>A stream is bounded from the moment it is asked for:
 * its first chunk and its end must both come within the timeout, or within the time left before the context's
 * deadline if that is less (a context with no time left fails at once, and nothing is sent). The bound is the one
 * clock on the stream: the context's deadline is left as it is (a provider adapter enforcing a narrowed copy would
 * race the bound for the same instant, and other calls on the context must not see it). When the bound expires, the
 * upstream stream is closed from the timeout's scheduler, so the provider stops generating and billing, and its output
 * so far is recorded as an {@linkplain dev.costwise.llm.cost.Outcome#ABORTED aborted} attempt; while it is still being
 * opened, the opening thread is interrupted instead. The reader then gets {@link TimeoutExceededException}, or
 * {@link DeadlineExceededException} when the context's deadline set the bound, with whatever the upstream threw as
 * suppressed, and only once the aborted attempt's cost record is in the context: a budget, a meter or a ledger writer
 * that catches the exception finds it there. A failure from below at or after the bound's end (a provider's own
 * deadline firing first) is the bound's too, so the reader always gets the same exception. The {@code timeout} event
 * and metrics are the timeout's own. A stream is opened and read on its caller's thread whatever the timeout's
 * {@link Timeout.Isolation}.
 *
 * <pre>{@code
 * ChatModel bounded = TimeLimitedChatModel.of(Timeout.of("openai-timeout", Duration.ofSeconds(20)), gpt4o);
 * }</pre>
 *
 * <p>The one duration bounds the first chunk and the end alike. For a separate first-token or between-chunks limit
 * ("first token within 5 s, whole answer within 2 min"), set the adapter's
 * {@code streamTimeouts(StreamTimeouts.of(firstToken, total))} (with an optional idle limit), or narrow them for the
 * calls on one context with {@link dev.costwise.llm.provider.http.StreamTimeouts#install}; this timeout then bounds
 * the whole attempt around them.
 *
 * <p>Its {@link #name()} and {@link #provider()} are the model's. Immutable and thread-safe.
 */
public final class TimeLimitedChatModel extends DecoratedChatModel {

    private final Timeout timeout;

    private TimeLimitedChatModel(Timeout timeout, ChatModel model) {
        super(model, (request, context) -> call(timeout, model, request, context));
        this.timeout = timeout;
    }

    /**
     * Decorates a model with a timeout.
     *
     * @param timeout the timeout; may bound other models and primitives too
     * @param model the model to bound
     * @return the bounded model
     */
    public static TimeLimitedChatModel of(Timeout timeout, ChatModel model) {
        return new TimeLimitedChatModel(Objects.requireNonNull(timeout, "timeout"),
                Objects.requireNonNull(model, "model"));
    }

    /** @return the timeout */
    public Timeout timeout() {
        return timeout;
    }

    /**
     * Streams a completion that must end within the bound.
     *
     * @param request the request
     * @param context the request's context
     * @return the open stream, whose reads fail with the typed timeout once the bound expires; the caller must close
     *     it
     * @throws DeadlineExceededException if the bound expired while the stream was opened, or the context had no time
     *     left ({@link TimeoutExceededException} when the timeout set the bound)
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        Upstream upstream = new Upstream();
        Timeout.Bound bound = timeout.start(context, upstream::expire);
        Optional<ChatStream> opened;
        try {
            opened = upstream.open(() -> model().stream(request, context));
        } catch (RuntimeException e) {
            throw failure(bound, e);
        }
        if (opened.isEmpty()) {
            bound.onFailure();
            throw bound.expired();
        }
        return new BoundedStream(opened.get(), bound);
    }

    /**
     * Runs one call on the caller's thread, on a fork whose deadline is the bound's: see the class comment.
     *
     * @throws DeadlineExceededException if the bound expired ({@link TimeoutExceededException} when the timeout set
     *     it), or the context had no time left
     */
    private static ChatResponse call(Timeout timeout, ChatModel model, ChatRequest request, WorkflowContext context) {
        // a fork, not a scope: its records join the context once the bound says whether the answer came in time
        WorkflowContext call = context.fork("");
        CallerStop stop = new CallerStop(call, Thread.currentThread());
        Timeout.Bound bound = timeout.start(context, stop::expire);
        call.narrowDeadline(bound.duration());
        UnaryOperator<CostRecord> outcome = UnaryOperator.identity();
        try {
            ChatResponse response;
            try {
                response = model.execute(request, call);
            } catch (RuntimeException e) {
                RuntimeException thrown = failure(bound, e);
                stop.clearInterrupt();
                throw thrown;
            } catch (Error e) {
                bound.onFailure();
                stop.clearInterrupt();
                throw e;
            }
            boolean inTime = bound.onSuccess();
            stop.clearInterrupt();
            if (!inTime) {
                outcome = TimeLimitedChatModel::dropped;
                throw bound.expired();
            }
            return response;
        } finally {
            CostRecords.rejoin(call, context, outcome);
        }
    }

    /** @return what an attempt's record becomes when its answer came too late: a success is a timeout that billed */
    private static CostRecord dropped(CostRecord attempt) {
        return attempt.outcome() == Outcome.SUCCESS ? attempt.timedOut() : attempt;
    }

    /** @return {@code failure} if it came in time, else the timeout's failure with {@code failure} suppressed */
    private static RuntimeException failure(Timeout.Bound bound, RuntimeException failure) {
        if (bound.onFailure()) {
            return failure;
        }
        DeadlineExceededException expired = bound.expired();
        expired.addSuppressed(failure);
        return expired;
    }

    @Override
    public String toString() {
        return "TimeLimitedChatModel[" + timeout + ", " + model() + "]";
    }

    /**
     * Stops a call whose bound expired: expires the deadline of the fork it runs on (so an adapter waiting for its
     * exchange takes the interrupt for that deadline's timeout), then interrupts the caller's thread; the caller
     * clears that interrupt once the bound has reported, which waits for this to have run. An interrupt someone else
     * sent before (a shutdown, a cancel) is the caller's to see: it is kept.
     */
    private record CallerStop(WorkflowContext call, Thread caller, AtomicBoolean interrupted,
            AtomicBoolean interruptedBefore) {
        CallerStop(WorkflowContext call, Thread caller) {
            this(call, caller, new AtomicBoolean(), new AtomicBoolean());
        }

        /** Runs on the timeout's scheduler when the bound expires, or on the caller's thread when it expires late. */
        void expire() {
            call.narrowDeadline(Duration.ZERO);
            interruptedBefore.set(caller.isInterrupted());
            interrupted.set(true);
            caller.interrupt();
        }

        /**
         * Clears the interrupt {@link #expire} sent, if it sent one, and restores one that was there before it; call
         * after the bound has reported.
         */
        void clearInterrupt() {
            if (interrupted.get() && Thread.interrupted() && interruptedBefore.get()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The stream a bound stops: closed when it expires, or, while it is still being opened, its opening thread
     * interrupted (an interrupt that is then cleared, as it was ours, unless someone else's was there before).
     */
    private static final class Upstream {
        private ChatStream stream;
        private Thread opener;
        private boolean expired;
        private boolean interrupted;
        /** Whether the opener was interrupted by someone else before {@link #expire} interrupted it: kept if so. */
        private boolean interruptedBefore;

        /** @return the opened stream, or empty when the bound expired before it could be opened */
        Optional<ChatStream> open(Supplier<ChatStream> opening) {
            synchronized (this) {
                if (expired) {
                    return Optional.empty();
                }
                opener = Thread.currentThread();
            }
            ChatStream opened = null;
            try {
                opened = opening.get();
                return Optional.of(opened);
            } finally {
                boolean closeNow;
                synchronized (this) {
                    opener = null;
                    if (interrupted && Thread.interrupted() && interruptedBefore) {
                        Thread.currentThread().interrupt();
                    }
                    stream = opened;
                    closeNow = expired && opened != null;
                }
                if (closeNow) {
                    opened.close(); // its reader then finds it ended and gets the timeout's failure
                }
            }
        }

        /** Runs on the timeout's scheduler when the bound expires. */
        void expire() {
            ChatStream toClose;
            synchronized (this) {
                expired = true;
                toClose = stream;
                if (toClose == null && opener != null) {
                    interruptedBefore = opener.isInterrupted();
                    interrupted = true;
                    opener.interrupt();
                }
            }
            if (toClose != null) {
                toClose.close();
            }
        }
    }

    /** Ends the bound with the stream, and turns what the upstream did after the bound expired into its failure. */
    private static final class BoundedStream extends ObservedChatStream {
        private final Timeout.Bound bound;

        BoundedStream(ChatStream inner, Timeout.Bound bound) {
            super(inner);
            this.bound = bound;
        }

        @Override
        RuntimeException onFailed(RuntimeException failure) {
            return failure(bound, failure);
        }

        @Override
        void onEnded() {
            // a stream closed on expiry reads as ended: that end is the timeout's
            if (!bound.onSuccess()) {
                throw bound.expired();
            }
        }

        @Override
        void onClosedEarly(boolean chunkHanded) {
            bound.release();
        }
    }
}
