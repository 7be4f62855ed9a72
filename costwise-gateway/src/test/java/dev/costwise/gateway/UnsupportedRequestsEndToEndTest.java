package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Collections;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request the Anthropic adapter refuses before calling Anthropic (what Anthropic documents it would refuse with a
 * 400: https://docs.claude.com/en/docs/build-with-claude/extended-thinking, prompt caching's 4 breakpoints) is the
 * gateway's own 400 naming the field, not an upstream's rejection: nothing was called, so there is no failed attempt
 * in the ledger or the upstream failure metrics, and a pipeline falls back to a model that can take the request.
 */
class UnsupportedRequestsEndToEndTest {
    private static final String MARKED = "{\"type\": \"text\", \"text\": \"x\", \"cache_control\": "
            + "{\"type\": \"ephemeral\"}}";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %1$s, api_key: k,
                     price: {input: "3", output: "15"}}
                  - {name: backed-claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %1$s, api_key: k,
                     price: {input: "3", output: "15"}}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "1", output: "2"}}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: k,
                     price: {input: "0.3", output: "2.5"}}
                pipelines:
                  backed-claude:
                    fallbacks: [mini]
                """.formatted(base));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"temperature\": 0.5, \"reasoning_effort\": \"low\"|temperature|cannot be used with reasoning",
        "\"max_tokens\": 300, \"reasoning_effort\": \"minimal\"|max_tokens|must exceed 1024 for thinking",
    })
    void givenWhatAnthropicRefusesWithThinking_whenSent_thenTheGatewaysOwn400NamesTheFieldAndNothingIsLedgered(
            String fields, String param, String message) {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"claude\", " + fields
                    + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

            assertOwnRefusal(gw, res, param, message);
        }
    }

    @Test
    void givenASeedGeminiCannotTake_whenSent_thenTheGatewaysOwn400NamesSeed() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"flash\", \"seed\": "
                    + "1099511627776, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

            assertOwnRefusal(gw, res, "seed", "must fit in 32 bits for Gemini");
        }
    }

    @Test
    void givenMoreCacheBreakpointsThanAnthropicTakes_whenSent_thenA400NamesCacheControl() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"claude\", \"messages\": "
                    + "[{\"role\": \"user\", \"content\": [" + String.join(",", Collections.nCopies(5, MARKED))
                    + "]}]}");

            assertOwnRefusal(gw, res, "cache_control", "at most 4 cache_control breakpoints");
        }
    }

    @Test
    void givenAPipelineWithAFallback_whenItsAnthropicModelCannotTakeTheRequest_thenTheFallbackAnswersIt()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "hello", 10, 2));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "backed-claude", "temperature": 0.5, "reasoning_effort": "low",
                     "messages": [{"role": "user", "content": "hi"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("mini");
            RecordedRequest sent = upstream.takeRequest();
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
            assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.provider()).isEqualTo("openai"));
        }
    }

    @Test
    void givenAWorkflowWhoseExecutorCannotTakeTheRequest_whenSent_thenTheGatewaysOwn400NamesTheField() {
        String base = TestGateway.baseUrl(upstream);
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %1$s, api_key: k,
                     price: {input: "3", output: "15"}}
                  - {name: gpt-4o, provider: openai, base_url: %1$s/v1, price: {input: "2.5", output: "10"}}
                pipelines:
                  auto:
                    workflow: true
                    routes: [{name: writer, model: claude}]
                    default_route: claude
                """.formatted(base))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "auto", "temperature": 0.5, "reasoning_effort": "low",
                     "messages": [{"role": "user", "content": "Say hello"}]}""");

            assertOwnRefusal(gw, res, "temperature", "cannot be used with reasoning");
        }
    }

    private void assertOwnRefusal(TestGateway gw, HttpResponse<String> res, String param, String message) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
        JsonNode error = TestGateway.json(res.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_value");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).startsWith(param + ": ").contains(message)
                .doesNotContain("invalid request");
        assertThat(upstream.getRequestCount()).isZero();
        assertThat(gw.records()).as("no call was made, so no failed attempt is ledgered").isEmpty();
        assertThat(gw.get("/metrics").body()).doesNotContain("costwise_upstream_failures_total{");
    }
}
