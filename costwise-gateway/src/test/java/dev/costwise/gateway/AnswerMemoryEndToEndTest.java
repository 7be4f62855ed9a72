package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Upstream answers read whole share one budget of memory ({@code server.answer_memory}): two 3 MB answers at once do
 * not fit in 4 MB, so the second is refused as soon as its headers arrive (overloaded, transient) and falls back,
 * while the first is read and answers. Under the launcher's small heap, several answers each under the per-answer cap
 * would otherwise still end the process together. The primary's answers declare their length, and their bodies are
 * held back until the refused call has reached the fallback, so both are in flight at once; they are generated as
 * they are sent.
 */
class AnswerMemoryEndToEndTest {
    private static final int ONE_MB = 1024 * 1024;

    @StartStop
    final MockWebServer primary = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private final CountDownLatch refusedCallFellBack = new CountDownLatch(1);

    /** A 200 answer declaring {@code padding} bytes more than {@code opening + closing}, sent once the latch opens. */
    private MockResponse heldBack(String opening, long padding, String closing) {
        byte[] head = opening.getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\"\"]" + closing).getBytes(StandardCharsets.UTF_8);
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'x');
        piece[0] = '"';
        piece[piece.length - 2] = '"';
        piece[piece.length - 1] = ',';
        long pieces = padding / piece.length;
        long length = head.length + pieces * piece.length + tail.length;
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return length;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        sink.write(head).flush(); // the gateway reserves the declared length on the headers
                        try {
                            if (!refusedCallFellBack.await(30, TimeUnit.SECONDS)) {
                                throw new IOException("no call fell back");
                            }
                        } catch (InterruptedException e) {
                            throw new InterruptedIOException();
                        }
                        for (long i = 0; i < pieces; i++) {
                            sink.write(piece);
                        }
                        sink.write(tail).flush();
                    }
                }).build();
    }

    @ParameterizedTest
    @CsvSource({
        "openai, gpt-4o-mini, /v1, '{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"big\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":5,"
                + "\"total_tokens\":10},\"padding\":['",
        "anthropic, claude-sonnet-4-5, '', '{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"big\"}],"
                + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":5,\"output_tokens\":5},\"padding\":['"
    })
    void givenTwoAnswersAtOnceOverTheAnswerMemory_whenAsked_thenOneIsReadAndTheOtherFallsBack(String provider,
            String model, String path, String opening) throws Exception {
        primary.enqueue(heldBack(opening, 3L * ONE_MB, "}"));
        primary.enqueue(heldBack(opening, 3L * ONE_MB, "}"));
        backup.enqueue(OpenAiFake.completion("gpt-4o-mini", "from backup", 5, 2));
        try (TestGateway gw = TestGateway.of("""
                server: {max_answer_size: 3500KB, answer_memory: 4MB}
                models:
                  - {name: primary, provider: %s, model: %s, base_url: "%s", api_key: sk-test,
                     price: {input: "1.00", output: "2.00"}}
                  - {name: backup, provider: openai, model: gpt-4o-mini, base_url: "%s",
                     price: {input: "0.10", output: "0.20"}}
                pipelines:
                  primary: {fallbacks: [backup], retry: {max_retries: 0}, cache: {enabled: false}}
                """.formatted(provider, model, TestGateway.baseUrl(primary) + path,
                TestGateway.baseUrl(backup) + "/v1"))) {
            List<CompletableFuture<HttpResponse<String>>> calls = List.of(
                    CompletableFuture.supplyAsync(() -> gw.post("/v1/chat/completions", TestGateway.chat("primary",
                            "one"))),
                    CompletableFuture.supplyAsync(() -> gw.post("/v1/chat/completions", TestGateway.chat("primary",
                            "two"))));
            assertThat(primary.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(primary.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(backup.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
            refusedCallFellBack.countDown();

            List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();
            assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
            assertThat(answers).extracting(r -> r.headers().firstValue("x-costwise-model-used").orElseThrow())
                    .containsExactlyInAnyOrder("primary", "backup");
            CostRecord refused = gw.records().stream().filter(r -> r.outcome() == Outcome.FAILED).findFirst()
                    .orElseThrow();
            assertThat(refused.usedModel()).isEqualTo("primary");
            assertThat(refused.errorKind()).hasValue("overloaded");
        }
    }

    @Test
    void givenAnswerLimits_whenLoaded_thenReadAndBadOnesNamedByPath() {
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        String models = "models: [{name: m, provider: openai, model: gpt-4o-mini, api_key: sk-test}]\n";
        GatewayConfig.Server server = loader.parse("server: {max_answer_size: 8MB, answer_memory: 64MB}\n" + models,
                "ok.yaml").server();
        assertThat(server.maxAnswerBytes()).isEqualTo(8L * ONE_MB);
        assertThat(server.effectiveAnswerMemory()).isEqualTo(64L * ONE_MB);
        GatewayConfig.Server defaults = loader.parse("server: {}\n" + models, "ok.yaml").server();
        assertThat(defaults.maxAnswerBytes()).isEqualTo(16L * ONE_MB);
        assertThat(defaults.effectiveAnswerMemory()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);

        assertThatThrownBy(() -> loader.parse("server: {max_answer_size: 3GB, answer_memory: lots}\n" + models,
                "bad.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "server.max_answer_size: must be below 2GB (an answer is read into one array), was '3GB'",
                        "server.answer_memory: expected a size such as 512KB or 10MB, was 'lots'"));
        assertThatThrownBy(() -> loader.parse("server: {answer_memory: 1MB}\n" + models, "bad.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "server.answer_memory: must be at least server.max_answer_size (16777216 bytes), or no answer "
                                + "that large could ever be read, was '1MB'"));
    }
}
