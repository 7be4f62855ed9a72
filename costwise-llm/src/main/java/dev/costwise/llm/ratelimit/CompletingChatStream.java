package dev.costwise.llm.ratelimit;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A stream that tells a callback once how it ended: with the response when read to the end, else empty. */
final class CompletingChatStream implements ChatStream {

    private final ChatStream inner;
    private final Consumer<Optional<ChatResponse>> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();

    CompletingChatStream(ChatStream inner, Consumer<Optional<ChatResponse>> onEnd) {
        this.inner = inner;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        boolean more;
        try {
            more = inner.hasNext();
        } catch (RuntimeException e) {
            end(Optional.empty());
            throw e;
        }
        if (!more) {
            end(Optional.of(inner.response()));
        }
        return more;
    }

    @Override
    public ChatChunk next() {
        try {
            return inner.next();
        } catch (RuntimeException e) {
            end(Optional.empty());
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
        try {
            inner.close();
        } finally {
            end(Optional.empty());
        }
    }

    private void end(Optional<ChatResponse> response) {
        if (ended.compareAndSet(false, true)) {
            onEnd.accept(response);
        }
    }
}
