package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The output limit of a Messages or Responses request reaches an OpenAI reasoning model as
 * {@code max_completion_tokens}: OpenAI refuses {@code max_tokens} for them with a 400
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_tokens), faked here as OpenAI sends it.
 * Other OpenAI-format servers keep {@code max_tokens}, the name they all read. A request that sets both names sends
 * one, as OpenAI refuses both together.
 */
class OutputLimitFieldEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();
    private final List<JsonNode> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void fakeOpenAi() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                JsonNode body = TestGateway.json(request.getBody().utf8());
                sent.add(body);
                String model = body.path("model").asText();
                if (body.has("max_tokens") && body.has("max_completion_tokens")) {
                    return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                            .body("{\"error\":{\"message\":\"Setting 'max_tokens' and 'max_completion_tokens' at the "
                                    + "same time is not supported.\",\"type\":\"invalid_request_error\",\"param\":"
                                    + "\"max_tokens\",\"code\":\"invalid_parameter_combination\"}}")
                            .build();
                }
                if (body.has("max_tokens") && model.startsWith("o4")) {
                    return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                            .body("{\"error\":{\"message\":\"Unsupported parameter: 'max_tokens' is not supported "
                                    + "with this model. Use 'max_completion_tokens' instead.\",\"type\":"
                                    + "\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":"
                                    + "\"unsupported_parameter\"}}")
                            .build();
                }
                return OpenAiFake.completion(model, "hi", 10, 2);
            }
        });
    }

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream) + "/v1";
        return TestGateway.of("""
                models:
                  - {name: o4-mini, provider: openai, base_url: %1$s, price: {input: "1.10", output: "4.40"}}
                  - {name: llama, provider: ollama, model: llama3.2, base_url: %1$s, price: {input: "0", output: "0"}}
                """.formatted(base));
    }

    @Test
    void givenMessagesAndResponsesRequests_whenTheModelIsAnOpenAiReasoningModel_thenItGetsMaxCompletionTokens() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> messages = gw.post("/v1/messages", """
                    {"model": "o4-mini", "max_tokens": 500, "messages": [{"role": "user", "content": "hi"}]}""");
            HttpResponse<String> responses = gw.post("/v1/responses", """
                    {"model": "o4-mini", "max_output_tokens": 300, "input": "hi"}""");

            assertThat(messages.statusCode()).as(messages.body()).isEqualTo(200);
            assertThat(responses.statusCode()).as(responses.body()).isEqualTo(200);
            assertThat(sent).hasSize(2);
            assertThat(sent.get(0).path("max_completion_tokens").asInt()).isEqualTo(500);
            assertThat(sent.get(1).path("max_completion_tokens").asInt()).isEqualTo(300);
            assertThat(sent).noneMatch(body -> body.has("max_tokens"));
        }
    }

    @Test
    void givenAChatRequestWithMaxTokens_whenTheModelIsAnOpenAiReasoningModel_thenItIsAnsweredToo() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "o4-mini", "max_tokens": 200, "messages": [{"role": "user", "content": "hi"}]}""");

            // a pipeline may fall back from gpt-4o to o4-mini: the limit must reach either
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sent).singleElement().satisfies(body -> {
                assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(200);
                assertThat(body.has("max_tokens")).isFalse();
            });
        }
    }

    @Test
    void givenAMessagesRequest_whenTheModelIsOnAnotherOpenAiFormatServer_thenItKeepsMaxTokens() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/messages", """
                    {"model": "llama", "max_tokens": 500, "messages": [{"role": "user", "content": "hi"}]}""");

            // Ollama's OpenAI API reads max_tokens only: the newer name would be ignored, and the limit lost
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sent).singleElement().satisfies(body -> {
                assertThat(body.path("max_tokens").asInt()).isEqualTo(500);
                assertThat(body.has("max_completion_tokens")).isFalse();
            });
        }
    }

    @Test
    void givenAChatRequestWithBothLimits_whenTheModelIsOpenAi_thenItGetsTheReservedOneAsMaxCompletionTokens() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "o4-mini", "max_tokens": 50, "max_completion_tokens": 77,
                     "messages": [{"role": "user", "content": "hi"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sent).singleElement().satisfies(body -> {
                assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(77);
                assertThat(body.has("max_tokens")).isFalse();
            });
        }
    }

    @Test
    void givenAChatRequestWithBothLimits_whenTheModelIsOnAnotherOpenAiFormatServer_thenItGetsTheReservedOne() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "llama", "max_tokens": 500, "max_completion_tokens": 300,
                     "messages": [{"role": "user", "content": "hi"}]}""");

            // the reservation assumed max_completion_tokens; Ollama reads max_tokens only
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sent).singleElement().satisfies(body -> {
                assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
                assertThat(body.has("max_completion_tokens")).isFalse();
            });
        }
    }
}
