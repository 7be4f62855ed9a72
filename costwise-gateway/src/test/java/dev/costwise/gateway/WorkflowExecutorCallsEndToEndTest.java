package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A workflow's executor calls obey what the gateway applies to any call of their model. Every model is OpenAI's,
 * faked by a MockWebServer speaking its chat completions format.
 */
class WorkflowExecutorCallsEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final List<JsonNode> sent = new ArrayList<>();
    /** The gateway's time, which the upstream moves on while it answers. */
    private final AtomicLong nanos = new AtomicLong();

    private void answering() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                JsonNode body = TestGateway.json(request.getBody().utf8());
                synchronized (sent) {
                    sent.add(body);
                }
                return OpenAiFake.completion(body.path("model").asText(), "an answer", 100, 50);
            }
        });
    }

    @Test
    void givenTheFreeExecutorRateLimited_whenASimpleTaskFallsBack_thenTheCheapestCapableExecutorAnswersNotAStronger() {
        // the free Groq model answers 429 in OpenAI's format; every other model answers
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                JsonNode body = TestGateway.json(request.getBody().utf8());
                synchronized (sent) {
                    sent.add(body);
                }
                if (request.getUrl().encodedPath().startsWith("/groq/")) {
                    return OpenAiFake.error(429, "tokens", "rate_limit_exceeded", "Rate limit reached");
                }
                return OpenAiFake.completion(body.path("model").asText(), "12", 20, 2);
            }
        });
        String base = TestGateway.baseUrl(upstream);
        try (TestGateway gw = new TestGateway("""
                defaults: {retry: {max_retries: 0}}
                models:
                  - {name: "llama-3.3-70b-versatile:free", provider: groq, model: llama-3.3-70b-versatile,
                     base_url: %1$s/groq/v1, api_key: gsk-test}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s/v1}
                  - {name: gpt-4o, provider: openai, base_url: %1$s/v1}
                pipelines:
                  auto:
                    workflow: true
                    validate: true
                    routes:
                      - {name: free, model: "llama-3.3-70b-versatile:free"}
                      - {name: cheap, model: gpt-4o-mini}
                      - {name: strong, model: gpt-4o}
                    default_route: gpt-4o
                """.formatted(base), Map.of())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "auto", "messages": [{"role": "user", "content": "What is 6+6?"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(sent).extracting(b -> b.path("model").asText())
                    .as("a rate limit is not a reason to pay for a stronger model than the task needs")
                    .containsExactly("llama-3.3-70b-versatile", "gpt-4o-mini");
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("gpt-4o-mini");
        }
    }

    @Test
    void givenAnExecutorWhosePipelineCapsReasoning_whenTheWorkflowCallsIt_thenItsCapHolds() {
        answering();
        String base = TestGateway.baseUrl(upstream) + "/v1";
        try (TestGateway gw = new TestGateway("""
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s}
                  - {name: o4-mini, provider: openai, base_url: %1$s}
                pipelines:
                  o4-mini: {max_reasoning_effort: low}
                  auto:
                    workflow: true
                    routes: [{name: thinker, model: o4-mini}]
                    default_route: gpt-4o
                """.formatted(base), Map.of())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "auto", "reasoning_effort": "high", "max_tokens": 300,
                     "messages": [{"role": "user", "content": "Say hello"}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode executorCall = sent.stream().filter(b -> b.path("model").asText().equals("o4-mini"))
                    .findFirst().orElseThrow();
            assertThat(executorCall.path("reasoning_effort").asText()).isEqualTo("low");
        }
    }

    @Test
    void givenNoMaxTokens_whenTheWorkflowCallsAnExecutor_thenItIsSentTheLimitTheRunReservedForIt() {
        answering();
        String base = TestGateway.baseUrl(upstream) + "/v1";
        try (TestGateway gw = new TestGateway("""
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s, max_output_tokens: 700}
                pipelines:
                  auto:
                    workflow: true
                    routes: [{name: mini, model: gpt-4o-mini}]
                    default_route: gpt-4o
                """.formatted(base), Map.of())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "Say hello"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode executorCall = sent.stream().filter(b -> b.path("model").asText().equals("gpt-4o-mini"))
                    .findFirst().orElseThrow();
            // a provider not told the limit could answer past what the run's budgets hold
            assertThat(executorCall.path("max_completion_tokens").asInt()).isEqualTo(700);
        }
    }

    @Test
    void givenTheDeadlinePassesDuringAnExecutorsCall_whenItFails_thenA504NamesTheExecutorsNotTried() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                nanos.addAndGet(TimeUnit.SECONDS.toNanos(3)); // the provider took 3 s of the request's 2 s
                return OpenAiFake.error(500, "server_error", null, "The server had an error");
            }
        });
        String base = TestGateway.baseUrl(upstream) + "/v1";
        try (TestGateway gw = new TestGateway("""
                server: {request_timeout: 2s}
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s}
                  - {name: gpt-4.1-nano, provider: openai, base_url: %1$s}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s}
                pipelines:
                  auto:
                    workflow: true
                    routes: [{name: nano, model: gpt-4.1-nano}, {name: mini, model: gpt-4o-mini}]
                    default_route: gpt-4o
                """.formatted(base), Map.of(), nanos::get)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "Say hello"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(504);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("upstream_timeout");
            assertThat(error.get("message").asText()).contains("The server had an error")
                    .endsWith("; not tried, the request's 2000 ms timeout passed first: 'gpt-4o-mini'");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }
}
