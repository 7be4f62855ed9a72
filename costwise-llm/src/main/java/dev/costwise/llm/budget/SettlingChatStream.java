package dev.costwise.llm.budget;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stream that settles its budget reservation when it ends: to the response's cost when read to the end, to the cost
 * records the model appended when it fails or is closed early, and to the whole reservation when an aborted stream left
 * no record (what was generated before the abort is unknown, so the worst case is kept). Closed from another thread
 * while its reader waits, it ends for the reader as the wrapped stream does: {@link #hasNext()} returns {@code false}.
 */
final class SettlingChatStream implements ChatStream {

    private final ChatStream inner;
    private final Reservation reservation;
    private final CallCosts costs;
    private final Consumer<ChatResponse> onEnd;
    /** Set before the wrapped stream is closed, so a reader it ends on another thread knows it was closed early. */
    private volatile boolean closed;

    /** @param onEnd gets the whole response when the stream is read to its end */
    SettlingChatStream(ChatStream inner, Reservation reservation, CallCosts costs, Consumer<ChatResponse> onEnd) {
        this.inner = inner;
        this.reservation = reservation;
        this.costs = costs;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        boolean more;
        try {
            more = inner.hasNext();
        } catch (RuntimeException e) {
            settleFromRecordsOrRelease();
            throw e;
        }
        if (!more && closed) {
            return false; // closed from another thread (a UI's stop button): ended as the wrapped stream ends, close
                          // settles it
        }
        if (!more) {
            reservation.settle(costs.spend().orElseGet(() -> Spend.unattributed(inner.response().cost())));
            onEnd.accept(inner.response());
        }
        return more;
    }

    @Override
    public ChatChunk next() {
        try {
            return inner.next();
        } catch (RuntimeException e) {
            settleFromRecordsOrRelease();
            throw e;
        }
    }

    @Override
    public ChatResponse response() {
        return inner.response();
    }

    @Override
    public void onKeepAlive(Runnable listener) {
        inner.onKeepAlive(listener);
    }

    @Override
    public Optional<Usage> usageSoFar() {
        return inner.usageSoFar();
    }

    @Override
    public void close() {
        closed = true;
        try {
            inner.close();
        } finally {
            costs.spend().ifPresentOrElse(reservation::settle, reservation::settleAtWorstCase);
        }
    }

    private void settleFromRecordsOrRelease() {
        costs.spend().ifPresentOrElse(reservation::settle, reservation::release);
    }
}
