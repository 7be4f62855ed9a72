package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.pipeline.AnswerBody;
import java.io.IOException;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A long cached answer translated for {@code /v1/messages} and {@code /v1/responses} is written from the stored
 * answer, as chat completions sends it: the translation holds its long text as a node over the stored bytes, so
 * many hits of one 7 MB answer at once do not each hold a tree, a string and a serialised copy of it. What the
 * client reads is the same translation as one from a tree of the answer.
 */
class TranslatedAnswerTest {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpExchange http = new HttpExchange(json, 1 << 20, false, null, null);

    /** Long, with what JSON escapes and characters of two, three and four UTF-8 bytes. */
    private static final String LONG = "line \"one\"\n\ttab \\ slash / é 中 😀 ".repeat(20_000);

    private byte[] stored() throws IOException {
        ObjectNode message = json.createObjectNode().put("role", "assistant").put("content", LONG);
        ObjectNode completion = json.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 7).put("model", "gpt-4o-mini");
        completion.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                .set("message", message);
        completion.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 9).put("total_tokens", 14);
        return json.writeValueAsBytes(completion);
    }

    @Test
    void givenALongStoredAnswer_whenSentAsAMessage_thenItsTextIsWrittenFromTheStoredBytes() throws IOException {
        byte[] stored = stored();
        RecordingResponse res = new RecordingResponse();

        http.sendTree(res.proxy(), 200, MessagesAnswer.message(AnswerBody.of(stored).tree(json), "msg_1", json));

        assertWrittenFrom(stored, res);
        JsonNode sent = json.readTree(res.written.toByteArray());
        assertThat(sent).isEqualTo(reread(MessagesAnswer.message(json.readTree(stored), "msg_1", json)));
        assertThat(sent.at("/content/0/text").asText()).isEqualTo(LONG);
    }

    @Test
    void givenALongStoredAnswer_whenSentAsAResponse_thenItsTextIsWrittenFromTheStoredBytes() throws IOException {
        byte[] stored = stored();
        JsonNode request = json.readTree("{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"store\":false}");
        RecordingResponse res = new RecordingResponse();

        http.sendTree(res.proxy(), 200, ResponsesAnswer.response(AnswerBody.of(stored).tree(json), "resp_1",
                request, "msg_1"));

        assertWrittenFrom(stored, res);
        JsonNode sent = json.readTree(res.written.toByteArray());
        assertThat(sent).isEqualTo(reread(ResponsesAnswer.response(json.readTree(stored), "resp_1", request,
                "msg_1")));
        assertThat(sent.at("/output/0/content/0/text").asText()).isEqualTo(LONG);
    }

    @Test
    void givenASmallTranslation_whenSent_thenGoesOutWithItsHeadersInOneBuffer() throws IOException {
        byte[] stored = json.writeValueAsBytes(json.readTree("{\"model\":\"m\",\"choices\":[{\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}"));
        RecordingResponse res = new RecordingResponse();

        http.sendTree(res.proxy(), 200, MessagesAnswer.message(AnswerBody.of(stored).tree(json), "msg_1", json));

        assertThat(res.arraysWritten).isEmpty();
        assertThat(res.sentWhole).hasSize(1);
        assertThat(json.readTree(res.sentWhole.getFirst()).at("/content/0/text").asText()).isEqualTo("hi");
    }

    /** @return the tree as a client reads it (an {@code int} where the translation put a {@code long}) */
    private JsonNode reread(JsonNode tree) throws IOException {
        return json.readTree(json.writeValueAsBytes(tree));
    }

    /** The stored array itself carried the long text; nothing else written was long enough to be a copy of it. */
    private static void assertWrittenFrom(byte[] stored, RecordingResponse res) {
        assertThat(res.sentWhole).as("send(byte[]) copies the body").isEmpty();
        assertThat(res.arraysWritten.stream().anyMatch(a -> a == stored)).as("written from the stored array")
                .isTrue();
        assertThat(res.arraysWritten.stream().filter(a -> a != stored).mapToInt(a -> a.length).max().orElse(0))
                .as("the longest other array written").isLessThan(stored.length / 4);
        assertThat(res.headers.contentLength()).isEqualTo(OptionalLong.of(res.written.size()));
        assertThat(res.closed).isTrue();
    }
}
