package dev.costwise.llm.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.provider.http.ChunkSource;
import dev.costwise.llm.provider.http.GuardedStream;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireError;
import dev.costwise.llm.wire.WireFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads Ollama's NDJSON stream up to the line with {@code done: true}. */
final class OllamaChunkSource implements ChunkSource {

    private final OllamaChatModel model;
    private final GuardedStream stream;
    private final OllamaWire wire;
    private final OpenAiWire json;
    private final String id;
    private int toolCalls;
    private boolean done;

    OllamaChunkSource(OllamaChatModel model, GuardedStream stream, OllamaWire wire, OpenAiWire json, String id) {
        this.model = model;
        this.stream = stream;
        this.wire = wire;
        this.json = json;
        this.id = id;
    }

    @Override
    public Optional<ChatChunk> next() {
        if (done) {
            return Optional.empty();
        }
        Optional<String> line;
        try {
            line = stream.nextLine();
        } catch (IOException e) {
            throw model.streamFailure(e);
        }
        if (line.isEmpty()) {
            done = true;
            throw model.truncated(stream);
        }
        JsonNode node;
        try {
            node = json.parse(line.get());
        } catch (WireFormatException e) {
            throw model.malformed("stream line is not JSON: " + e.problem(), stream, e);
        }
        Optional<WireError> error = json.readError(node);
        if (error.isPresent()) {
            throw model.streamError(error.get(), stream);
        }
        Message m = wire.readMessage(node, toolCalls);
        if (!m.text().isEmpty() || !m.toolCalls().isEmpty() || !m.reasoning().isEmpty()) {
            stream.markFirstToken();
        }
        List<ToolCallDelta> deltas = new ArrayList<>();
        for (ToolCall c : m.toolCalls()) {
            deltas.add(new ToolCallDelta(toolCalls++, Optional.of(c.id()), Optional.of(c.name()), c.arguments()));
        }
        List<ThinkingDelta> thinking = m.reasoning().stream().filter(p -> p instanceof ContentPart.Thinking)
                .map(p -> ThinkingDelta.text(0, ((ContentPart.Thinking) p).text())).toList();
        String modelName = node.path("model").asText("");
        if (node.path("done").asBoolean(false)) {
            done = true;
            stream.drainAndClose(4096); // only the end of the chunked body remains; keep the connection alive
            FinishReason reason = OllamaWire.finishReason(node, toolCalls > 0);
            return Optional.of(new ChatChunk(id, modelName, m.text(), deltas, Optional.of(reason),
                    wire.readUsage(node), thinking));
        }
        return Optional.of(new ChatChunk(id, modelName, m.text(), deltas, Optional.empty(), Optional.empty(),
                thinking));
    }

    @Override
    public Optional<String> providerRequestId() {
        return Optional.empty();
    }

    @Override
    public void close() {
        stream.close();
    }
}
