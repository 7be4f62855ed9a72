package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.http.HttpBodies;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;

/**
 * An upstream answer larger than the gateway reads (16 MB), or a stream event that large, fails that attempt as
 * {@code malformed_response} and falls back, without the answer being held whole: under the launcher's small heap one
 * runaway answer would otherwise end the process and every request in flight with it. The oversized bodies are
 * generated as they are sent, so the test holds none of them.
 */
class OversizedAnswersEndToEndTest {
    private static final long OVER = HttpBodies.DEFAULT_MAX_SIZE + 4L * 1024 * 1024;

    @StartStop
    final MockWebServer primary = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private TestGateway gateway(String provider, String model, String fallbacks) {
        return TestGateway.of("""
                models:
                  - {name: primary, provider: %s, model: %s, base_url: %s, api_key: sk-test,
                     price: {input: "1.00", output: "2.00"}}
                  - {name: backup, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "0.10", output: "0.20"}}
                pipelines:
                  primary: {fallbacks: %s, retry: {max_retries: 0}, cache: {enabled: false}}
                """.formatted(provider, model, provider.equals("openai") ? TestGateway.baseUrl(primary) + "/v1"
                : TestGateway.baseUrl(primary), TestGateway.baseUrl(backup) + "/v1", fallbacks));
    }

    /**
     * A 200 answer, chunked, valid in the provider's format (only its size is wrong with it): {@code opening}, which
     * ends in an array, {@link #OVER} bytes of 64 KB strings in it (Jackson refuses one string over 20 MB), then
     * {@code closing}, which ends the array.
     */
    private static MockResponse runaway(String contentType, String opening, String closing) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", contentType)
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return -1;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        byte[] piece = new byte[64 * 1024];
                        Arrays.fill(piece, (byte) 'x');
                        piece[0] = '"';
                        piece[piece.length - 2] = '"';
                        piece[piece.length - 1] = ',';
                        chunk(sink, opening.getBytes(StandardCharsets.UTF_8));
                        for (long sent = 0; sent < OVER; sent += piece.length) {
                            chunk(sink, piece);
                        }
                        chunk(sink, ("\"\"]" + closing).getBytes(StandardCharsets.UTF_8));
                        sink.writeUtf8("0\r\n\r\n").flush();
                    }
                }).removeHeader("Content-Length").addHeader("Transfer-Encoding", "chunked").build();
    }

    private static void chunk(BufferedSink sink, byte[] bytes) throws IOException {
        sink.writeUtf8(Integer.toHexString(bytes.length)).writeUtf8("\r\n").write(bytes).writeUtf8("\r\n").flush();
    }

    /** An OpenAI chat completion padded past the limit. */
    private static MockResponse openAiAnswer() {
        return runaway("application/json", "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":5,\"total_tokens\":10},\"padding\":[", "}");
    }

    private static void assertAnsweredByBackup(TestGateway gw, HttpResponse<String> res) {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
        CostRecord failed = gw.records().getFirst();
        assertThat(failed.usedModel()).isEqualTo("primary");
        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.errorKind()).hasValue("malformed_response");
    }

    @Test
    void givenAnOpenAiAnswerOverTheLimit_whenAsked_thenTheFallbackAnswers() {
        primary.enqueue(openAiAnswer());
        backup.enqueue(OpenAiFake.completion("gpt-4o-mini", "from backup", 5, 2));
        try (TestGateway gw = gateway("openai", "gpt-4o-mini", "[backup]")) {
            assertAnsweredByBackup(gw, gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi")));
        }
    }

    @Test
    void givenAnOpenAiAnswerOverTheLimitAndNoFallback_whenAsked_thenA502NamesTheLimit() {
        primary.enqueue(openAiAnswer());
        try (TestGateway gw = gateway("openai", "gpt-4o-mini", "[]")) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi"));

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("upstream_malformed");
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .contains("the answer is larger than the 16 MB limit");
        }
    }

    @Test
    void givenAnAnthropicAnswerOverTheLimit_whenAsked_thenTheFallbackAnswers() {
        primary.enqueue(runaway("application/json", "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
                + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":5,\"output_tokens\":5},"
                + "\"padding\":[", "}"));
        backup.enqueue(OpenAiFake.completion("gpt-4o-mini", "from backup", 5, 2));
        try (TestGateway gw = gateway("anthropic", "claude-sonnet-4-5", "[backup]")) {
            assertAnsweredByBackup(gw, gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi")));
        }
    }

    @Test
    void givenAnOpenAiStreamWhoseFirstEventIsOverTheLimit_whenStreamed_thenTheFallbackAnswers() {
        primary.enqueue(runaway("text/event-stream", OpenAiFake.CHUNK_HEAD + "[{\"index\":0,"
                + "\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}],\"padding\":[", "}\n\n"
                + OpenAiFake.CHUNK_HEAD + "[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5,"
                + "\"total_tokens\":10}}\n\ndata: [DONE]\n\n"));
        backup.enqueue(OpenAiFake.stream("gpt-4o-mini", "from", " backup"));
        String ask = "{\"model\":\"primary\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (TestGateway gw = gateway("openai", "gpt-4o-mini", "[backup]")) {
            assertAnsweredByBackup(gw, gw.post("/v1/chat/completions", ask));
        }
    }
}
