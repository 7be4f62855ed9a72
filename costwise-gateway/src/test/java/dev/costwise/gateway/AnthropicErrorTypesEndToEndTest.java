package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/messages} names an upstream failure with Anthropic's error type for what failed
 * (https://docs.claude.com/en/api/errors), whole or before a stream starts, as a failure mid-stream does: a rate limit
 * is a {@code rate_limit_error} though the gateway answers 503. Anthropic's 413 {@code request_too_large} stays a 413 on
 * every endpoint. The upstream is Anthropic itself, answering errors in its documented shape.
 */
class AnthropicErrorTypesEndToEndTest {
    private static final String ASK = """
            {"model": "claude", "max_tokens": 50, "stream": %s, "messages": [{"role": "user", "content": "hi"}]}""";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %s, api_key: k,
                     price: {input: "3", output: "15"}}
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    private static MockResponse anthropicError(int status, String type, String message) {
        MockResponse.Builder b = new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .addHeader("request-id", "req_011").body("{\"type\":\"error\",\"error\":{\"type\":\"" + type
                        + "\",\"message\":\"" + message + "\"}}");
        if (status == 429) {
            b.addHeader("retry-after", "7");
        }
        return b.build();
    }

    @Test
    void givenAnAnthropicRateLimit_whenAskedWholeOrStreamed_thenTheErrorIsARateLimitErrorEitherWay() {
        upstream.enqueue(anthropicError(429, "rate_limit_error", "Number of request tokens has exceeded your limit"));
        upstream.enqueue(anthropicError(429, "rate_limit_error", "Number of request tokens has exceeded your limit"));
        try (TestGateway gw = gateway()) {
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> res = gw.post("/v1/messages", ASK.formatted(stream));

                assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
                assertThat(res.headers().firstValue("retry-after")).hasValue("7");
                assertThat(TestGateway.json(res.body()).at("/error/type").asText()).as("stream " + stream)
                        .isEqualTo("rate_limit_error");
            }
        }
    }

    @Test
    void givenAnthropicsRequestTooLarge_whenAskedOnMessagesAndChat_thenBothAnswer413() {
        upstream.enqueue(anthropicError(413, "request_too_large", "Request exceeds the maximum allowed size"));
        upstream.enqueue(anthropicError(413, "request_too_large", "Request exceeds the maximum allowed size"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> messages = gw.post("/v1/messages", ASK.formatted(false));
            HttpResponse<String> chat = gw.post("/v1/chat/completions", TestGateway.chat("claude", "hi"));

            assertThat(messages.statusCode()).as(messages.body()).isEqualTo(413);
            assertThat(TestGateway.json(messages.body()).at("/error/type").asText()).isEqualTo("request_too_large");
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(413);
            JsonNode error = TestGateway.json(chat.body()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("code").asText()).isEqualTo("upstream_request_too_large");
        }
    }
}
