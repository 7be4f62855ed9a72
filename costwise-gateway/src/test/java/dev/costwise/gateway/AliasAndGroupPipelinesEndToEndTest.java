package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * An alias is another name for its model, so it gets that model's pipeline; a model's {@code max_reasoning_effort}
 * bounds every call to it, whichever name (alias, group, route) reached it. The upstream is a MockWebServer speaking
 * OpenAI's chat completions API.
 */
class AliasAndGroupPipelinesEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                models:
                  - {name: big, provider: openai, model: gpt-4o, base_url: %s/v1}
                  - {name: small, provider: openai, model: gpt-4o-mini, base_url: %s/v1}
                  - {name: o4-mini, provider: openai, model: o4-mini, base_url: %s/v1}
                aliases:
                  smart: big
                  thinker: o4-mini
                groups:
                  thinkers: [o4-mini, small]
                pipelines:
                  big:
                    fallbacks: [small]
                    retry: {max_retries: 0}
                  o4-mini:
                    max_reasoning_effort: low
                """.formatted(base, base, base));
    }

    private String sentModel() throws InterruptedException {
        return sent().path("model").asText();
    }

    private JsonNode sent() throws InterruptedException {
        RecordedRequest r = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        return TestGateway.json(r.getBody().utf8());
    }

    @Test
    void givenAnAliasOfAModelWithFallbacks_whenTheModelFails_thenTheAliasFallsBackLikeTheModel() throws Exception {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "The server had an error"));
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "hi", 10, 2));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("smart", "hello"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("small");
            assertThat(sentModel()).isEqualTo("gpt-4o"); // once: the model's max_retries 0, not the default 2
            assertThat(sentModel()).isEqualTo("gpt-4o-mini");
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenAModelsReasoningCap_whenCalledThroughAnAliasOrAGroup_thenTheCapHolds() throws Exception {
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 10, 2));
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 10, 2));
        upstream.enqueue(OpenAiFake.completion("o4-mini", "42", 10, 2));
        try (TestGateway gw = gateway()) {
            for (String name : new String[] {"o4-mini", "thinker", "thinkers"}) {
                HttpResponse<String> res = gw.post("/v1/chat/completions", """
                        {"model": "%s", "reasoning_effort": "high",
                         "messages": [{"role": "user", "content": "6 * 7?"}]}""".formatted(name));
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);

                assertThat(sent().path("reasoning_effort").asText()).as(name).isEqualTo("low");
            }
        }
    }

    @Test
    void givenAModelsReasoningCap_whenAGroupOfItIsExplained_thenExplainShowsWhatTheModelIsSent() {
        try (TestGateway gw = gateway()) {
            JsonNode plan = TestGateway.json(gw.post("/v1/route/explain", """
                    {"model": "thinkers", "reasoning_effort": "high",
                     "messages": [{"role": "user", "content": "6 * 7?"}]}""").body());

            assertThat(plan.path("model").asText()).isEqualTo("o4-mini");
            assertThat(plan.at("/reasoning/reasoning_effort").asText()).isEqualTo("low");
            assertThat(plan.at("/reasoning_asked/reasoning_effort").asText()).isEqualTo("high");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
