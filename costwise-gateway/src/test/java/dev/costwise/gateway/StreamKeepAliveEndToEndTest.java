package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Sleeper;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A provider keeps its connection alive while its model thinks: Anthropic with {@code ping} events, OpenRouter with
 * {@code : OPENROUTER PROCESSING} comments. The gateway passes them on, once its client has been sent nothing for
 * {@code server.stream_keepalive} (15 s here), at most one that often: an SSE comment on the OpenAI APIs, a
 * {@code ping} event on the Messages API. Until the first one the response has not started, so a short wait keeps
 * the whole fallback; the first shows whether the client is still there, and a client that has gone ends the call at
 * once. Time is the gateway's ticker, which the fake provider moves as its keep-alives come.
 */
class StreamKeepAliveEndToEndTest {
    private static final String MASTER = "master-secret-123";
    private static final String COMMENT = ": OPENROUTER PROCESSING\n\n";
    private static final String PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @StartStop
    final MockWebServer upstream = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();
    final AtomicLong nanos = new AtomicLong();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                server:
                  request_timeout: 1h
                  stream_keepalive: 15s
                models:
                  - {name: router, provider: openrouter, model: openai/gpt-4o-mini, api_key: sk-or-test,
                     base_url: %1$s/api/v1, price: {input: "0.15", output: "0.60"}}
                  - {name: solo, provider: openrouter, model: openai/gpt-4o-mini, api_key: sk-or-test,
                     base_url: %1$s/api/v1, price: {input: "0.15", output: "0.60"}}
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test,
                     base_url: %1$s}
                  - {name: backup, provider: openai-compatible, model: llama, base_url: %2$s/v1,
                     price: {input: "0.05", output: "0.08"}}
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                pipelines:
                  router:
                    fallbacks: [backup]
                """.formatted(TestGateway.baseUrl(upstream), TestGateway.baseUrl(backup)), Map.of("MASTER", MASTER),
                nanos::get);
    }

    private HttpResponse<String> post(TestGateway gw, String path, String body) {
        return gw.post(path, body, "Authorization", "Bearer " + MASTER);
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"think hard\"}]}";
    }

    /** OpenRouter's error event for a generation that failed before it wrote anything. */
    private static String failure() {
        return "data: {\"id\":\"gen-3\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"openai/gpt-4o-mini\",\"provider\":\"OpenAI\",\"error\":{\"code\":502,"
                + "\"message\":\"Provider returned error\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
                + "\"finish_reason\":\"error\"}]}\n\ndata: [DONE]\n\n";
    }

    /** OpenRouter's comments, {@code times} of them five seconds apart, then {@code last}. */
    private PacedStreamBody router(int times, String last) {
        List<PacedStreamBody.Step> steps = PacedStreamBody.every(FIVE_SECONDS, times, COMMENT);
        steps.add(PacedStreamBody.then(last));
        return new PacedStreamBody(nanos, steps);
    }

    private static long keepAlives(String body) {
        return body.lines().filter(": keep-alive"::equals).count();
    }

    @Test
    void givenAProviderThatThinksLongerThanTheKeepAlive_whenStreamed_thenTheClientGetsKeepAlivesThenTheAnswer() {
        upstream.enqueue(router(8, OpenAiFake.streamText("openai/gpt-4o-mini", "late", " answer"))
                .response(COMMENT.length()));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = post(gw, "/v1/chat/completions", chat("router"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("router");
            // 40 s of comments: one passed on after 15 s of silence, another at most 15 s after it
            assertThat(keepAlives(res.body())).isBetween(1L, 2L);
            assertThat(res.body().indexOf(": keep-alive")).isLessThan(res.body().indexOf("data: "));
            assertThat(res.body()).contains("late").contains(" answer").endsWith("data: [DONE]\n\n");
            assertThat(gw.records()).extracting(CostRecord::outcome).containsExactly(Outcome.SUCCESS);
        }
    }

    @Test
    void givenAWaitShorterThanTheKeepAlive_whenTheProviderFailsFirst_thenTheFallbackAnswersWithItsOwnHeaders() {
        upstream.enqueue(router(2, failure()).response(COMMENT.length()));
        backup.enqueue(OpenAiFake.stream("llama", "from", " backup"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = post(gw, "/v1/chat/completions", chat("router"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(keepAlives(res.body())).as("10 s of silence: nothing sent before the answer").isZero();
            assertThat(res.body()).contains("from").contains(" backup");
        }
    }

    @Test
    void givenAResponseStartedByAKeepAlive_whenTheProviderThenFails_thenTheFallbackAnswersInTheSameStream() {
        upstream.enqueue(router(8, failure()).response(COMMENT.length()));
        backup.enqueue(OpenAiFake.stream("llama", "from", " backup"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = post(gw, "/v1/chat/completions", chat("router"));

            assertThat(res.statusCode()).isEqualTo(200);
            // the headers went out with the first keep-alive, naming the model then waited on
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("router");
            assertThat(keepAlives(res.body())).isPositive();
            List<JsonNode> chunks = TestGateway.dataChunks(res.body());
            assertThat(res.body()).contains("from").contains(" backup");
            assertThat(chunks.getLast().at("/costwise/model_used").asText()).isEqualTo("backup");
            assertThat(gw.records()).extracting(CostRecord::usedModel).containsExactly("router", "backup");
        }
    }

    @Test
    void givenAResponseStartedByAKeepAlive_whenEveryAttemptFails_thenItsLastEventIsTheErrorCountedAsOne() {
        upstream.enqueue(router(8, failure()).response(COMMENT.length()));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = post(gw, "/v1/chat/completions", chat("solo"));

            assertThat(res.statusCode()).isEqualTo(200);
            List<JsonNode> chunks = TestGateway.dataChunks(res.body());
            assertThat(chunks.getLast().at("/error/code").asText()).isEqualTo("upstream_error");
            assertThat(chunks.getLast().at("/error/message").asText()).contains("Provider returned error");
            assertThat(res.body()).endsWith("data: [DONE]\n\n");
            assertThat(gw.get("/metrics", "Authorization", "Bearer " + MASTER).body())
                    .contains("costwise_errors_total{code=\"upstream_error\",model=\"solo\",status=\"502\"} 1.0");
        }
    }

    @Test
    void givenAResponseStartedByAKeepAlive_whenABugEndsTheRequest_thenItsLastEventIsAnInternalErrorAndDone() {
        upstream.enqueue(router(8, failure()).response(COMMENT.length()));
        // the wait before the retry is where the bug strikes, after a keep-alive has sent the status
        Sleeper buggy = d -> {
            throw new IllegalStateException("test: a bug in the gateway");
        };
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                server: {request_timeout: 1h, stream_keepalive: 15s}
                models:
                  - {name: solo, provider: openrouter, model: openai/gpt-4o-mini, api_key: sk-or-test,
                     base_url: %s/api/v1, price: {input: "0.15", output: "0.60"}}
                defaults:
                  retry: {max_retries: 1}
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER), nanos::get, buggy)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", chat("solo"), "Authorization",
                    "Bearer " + MASTER, "x-request-id", "req-bug-1");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(keepAlives(res.body())).isPositive();
            JsonNode last = TestGateway.dataChunks(res.body()).getLast();
            assertThat(last.at("/error/code").asText()).isEqualTo("internal_error");
            assertThat(last.at("/error/message").asText()).contains("request req-bug-1").doesNotContain("test:");
            assertThat(res.body()).endsWith("data: [DONE]\n\n");
            assertThat(gw.get("/metrics", "Authorization", "Bearer " + MASTER).body())
                    .contains("costwise_errors_total{code=\"internal_error\",model=\"solo\",status=\"500\"} 1.0");
        }
    }

    private static String anthropic(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    private static String textDelta(String text) {
        return anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}");
    }

    /** Anthropic's stream: its message_start, pings while it thinks, a word, pings again, a word, its end. */
    private PacedStreamBody claudeThinking(int pings) {
        List<PacedStreamBody.Step> steps = new ArrayList<>();
        steps.add(PacedStreamBody.then(anthropic("message_start", "{\"type\":\"message_start\",\"message\":"
                + "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
                + "\"model\":\"claude-haiku-4-5\",\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":600,\"cache_read_input_tokens\":300,\"output_tokens\":1}}}")));
        steps.addAll(PacedStreamBody.every(FIVE_SECONDS, pings, PING));
        steps.add(PacedStreamBody.then(anthropic("content_block_start", "{\"type\":\"content_block_start\","
                + "\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") + textDelta("first")));
        steps.addAll(PacedStreamBody.every(FIVE_SECONDS, pings, PING));
        steps.add(PacedStreamBody.then(textDelta(" second")
                + anthropic("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + anthropic("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":200}}")
                + anthropic("message_stop", "{\"type\":\"message_stop\"}")));
        return new PacedStreamBody(nanos, steps);
    }

    @Test
    void givenAnAnthropicModelThatPings_whenStreamedOnTheMessagesApi_thenThePingsArePassedOnAsPingEvents() {
        upstream.enqueue(claudeThinking(8).response(PING.length()));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = post(gw, "/v1/messages", """
                    {"model": "claude", "max_tokens": 500, "stream": true,
                     "messages": [{"role": "user", "content": "think hard"}]}""");

            List<String> types = TestGateway.events(res.body()).stream().map(Map.Entry::getKey).toList();
            assertThat(types.getFirst()).isEqualTo("message_start");
            int first = types.indexOf("content_block_start");
            int second = types.lastIndexOf("content_block_delta");
            // 40 s of pings before the first word and 40 s between the words: one or two passed on in each
            assertThat(types.subList(0, first).stream().filter("ping"::equals).count()).isBetween(1L, 2L);
            assertThat(types.subList(first, second).stream().filter("ping"::equals).count()).isBetween(1L, 2L);
            assertThat(types.getLast()).isEqualTo("message_stop");
        }
    }

    @Test
    void givenAProviderThatThinks_whenStreamedOnTheResponsesApi_thenTheClientGetsKeepAliveComments() {
        upstream.enqueue(router(8, OpenAiFake.streamText("openai/gpt-4o-mini", "late", " answer"))
                .response(COMMENT.length()));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = post(gw, "/v1/responses",
                    "{\"model\":\"router\",\"stream\":true,\"store\":false,\"input\":\"think hard\"}");

            assertThat(keepAlives(res.body())).isBetween(1L, 2L);
            assertThat(res.body()).contains("event: response.completed");
        }
    }

    /**
     * A client that leaves while the model thinks, before any byte of the answer: it sent its request, then reset
     * its connection.
     */
    @ParameterizedTest
    @ValueSource(strings = {"claude", "router"})
    void givenAClientThatLeavesBeforeTheFirstToken_whenAKeepAliveFindsItGone_thenTheProvidersCallIsClosedAtOnce(
            String model) throws Exception {
        PacedStreamBody thinking = model.equals("claude") ? claudeThinking(1000)
                : router(1000, OpenAiFake.streamText("openai/gpt-4o-mini", "too", " late"));
        upstream.enqueue(thinking.response(model.equals("claude") ? PING.length() : COMMENT.length()));
        TestGateway gw = gateway();
        try (Socket client = new Socket("127.0.0.1", gw.gateway.port())) {
            byte[] body = chat(model).getBytes(StandardCharsets.UTF_8);
            OutputStream out = client.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + MASTER + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            assertThat(upstream.takeRequest(10, TimeUnit.SECONDS)).as("the provider was called").isNotNull();
            client.setSoLinger(true, 0); // reset: the gateway's next write to it fails
        }
        try {
            assertThat(thinking.cutWithin(Duration.ofSeconds(30))).as("the gateway closed the provider's call")
                    .isTrue();
            assertThat(thinking.written()).isLessThan(thinking.steps() / 2);
        } finally {
            gw.close(); // waits for the request in flight to end
        }

        assertThat(gw.records()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(r.usedModel()).isEqualTo(model);
            if (model.equals("claude")) {
                // billed what Anthropic reported at the start: the prompt, and its cache reads
                assertThat(r.usage().inputTokens()).isEqualTo(900);
                assertThat(r.usage().cachedInputTokens()).isEqualTo(300);
            }
        });
    }
}
