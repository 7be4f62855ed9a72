package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A provider's "the prompt does not fit" error, in any of its wordings, sends the request to a larger window. */
class ContextLengthErrorsEndToEndTest {
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
     * them ({@code error} and {@code error_type}) and as the Hugging Face router wraps them in OpenAI's shape.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "422|{\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: 8000 "
                + "`inputs` tokens and 1000 `max_new_tokens`\",\"error_type\":\"validation\"}",
        "400|{\"error\":{\"message\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. "
                + "Given: 8000 `inputs` tokens and 1000 `max_new_tokens`\",\"http_status_code\":422}}",
        "422|{\"error\":\"Input validation error: `inputs` must have less than 8192 tokens. Given: 9000\","
                + "\"error_type\":\"validation\"}"})
    void givenTgiSaysThePromptDoesNotFit_whenAsked_thenTheContextWindowFallbackAnswers(int status, String body) {
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
}
