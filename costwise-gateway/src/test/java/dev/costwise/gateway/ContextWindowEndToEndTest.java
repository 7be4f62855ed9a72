package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A model's {@code context_window}: a prompt the gateway estimates above it goes straight to the pipeline's
 * {@code context_window_fallback}, without the call the provider would refuse. The upstream is a MockWebServer
 * speaking OpenAI's chat completions API.
 */
class ContextWindowEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: tiny, provider: openai, model: gpt-4o-mini, base_url: %s/v1, context_window: 300}
                  - {name: long, provider: openai, model: gpt-4.1, base_url: %s/v1}
                pipelines:
                  auto:
                    routes: [{name: cheap, model: tiny, when: {max_chars: 2000}}]
                    default_route: tiny
                    context_window_fallback: long
                """.formatted(base, base));
    }

    @Test
    void givenAPromptAboveTheChosenModelsWindow_whenSent_thenTheLargerModelIsCalledAndTheSmallOneIsNot()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4.1", "summary", 450, 5));
        try (TestGateway gw = gateway()) {
            // 1,600 ASCII characters: about 400 tokens, more than tiny's 300
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "a".repeat(1600)));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("long");
            RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertThat(TestGateway.json(sent.getBody().utf8()).path("model").asText()).isEqualTo("gpt-4.1");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenAPromptAboveTheChosenModelsWindow_whenExplained_thenTheLargerModelAndItsWorstCaseAreShown() {
        try (TestGateway gw = gateway()) {
            JsonNode plan = TestGateway.json(gw.post("/v1/route/explain", TestGateway.chat("auto", "a".repeat(1600)))
                    .body());

            assertThat(plan.path("route").asText()).isEqualTo("cheap");
            assertThat(plan.path("model").asText()).isEqualTo("long");
            assertThat(plan.at("/candidates/0").asText()).isEqualTo("long");
            assertThat(plan.at("/context_window/skipped").asText()).isEqualTo("tiny");
            assertThat(plan.at("/context_window/window").asInt()).isEqualTo(300);
            // gpt-4.1 at $2 in and $8 out per 1M, its whole 32,768-token output reserved
            long input = plan.path("estimated_input_tokens").asLong();
            assertThat(Money.of(plan.path("estimated_max_cost").asText())).isEqualTo(
                    Money.of("2").perMillion(input).plus(Money.of("8").perMillion(32_768)));
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAPromptThatFits_whenSent_thenTheChosenModelAnswers() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "hi", 10, 2));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "hello"));

            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("tiny");
        }
    }

    @Test
    void givenTheLargerModelFailsToo_whenSent_thenTheErrorSaysWhyTheSmallOneWasNotTried() {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "a".repeat(1600)));

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .contains("'tiny' not tried: the prompt's estimated ")
                    .contains("tokens do not fit its 300-token context window");
        }
    }
}
