package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.pipeline.BudgetBook;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class StreamingEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private String yaml() {
        return """
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s
                    price: {input: "1.00", output: "2.00"}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", ""));
    }

    private static String streamBody(String prompt, boolean includeUsage) {
        return "{\"model\":\"fast\",\"stream\":true" + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}"
                : "") + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    private static List<String> events(String sse) {
        List<String> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ")) {
                out.add(line.substring(6));
            }
        }
        return out;
    }

    @Test
    void givenStreamWithIncludeUsage_whenStreamed_thenChunksPassThroughAndFinalUsageCarriesCost() throws Exception {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Hello", " world"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", streamBody("hi", true));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
            List<String> events = events(res.body());
            assertThat(events.getLast()).isEqualTo("[DONE]");
            StringBuilder text = new StringBuilder();
            for (String e : events.subList(0, events.size() - 1)) {
                TestGateway.json(e).path("choices").forEach(c -> text.append(c.at("/delta/content").asText("")));
            }
            assertThat(text.toString()).isEqualTo("Hello world");
            JsonNode usage = TestGateway.json(events.get(events.size() - 2));
            assertThat(usage.path("choices").isEmpty()).isTrue();
            assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(12);
            // 12 * 1.00/1M + 2 * 2.00/1M
            assertThat(usage.at("/costwise/cost").asText()).isEqualTo("0.000016");
            assertThat(usage.at("/costwise/cache").asText()).isEqualTo("miss");
            assertThat(usage.at("/costwise/model_used").asText()).isEqualTo("fast");
            JsonNode sent = TestGateway.json(upstream.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
            assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(row.cost()).isEqualTo(Money.of("0.000016"));
            assertThat(row.usage().outputTokens()).isEqualTo(2);
        }
    }

    @Test
    void givenStreamWithoutIncludeUsage_whenStreamed_thenNoUsageChunkReachesTheClientButTheLedgerHasIt() {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "a", "b", "c"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", streamBody("hi", false));

            List<String> events = events(res.body());
            assertThat(events.subList(0, events.size() - 1)).allSatisfy(e ->
                    assertThat(TestGateway.json(e).path("usage").isObject()).isFalse());
            assertThat(gw.records().getFirst().usage().outputTokens()).isEqualTo(3);
        }
    }

    @Test
    void givenStreamedAnswer_whenAskedAgain_thenReplayedFromCacheAsChunks() {
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "cached", " stream"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            gw.post("/v1/chat/completions", streamBody("again", true));
            HttpResponse<String> second = gw.post("/v1/chat/completions", streamBody("again", true));

            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("hit");
            List<String> events = events(second.body());
            StringBuilder text = new StringBuilder();
            events.subList(0, events.size() - 1).forEach(e -> TestGateway.json(e).path("choices")
                    .forEach(c -> text.append(c.at("/delta/content").asText(""))));
            assertThat(text.toString()).isEqualTo("cached stream");
            JsonNode usage = TestGateway.json(events.get(events.size() - 2));
            assertThat(usage.at("/costwise/cache").asText()).isEqualTo("hit");
            assertThat(usage.at("/costwise/cost").asText()).isEqualTo("0");
            assertThat(usage.at("/costwise/savings").asText()).as("what the first answer cost")
                    .isEqualTo(gw.records().getFirst().cost().toString());
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    /** The fake stream's first {@code events} events and nothing after them: an answer cut short. */
    private static String cutShort(int events) {
        String full = OpenAiFake.streamText("gpt-4o-mini", "Hello", " world", "!");
        int end = 0;
        for (int i = 0; i < events; i++) {
            end = full.indexOf("\n\n", end) + 2;
        }
        return full.substring(0, end);
    }

    /** The stream ended as the gateway ends a failed one: an OpenAI error event with {@code code}, then [DONE]. */
    private static void assertEndsWithError(List<String> events, String code) {
        assertThat(events.getLast()).isEqualTo("[DONE]");
        assertThat(TestGateway.json(events.get(events.size() - 2)).at("/error/code").asText()).isEqualTo(code);
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    @Test
    void givenUpstreamStreamEndsBeforeDone_whenStreaming_thenClientGetsAnErrorEventAndItIsNotCached() {
        upstream.enqueue(sse(cutShort(2)));
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "whole"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("cut", true)).body());

            assertEndsWithError(events, "upstream_unreachable");
            assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
            // The cut answer was not cached: the same question goes upstream again.
            HttpResponse<String> again = gw.post("/v1/chat/completions", streamBody("cut", true));
            assertThat(again.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenUpstreamConnectionDropsMidStream_whenStreaming_thenTheAttemptIsLedgeredAsFailed() {
        // The response promises more bytes than it sends, then the upstream closes the connection.
        String body = cutShort(2);
        upstream.enqueue(sse(body).newBuilder().removeHeader("Content-Length")
                .addHeader("Content-Length", String.valueOf(body.length() + 500))
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
        try (TestGateway gw = TestGateway.of(yaml())) {
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("drop", true)).body());

            assertEndsWithError(events, "upstream_unreachable");
            // the provider was reached, and answered: its stream broke
            assertThat(TestGateway.json(events.get(events.size() - 2)).at("/error/message").asText())
                    .contains("the stream from the provider of 'fast' (openai) broke")
                    .doesNotContain("cannot reach");
            assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
        }
    }

    @Test
    void givenUpstreamFailsAfterTheClientLeft_whenStreaming_thenTheAttemptHasOneLedgerRow() throws Exception {
        // The first two events at once, the cut-short rest a second later: by then the client has reset its
        // connection, so telling it about the failure fails too.
        String body = cutShort(2);
        upstream.enqueue(sse(body).newBuilder().throttleBody(cutShort(2).indexOf("Hello") + 20, 1, TimeUnit.SECONDS)
                .build());
        TestGateway gw = TestGateway.of(yaml());
        try {
            postAndReset(gw, streamBody("gone", true), "Hello");
        } finally {
            gw.close(); // waits for the request in flight to end
        }

        assertThat(gw.records()).as("one row for the one attempt").singleElement()
                .extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
    }

    @Test
    void givenUpstreamStallsMidStream_whenTheRequestDeadlinePasses_thenTheStreamEndsWithATimeoutThen() {
        // Two events at once, then more every 1.9 s: each read stays under the 2 s read timeout, so only a deadline
        // for the whole stream ends it at 2 s (without one, the chunk at 3.8 s is still waited for).
        String text = OpenAiFake.streamText("gpt-4o-mini", "slow", "words", "here");
        int twoEvents = text.indexOf("\n\n", text.indexOf("\n\n") + 2) + 2;
        upstream.enqueue(sse(text).newBuilder().throttleBody(twoEvents, 1900, TimeUnit.MILLISECONDS).build());
        try (TestGateway gw = TestGateway.of("server:\n  request_timeout: 2s\n" + yaml())) {
            long started = System.nanoTime();
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("stall", true)).body());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEndsWithError(events, "upstream_timeout");
            assertThat(took).as("ended at the 2 s deadline, not at the next chunk").isLessThan(Duration.ofSeconds(3));
            assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
        }
    }

    @Test
    void givenChunksEachWithinTheTimeout_whenTheRequestDeadlineEndsTheStream_thenItsErrorNamesTheRequestTimeout() {
        // Two events at once, then more every 1.2 s: each within the 1.5 s timeout between chunks, so only the 2.5 s
        // request deadline ends the stream, while the gateway waits for the bytes due at 3.6 s.
        String text = OpenAiFake.streamText("gpt-4o-mini", "slow", "words", "here", "and", "more");
        int twoEvents = text.indexOf("\n\n", text.indexOf("\n\n") + 2) + 2;
        upstream.enqueue(sse(text).newBuilder().throttleBody(twoEvents, 1200, TimeUnit.MILLISECONDS).build());
        try (TestGateway gw = TestGateway.of("server:\n  request_timeout: 2500ms\n" + yaml()
                + "defaults:\n  timeout: 1500ms\n")) {
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("deadline", true)).body());

            assertEndsWithError(events, "upstream_timeout");
            String message = TestGateway.json(events.get(events.size() - 2)).at("/error/message").asText();
            assertThat(message).contains("the request (server.request_timeout), mid-stream, timed out after")
                    .doesNotContain("1500 ms");
        }
    }

    @Test
    void givenClientLeavesMidStream_whenTheStreamEnds_thenThePartialAttemptIsLedgeredAndTheBudgetReleased()
            throws Exception {
        // The first events at once, the rest a second later, after the client has gone.
        String text = OpenAiFake.streamText("gpt-4o-mini", "Hello", " world", "!");
        upstream.enqueue(sse(text).newBuilder().throttleBody(text.indexOf("Hello") + 20, 1, TimeUnit.SECONDS).build());
        TestGateway gw = TestGateway.of("""
                master_key: sk-admin
                budgets:
                  - {name: daily, scope: global, window: day, limit: "5.00", on_exhausted: reject}
                """ + yaml());
        try {
            postAndReset(gw, streamBody("leave", true), "Hello", "Authorization: Bearer sk-admin");
        } finally {
            gw.close(); // waits for the request in flight to end
        }

        assertThat(gw.records()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(r.cost()).isGreaterThan(Money.ZERO);
        });
        BudgetBook.Status daily = gw.gateway.budgets().statuses().getFirst();
        assertThat(daily.reserved()).as("the stream's reservation was settled").isEqualTo(Money.ZERO);
        assertThat(daily.spent()).isEqualTo(gw.records().getFirst().cost());
    }

    /**
     * Sends a streamed chat request on a raw socket, reads until {@code seen} has arrived, then resets the connection
     * (SO_LINGER 0), so the gateway's next write to it fails at once.
     */
    private static void postAndReset(TestGateway gw, String body, String seen, String... headers) throws IOException {
        try (Socket client = new Socket("127.0.0.1", gw.gateway.port())) {
            byte[] request = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + request.length + "\r\n");
            for (String h : headers) {
                head.append(h).append("\r\n");
            }
            OutputStream out = client.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(request);
            out.flush();
            InputStream in = client.getInputStream();
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (received.indexOf(seen) < 0) {
                int n = in.read(buffer);
                assertThat(n).as("the stream ended before '%s' (got: %s)", seen, received).isPositive();
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            client.setSoLinger(true, 0);
        }
    }

    /** One stream event in OpenAI's chunk format with the given choices and usage (JSON). */
    private static String event(String choices, String usage) {
        return "data: {\"id\":\"chatcmpl-u1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":" + choices + ",\"usage\":" + usage + "}\n\n";
    }

    private static final String HI = "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
            + "\"finish_reason\":null}]";
    private static final String STOP = "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]";
    private static final String USAGE = "{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14}";

    @Test
    void givenProviderPutsUsageOnItsLastContentChunk_whenStreamedWithIncludeUsage_thenThatChunkCarriesTheCost() {
        upstream.enqueue(sse(event(HI, "null") + event(STOP, USAGE) + "data: [DONE]\n\n"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("last", true)).body());

            JsonNode last = TestGateway.json(events.get(events.size() - 2));
            assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            // 12 * 1.00/1M + 2 * 2.00/1M
            assertThat(last.at("/costwise/cost").asText()).isEqualTo("0.000016");
            assertThat(last.at("/costwise/estimated").isMissingNode()).isTrue();
            assertThat(gw.records().getFirst().cost()).isEqualTo(Money.of("0.000016"));
        }
    }

    @Test
    void givenUsageOnAContentChunk_whenTheCallerDidNotAskForUsage_thenTheChunkIsForwardedWithoutIt() {
        upstream.enqueue(sse(event(HI, "null") + event(STOP, USAGE) + "data: [DONE]\n\n"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("quiet", false)).body());

            assertThat(events).hasSize(3);
            assertThat(TestGateway.json(events.get(1)).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(events.subList(0, 2)).allSatisfy(e ->
                    assertThat(TestGateway.json(e).path("usage").isObject()).isFalse());
            assertThat(gw.records().getFirst().usage().outputTokens()).isEqualTo(2);
        }
    }

    @Test
    void givenProviderSendsNoUsage_whenStreamedWithIncludeUsage_thenAnEstimatedUsageChunkCarriesTheLedgeredCost() {
        upstream.enqueue(sse(event(HI, "null") + event(STOP, "null") + "data: [DONE]\n\n"));
        try (TestGateway gw = TestGateway.of(yaml())) {
            List<String> events = events(gw.post("/v1/chat/completions", streamBody("none", true)).body());

            JsonNode usage = TestGateway.json(events.get(events.size() - 2));
            assertThat(usage.path("choices").isArray()).isTrue();
            assertThat(usage.path("choices").isEmpty()).isTrue();
            assertThat(usage.at("/id").asText()).isEqualTo("chatcmpl-u1");
            assertThat(usage.at("/costwise/estimated").asBoolean()).isTrue();
            CostRecord row = gw.records().getFirst();
            assertThat(row.usage().estimated()).isTrue();
            assertThat(usage.at("/usage/completion_tokens").asLong()).isEqualTo(row.usage().outputTokens());
            assertThat(Money.of(usage.at("/costwise/cost").asText())).isEqualTo(row.cost());
        }
    }

    @Test
    void givenUpstreamFailsBeforeFirstChunk_whenStreaming_thenOpenAiErrorJsonWithStatus() {
        upstream.enqueue(OpenAiFake.error(500, "server_error", null, "boom"));
        try (TestGateway gw = TestGateway.of(yaml() + "defaults:\n  retry: {max_retries: 0}\n")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", streamBody("hi", true));

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(TestGateway.json(res.body()).at("/error/type").asText()).isEqualTo("server_error");
        }
    }
}
