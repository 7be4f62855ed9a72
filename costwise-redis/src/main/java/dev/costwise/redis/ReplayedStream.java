package dev.costwise.redis;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/** Replays a cached answer as stream chunks: text in pieces, tool calls, then the final usage chunk. */
final class ReplayedStream implements ChatStream {

    /** Characters per replayed text chunk, as the in-memory cache replays. */
    private static final int CHUNK_CHARS = 64;

    private final ChatResponse response;
    private final List<ChatChunk> chunks;
    private int next;

    ReplayedStream(ChatResponse response) {
        this.response = response;
        List<ChatChunk> out = new ArrayList<>();
        String text = response.text();
        for (int i = 0; i < text.length(); i += CHUNK_CHARS) {
            out.add(ChatChunk.text(response.id(), response.model(),
                    text.substring(i, Math.min(text.length(), i + CHUNK_CHARS))));
        }
        List<ToolCall> calls = response.toolCalls();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            out.add(new ChatChunk(response.id(), response.model(), "",
                    List.of(new ToolCallDelta(i, Optional.of(c.id()), Optional.of(c.name()), c.arguments())),
                    Optional.empty(), Optional.empty()));
        }
        out.add(new ChatChunk(response.id(), response.model(), "", List.of(), Optional.of(response.finishReason()),
                Optional.of(response.usage())));
        this.chunks = List.copyOf(out);
    }

    @Override
    public boolean hasNext() {
        return next < chunks.size();
    }

    @Override
    public ChatChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the replayed stream has ended");
        }
        return chunks.get(next++);
    }

    @Override
    public ChatResponse response() {
        return response;
    }

    @Override
    public void close() {
        next = chunks.size();
    }
}
