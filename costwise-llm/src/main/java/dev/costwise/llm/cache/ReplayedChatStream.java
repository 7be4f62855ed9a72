package dev.costwise.llm.cache;

import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Replays a cached answer as stream chunks: its reasoning blocks whole, text in pieces, tool calls, then the final
 * usage chunk.
 */
final class ReplayedChatStream implements ChatStream {

    /** Characters per replayed text chunk: small enough to look like a stream, large enough to stay cheap. */
    private static final int CHUNK_CHARS = 64;

    private final ChatResponse response;
    private final List<ChatChunk> chunks;
    private int next;

    ReplayedChatStream(ChatResponse response) {
        this.response = response;
        this.chunks = chunksOf(response);
    }

    static List<ChatChunk> chunksOf(ChatResponse r) {
        List<ChatChunk> out = new ArrayList<>();
        List<ContentPart> reasoning = r.message().reasoning();
        for (int block = 0; block < reasoning.size(); block++) {
            out.add(ChatChunk.thinking(r.id(), r.model(), List.of(switch (reasoning.get(block)) {
                case ContentPart.Thinking t -> new ThinkingDelta(block, t.text(), t.signature(), Optional.empty());
                case ContentPart.RedactedThinking d -> ThinkingDelta.redacted(block, d.data());
                default -> throw new IllegalStateException("not a reasoning block: " + reasoning.get(block));
            })));
        }
        String text = r.text();
        for (int i = 0; i < text.length(); i += CHUNK_CHARS) {
            out.add(ChatChunk.text(r.id(), r.model(), text.substring(i, Math.min(text.length(), i + CHUNK_CHARS))));
        }
        List<ToolCall> calls = r.toolCalls();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            out.add(new ChatChunk(r.id(), r.model(), "",
                    List.of(new ToolCallDelta(i, Optional.of(c.id()), Optional.of(c.name()), c.arguments())),
                    Optional.empty(), Optional.empty()));
        }
        out.add(new ChatChunk(r.id(), r.model(), "", List.of(), Optional.of(r.finishReason()),
                Optional.of(r.usage())));
        return List.copyOf(out);
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
