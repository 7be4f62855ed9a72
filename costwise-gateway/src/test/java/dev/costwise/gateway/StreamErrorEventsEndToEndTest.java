package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Open-model servers report a failure inside a stream they opened with HTTP 200, each in its own shape: vLLM sends
 * its error object as an event ({@code {"object": "error", ...}}), Hugging Face TGI (behind the HF router) its
 * validation error ({@code {"error": "...", "error_type": "validation"}}, or in newer versions an error object with
 * its {@code http_status_code}). Such an event is the failure it names, mapped as the same error sent as an HTTP
 * status would be, and never relayed to the caller as a chunk.
 */
class StreamErrorEventsEndToEndTest {
    /** vLLM's error event (vllm/entrypoints/openai/protocol.py, ErrorResponse), as its OpenAI server streams it. */
    private static final String VLLM_ERROR = "data: {\"object\":\"error\",\"message\":\"The decoder prompt is too "
            + "long\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}\n\n";

    /** TGI's context-length error (router/src/validation.rs), as its older versions stream it. */
    private static final String TGI_ERROR = "data: {\"error\":\"Input validation error: `inputs` tokens + "
            + "`max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 500 `max_new_tokens`\","
            + "\"error_type\":\"validation\"}\n\n";
    /** The same error as newer TGI versions stream it, with the status it stands for. */
    private static final String TGI_NEW_ERROR = "data: {\"error\":{\"message\":\"Input validation error: `inputs` "
            + "tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 500 `max_new_tokens`\","
            + "\"http_status_code\":422}}\n\n";

    @StartStop
    final MockWebServer server = new MockWebServer();
    @StartStop
    final MockWebServer large = new MockWebServer();

    private String yaml() {
        return """
                models:
                  - name: llama
                    provider: openai-compatible
                    model: meta-llama/Llama-3.3-70B-Instruct
                    base_url: %s/v1
                    price: {input: "0.60", output: "0.80"}
                defaults:
                  retry: {max_retries: 1, backoff: constant, initial_delay: 100ms}
                """.formatted(TestGateway.baseUrl(server));
    }

    private static String body() {
        return body("llama");
    }

    private static String body(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"q\"}]}";
    }

    /** A Hugging Face model whose pipeline sends a prompt too long for it to {@code large}. */
    private String huggingFaceYaml() {
        return """
                models:
                  - name: hf-llama
                    provider: huggingface
                    model: meta-llama/Llama-3.3-70B-Instruct
                    api_key_env: TEST_KEY
                    base_url: %s/v1
                    price: {input: "0.60", output: "0.80"}
                  - name: large
                    provider: openai-compatible
                    model: long-context
                    base_url: %s/v1
                    price: {input: "0.50", output: "0.50"}
                defaults:
                  retry: {max_retries: 1, backoff: constant, initial_delay: 100ms}
                pipelines:
                  hf-llama:
                    context_window_fallback: large
                """.formatted(TestGateway.baseUrl(server), TestGateway.baseUrl(large));
    }

    @ParameterizedTest
    @ValueSource(strings = {TGI_ERROR, TGI_NEW_ERROR})
    void givenTgiContextLengthErrorEventFirst_whenStreamed_thenTheContextWindowFallbackAnswers(String error) {
        server.enqueue(sse(error));
        server.enqueue(sse(error)); // what a retry would get
        large.enqueue(OpenAiFake.stream("long-context", "it fits here"));
        try (TestGateway gw = TestGateway.of(huggingFaceYaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", body("hf-llama"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("large");
            assertThat(res.body()).contains("it fits here");
            assertThat(server.getRequestCount()).as("the same prompt is not sent again").isEqualTo(1);
            assertThat(gw.records()).extracting(r -> r.errorKind().orElse("none"))
                    .containsExactly("context_length", "none");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TGI_ERROR, TGI_NEW_ERROR})
    void givenTgiContextLengthErrorEventAndNoLargerWindow_whenStreamed_thenA400AsForTheUnstreamed422(String error) {
        server.enqueue(sse(error));
        server.enqueue(sse(error)); // what a retry would get
        try (TestGateway gw = TestGateway.of(huggingFaceYaml().replace("context_window_fallback: large",
                "fallbacks: []"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", body("hf-llama"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
            assertThat(server.getRequestCount()).isEqualTo(1);
        }
    }

    private static String chunk(String content) {
        return OpenAiFake.CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},"
                + "\"finish_reason\":null}]}\n\n";
    }

    private static MockResponse sse(String events) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(events)
                .build();
    }

    @Test
    void givenVllmErrorEventMidStream_whenStreamed_thenTheCallerGetsTheGatewaysErrorEventNotTheProvidersObject() {
        server.enqueue(sse(chunk("partial") + chunk(" answer") + VLLM_ERROR));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", body());

            List<JsonNode> events = TestGateway.dataChunks(res.body());
            assertThat(events).as("no chunk relays the provider's error object")
                    .noneMatch(e -> e.path("object").asText().equals("error"));
            assertThat(events).hasSize(3);
            JsonNode error = events.getLast().get("error");
            // named as the same failure before the stream is answered (below), and as costwise_errors_total counts it
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("code").asText()).isEqualTo("upstream_rejected");
            assertThat(error.get("message").asText()).contains("The decoder prompt is too long");
            assertThat(gw.records()).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(r.errorKind()).hasValue("invalid_request");
            });
        }
    }

    @Test
    void givenVllmErrorEventFirst_whenStreamed_thenA400UpstreamRejectedThatIsNotRetried() {
        server.enqueue(sse(VLLM_ERROR));
        server.enqueue(sse(chunk("should not be asked for")));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", body());

            assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("upstream_rejected");
            assertThat(server.getRequestCount()).as("a caller's mistake is not retried").isEqualTo(1);
            assertThat(gw.records()).extracting(CostRecord::errorKind).extracting(k -> k.orElse(""))
                    .containsExactly("invalid_request");
        }
    }

    @Test
    void givenVllmErrorEventMidStream_whenStreamedAsAMessageAndAResponse_thenEachNamesItAsTheRejectionItIs() {
        server.enqueue(sse(chunk("partial") + VLLM_ERROR));
        server.enqueue(sse(chunk("partial") + VLLM_ERROR));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> message = gw.post("/v1/messages", "{\"model\":\"llama\",\"max_tokens\":50,"
                    + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            HttpResponse<String> response = gw.post("/v1/responses", "{\"model\":\"llama\",\"input\":\"hi\","
                    + "\"stream\":true,\"store\":false}");

            var messageError = TestGateway.events(message.body()).getLast();
            assertThat(messageError.getKey()).isEqualTo("error");
            // Anthropic's type for a 400, as a /v1/messages request rejected before its stream is answered
            assertThat(messageError.getValue().at("/error/type").asText()).isEqualTo("invalid_request_error");
            var responseFailed = TestGateway.events(response.body()).getLast();
            assertThat(responseFailed.getKey()).isEqualTo("response.failed");
            assertThat(responseFailed.getValue().at("/response/error/code").asText()).isEqualTo("upstream_rejected");
        }
    }
}
