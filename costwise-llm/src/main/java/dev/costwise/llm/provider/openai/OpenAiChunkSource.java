package dev.costwise.llm.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.provider.http.ChunkSource;
import dev.costwise.llm.provider.http.GuardedStream;
import dev.costwise.llm.provider.http.SseEvent;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireError;
import dev.costwise.llm.wire.WireFormatException;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads {@code chat.completion.chunk} server-sent events up to {@code data: [DONE]}. An event carrying an
 * {@code error} object is mapped and thrown; the stream ending with neither {@code [DONE]} nor a finish reason is a
 * truncation.
 */
final class OpenAiChunkSource implements ChunkSource {

    /** After [DONE] only the end of the chunked body remains; read at most this much of it to keep the connection. */
    private static final int DRAIN_LIMIT = 4096;

    private final OpenAiCompatibleChatModel model;
    private final GuardedStream stream;
    private final OpenAiWire wire;
    private boolean finishSeen;
    private boolean done;

    OpenAiChunkSource(OpenAiCompatibleChatModel model, GuardedStream stream, OpenAiWire wire) {
        this.model = model;
        this.stream = stream;
        this.wire = wire;
    }

    @Override
    public Optional<ChatChunk> next() {
        if (done) {
            return Optional.empty();
        }
        Optional<SseEvent> event;
        try {
            event = stream.nextEvent();
        } catch (IOException e) {
            throw model.streamFailure(e);
        }
        if (event.isEmpty()) {
            done = true;
            if (finishSeen) {
                return Optional.empty(); // some servers end without [DONE]; a finish reason is a proper end
            }
            throw model.truncated(stream);
        }
        String data = event.get().data().strip();
        if (data.equals("[DONE]")) {
            done = true;
            stream.drainAndClose(DRAIN_LIMIT);
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = wire.parseAnswer(data);
        } catch (WireFormatException e) {
            throw model.malformed("stream event is not JSON: " + e.problem(), stream, e);
        }
        Optional<WireError> error = wire.readError(node);
        if (error.isPresent()) {
            throw model.eventError(error.get(), stream);
        }
        ChatChunk chunk;
        try {
            chunk = wire.readChunk(node);
        } catch (WireFormatException e) {
            throw model.malformed("stream event " + e.getMessage(), stream, e);
        }
        if (chunk.finishReason().isPresent()) {
            finishSeen = true;
        }
        if (chunk.carriesOutput()) {
            stream.markFirstToken(); // not the role-only first chunk, which comes before the model writes anything
        }
        return Optional.of(chunk);
    }

    @Override
    public void onKeepAlive(Runnable listener) {
        stream.onKeepAlive(listener); // OpenRouter's ": OPENROUTER PROCESSING" comments
    }

    @Override
    public Optional<String> providerRequestId() {
        return model.streamRequestId(stream);
    }

    @Override
    public void close() {
        stream.close();
    }
}
