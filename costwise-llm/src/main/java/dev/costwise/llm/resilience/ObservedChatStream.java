package dev.costwise.llm.resilience;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream that tells its subclass once how the stream it wraps ended: read to its end, failed, or closed by its
 * reader before the end (and whether a chunk had reached the reader by then). {@link #next()} reads through
 * {@link #hasNext()}, so every read is observed. {@link #close()} may be called from another thread.
 */
abstract class ObservedChatStream implements ChatStream {

    private final ChatStream inner;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean chunkHanded;

    ObservedChatStream(ChatStream inner) {
        this.inner = inner;
    }

    @Override
    public final boolean hasNext() {
        boolean more;
        try {
            more = inner.hasNext();
        } catch (RuntimeException e) {
            throw end() ? onFailed(e) : e;
        }
        if (!more && end()) {
            onEnded();
        }
        return more;
    }

    @Override
    public final ChatChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has no more chunks");
        }
        ChatChunk chunk = inner.next();
        chunkHanded = true;
        return chunk;
    }

    @Override
    public final ChatResponse response() {
        return inner.response();
    }

    @Override
    public final void onKeepAlive(Runnable listener) {
        inner.onKeepAlive(listener);
    }

    @Override
    public final Optional<Usage> usageSoFar() {
        return inner.usageSoFar();
    }

    @Override
    public final void close() {
        try {
            inner.close();
        } finally {
            if (end()) {
                onClosedEarly(chunkHanded);
            }
        }
    }

    private boolean end() {
        return ended.compareAndSet(false, true);
    }

    /**
     * The wrapped stream failed.
     *
     * @param failure what it threw
     * @return what to throw to the reader
     */
    abstract RuntimeException onFailed(RuntimeException failure);

    /** The wrapped stream was read to its end; may throw instead of letting it end. */
    abstract void onEnded();

    /**
     * The reader closed the stream before its end.
     *
     * @param chunkHanded whether at least one chunk had reached the reader
     */
    abstract void onClosedEarly(boolean chunkHanded);
}
