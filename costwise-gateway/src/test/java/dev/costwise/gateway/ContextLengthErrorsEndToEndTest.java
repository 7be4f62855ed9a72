package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A provider's "the prompt does not fit" error, in any of its wordings (an OpenAI-format provider's 413 among them),
 * sends the request to a larger window.
 */
class ContextLengthErrorsEndToEndTest {
    /** OpenAI's 413 for a request too large (https://platform.openai.com/docs/guides/error-codes), in its shape. */
    private static final String OPENAI_413 = "{\"error\":{\"message\":\"Request too large for model. Try again with "
            + "a smaller input.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";

    @StartStop
    final MockWebServer small = new MockWebServer();
    @StartStop
    final MockWebServer large = new MockWebServer();

    private String yaml() {
        return """
                models:
                  - name: small
                    provider: huggingface
                    model: meta-llama/Llama-3.1-8B-Instruct
                    api_key_env: TEST_KEY
                    base_url: %s/v1
                    price: {input: "0.10", output: "0.10"}
                  - name: large
                    provider: openai-compatible
                    model: long-context
                    base_url: %s/v1
                    price: {input: "0.50", output: "0.50"}
                defaults:
                  retry: {max_retries: 0}
                pipelines:
                  small:
                    context_window_fallback: large
                """.formatted(TestGateway.baseUrl(small), TestGateway.baseUrl(large));
    }

    /**
     * Hugging Face TGI's validation errors (router/validation in text-generation-inference), as its own server sends
     * them ({@code error} and {@code error_type}) and as the Hugging Face router wraps them in OpenAI's shape; and an
     * OpenAI-format provider's 413.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "422|{\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: 8000 "
                + "`inputs` tokens and 1000 `max_new_tokens`\",\"error_type\":\"validation\"}",
        "400|{\"error\":{\"message\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. "
                + "Given: 8000 `inputs` tokens and 1000 `max_new_tokens`\",\"http_status_code\":422}}",
        "422|{\"error\":\"Input validation error: `inputs` must have less than 8192 tokens. Given: 9000\","
                + "\"error_type\":\"validation\"}",
        "413|" + OPENAI_413})
    void givenAProviderSaysThePromptDoesNotFit_whenAsked_thenTheContextWindowFallbackAnswers(int status, String body) {
        small.enqueue(new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body(body).build());
        large.enqueue(OpenAiFake.completion("long-context", "it fits here", 9000, 10));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("small", "a long prompt"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("large");
            assertThat(gw.records()).extracting(r -> r.errorKind().orElse("none"))
                    .containsExactly("context_length", "none");
            assertThat(gw.records()).extracting(CostRecord::usedModel).containsExactly("small", "large");
        }
    }

    private static MockResponse requestTooLarge() {
        return new MockResponse.Builder().code(413).addHeader("Content-Type", "application/json").body(OPENAI_413)
                .build();
    }

    @Test
    void givenAnOpenAiFormat413AndNoLargerWindow_whenAsked_thenA413ContextLengthExceededOnEveryEndpoint() {
        small.enqueue(requestTooLarge());
        small.enqueue(requestTooLarge());
        try (TestGateway gw = TestGateway.of(yaml().replace("context_window_fallback: large", "fallbacks: []"))) {
            HttpResponse<String> chat = gw.post("/v1/chat/completions", TestGateway.chat("small", "a long prompt"));
            HttpResponse<String> messages = gw.post("/v1/messages", """
                    {"model": "small", "max_tokens": 50,
                     "messages": [{"role": "user", "content": "a long prompt"}]}""");

            // the request, not a field, is at fault: the status stays the provider's, the code says why
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(413);
            JsonNode error = TestGateway.json(chat.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(error.get("message").asText()).contains("Request too large for model");
            assertThat(messages.statusCode()).as(messages.body()).isEqualTo(413);
            assertThat(TestGateway.json(messages.body()).at("/error/type").asText()).isEqualTo("request_too_large");
        }
    }
}
