package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A successful answer that is not the JSON its provider documents (cut short, or a proxy's HTML page) is reported in
 * plain words, the same for Anthropic (https://docs.claude.com/en/api/messages) and Gemini
 * (https://ai.google.dev/api/generate-content) as for OpenAI-format providers: {@code answer is not JSON}, with the
 * content type when that is not JSON either. The parser's message stays in the cause, for the logs.
 */
class UnreadableAnswersTest {
    private static final String CLAUDE = "claude-sonnet-4-5";
    private static final String GEMINI = "gemini-2.5-flash";

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private ChatModel claude() {
        return AnthropicChatModel.builder(CLAUDE).apiKey("sk-ant-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).build();
    }

    private ChatModel gemini() {
        return GeminiChatModel.builder(GEMINI).apiKey("AIza-test-key-123").baseUrl(server.url("/").uri())
                .pricer(TestPricers.FIXED).build();
    }

    private static MockResponse answer(String contentType, String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", contentType).body(body).build();
    }

    private static void assertFailsWith(ChatModel model, String message) {
        assertThatThrownBy(() -> model.execute(ChatRequest.of(model.name(), "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessage(message)
                .hasCauseInstanceOf(JsonProcessingException.class);
    }

    private static void assertStreamFailsWith(ChatModel model, String message) {
        try (ChatStream s = model.stream(ChatRequest.of(model.name(), "Hi"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> s.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.MalformedResponse.class)
                    .hasMessage(message)
                    .hasCauseInstanceOf(JsonProcessingException.class);
        }
    }

    @Test
    void givenAnAnthropicAnswerCutShort_whenExecuted_thenItIsNotJsonInPlainWords() {
        server.enqueue(answer("application/json", "{\"id\":\"msg_1\",\"type\":\"message\",\"content\":[{\"type\""));

        assertFailsWith(claude(), "anthropic " + CLAUDE + ": malformed response: answer is not JSON (HTTP 200)");
    }

    @Test
    void givenAnAnthropicAnswerInHtml_whenExecuted_thenTheContentTypeIsNamed() {
        server.enqueue(answer("text/html; charset=utf-8", "<html><body>Bad gateway</body></html>"));

        assertFailsWith(claude(),
                "anthropic " + CLAUDE + ": malformed response: answer is not JSON (text/html) (HTTP 200)");
    }

    @Test
    void givenAGeminiAnswerCutShort_whenExecuted_thenItIsNotJsonInPlainWords() {
        server.enqueue(answer("application/json; charset=UTF-8", "{\"candidates\": [{\"content\": {"));

        assertFailsWith(gemini(), "gemini " + GEMINI + ": malformed response: answer is not JSON (HTTP 200)");
    }

    @Test
    void givenAGeminiAnswerInHtml_whenExecuted_thenTheContentTypeIsNamed() {
        server.enqueue(answer("text/html", "<!DOCTYPE html><title>502</title>"));

        assertFailsWith(gemini(),
                "gemini " + GEMINI + ": malformed response: answer is not JSON (text/html) (HTTP 200)");
    }

    @Test
    void givenJsonOfTheWrongShape_whenExecuted_thenTheMissingFieldIsNamedWithoutAClassName() {
        server.enqueue(answer("application/json", "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"" + CLAUDE
                + "\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));

        assertThatThrownBy(() -> claude().execute(ChatRequest.of(CLAUDE, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessage("anthropic " + CLAUDE + ": malformed response: response has no 'content' array (HTTP 200)");
    }

    @Test
    void givenStreamEventsThatAreNotJson_whenStreamed_thenSaidInPlainWords() {
        server.enqueue(answer("text/event-stream", "event: message_start\ndata: {\"type\":\"message_start\",\n\n"));
        assertStreamFailsWith(claude(),
                "anthropic " + CLAUDE + ": malformed response: stream event message_start is not JSON");

        server.enqueue(answer("text/event-stream", "data: {\"candidates\": [\n\n"));
        assertStreamFailsWith(gemini(), "gemini " + GEMINI + ": malformed response: a stream chunk is not JSON");
    }

    @Test
    void givenContentTypes_whenDescribed_thenOnlyOneThatIsNotJsonIsNamed() {
        assertThat(HttpBodies.notJson(Optional.empty())).isEqualTo("answer is not JSON");
        assertThat(HttpBodies.notJson(Optional.of("application/problem+json"))).isEqualTo("answer is not JSON");
        assertThat(HttpBodies.notJson(Optional.of("text/plain;charset=UTF-8")))
                .isEqualTo("answer is not JSON (text/plain)");
    }
}
