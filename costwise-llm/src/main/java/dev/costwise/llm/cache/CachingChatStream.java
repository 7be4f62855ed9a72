package dev.costwise.llm.cache;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import java.util.Optional;
import java.util.function.Consumer;

/** Passes a live stream through and hands the whole answer to the cache once the stream has ended by itself. */
final class CachingChatStream implements ChatStream {

    private final ChatStream delegate;
    private final Consumer<ChatResponse> onComplete;
    private boolean completed;

    CachingChatStream(ChatStream delegate, Consumer<ChatResponse> onComplete) {
        this.delegate = delegate;
        this.onComplete = onComplete;
    }

    @Override
    public boolean hasNext() {
        boolean more = delegate.hasNext();
        if (!more && !completed) {
            completed = true;
            onComplete.accept(delegate.response());
        }
        return more;
    }

    @Override
    public ChatChunk next() {
        return delegate.next();
    }

    @Override
    public ChatResponse response() {
        return delegate.response();
    }

    @Override
    public void onKeepAlive(Runnable listener) {
        delegate.onKeepAlive(listener);
    }

    @Override
    public Optional<Usage> usageSoFar() {
        return delegate.usageSoFar();
    }

    /** An aborted stream is incomplete, so nothing is cached. */
    @Override
    public void close() {
        delegate.close();
    }
}
