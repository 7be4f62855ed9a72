package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.http.CostwiseObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredAnswerTreeTest {
    private final ObjectMapper json = new ObjectMapper();

    /** A long text with what JSON escapes, characters of two, three and four UTF-8 bytes, and a quote at its end. */
    private static final String LONG = "line \"one\"\n\ttab \\ slash / é 中 😀 ".repeat(2_000) + "\"";

    private byte[] answer(String content) throws IOException {
        return json.writeValueAsBytes(json.createObjectNode().put("id", "chatcmpl-1")
                .put("object", "chat.completion").put("created", 7).put("model", "gpt-4o-mini")
                .set("choices", json.createArrayNode().add(json.createObjectNode().put("index", 0)
                        .put("finish_reason", "stop").set("message", json.createObjectNode()
                                .put("role", "assistant").put("content", content).putNull("refusal")))));
    }

    @Test
    void givenAStoredAnswer_whenRead_thenItsTreeIsTheOneReadTreeMakes() throws IOException {
        byte[] stored = answer(LONG);
        stored = (new String(stored, StandardCharsets.UTF_8).replace("{", "{ \n").replace(",", " ,\t")
                + " ").getBytes(StandardCharsets.UTF_8); // whitespace between tokens too

        JsonNode tree = StoredAnswerTree.read(json, stored);

        assertThat(tree).isEqualTo(json.readTree(stored));
        assertThat(json.readTree(json.writeValueAsBytes(tree))).isEqualTo(json.readTree(stored));
        assertThat(json.readTree(tree.toString())).isEqualTo(json.readTree(stored));
        assertThat(tree.at("/choices/0/message/content").isTextual()).isTrue();
        assertThat(tree.at("/choices/0/message/content").asText()).isEqualTo(LONG);
        assertThat(tree.at("/choices/0/message/role")).isInstanceOf(TextNode.class); // short: read as usual
        assertThat(tree.at("/created").asLong()).isEqualTo(7);
    }

    @Test
    void givenALongStoredAnswer_whenReplayedAsAStream_thenItsContentIsWrittenFromTheStoredBytes() throws IOException {
        byte[] stored = answer(LONG);
        RecordingStream recording = new RecordingStream();
        List<JsonNode> chunks = new ArrayList<>();
        ChatService.StreamSink sink = new ChatService.StreamSink() {
            @Override
            public void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage,
                    Optional<JsonNode> promptUsage) { }

            @Override
            public void event(String chunkJson) throws IOException {
                chunks.add(json.readTree(chunkJson));
            }

            @Override
            public void event(JsonNode chunk) throws IOException {
                json.writeValue(recording, chunk); // as the gateway's sink writes a tree to its response
                chunks.add(chunk);
            }

            @Override
            public void done() { }

            @Override
            public void keepAlive() { }
        };

        StreamReplay.replay(json, StoredAnswerTree.read(json, stored), "mini",
                CostwiseObject.of(Money.ZERO, "hit", "mini", "default"), false, sink);

        assertThat(recording.arrays).as("the content's bytes are the stored answer's").anyMatch(a -> a == stored);
        assertThat(chunks).hasSize(2);
        assertThat(chunks.getFirst().at("/choices/0/delta/content").asText()).isEqualTo(LONG);
        assertThat(json.readTree(recording.bytes.toByteArray())).isEqualTo(json.readTree(chunks.getFirst().toString()));
    }
}
