package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * A model's {@code first_token_timeout}: a provider that opens its stream (OpenAI's role-only chunk, Anthropic's
 * {@code message_start} and {@code ping}) and then stalls has not started to answer, so the attempt fails and falls
 * back before anything reaches the caller; once output flows, only the pipeline's timeout between chunks applies.
 */
class FirstTokenTimeoutEndToEndTest {
    @StartStop
    final MockWebServer stalling = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private String yaml(String stallingProvider, String stallingBaseUrl) {
        return """
                models:
                  - name: primary
                    provider: %s
                    model: %s
                    api_key: sk-test
                    base_url: %s
                    price: {input: "1.00", output: "2.00"}
                    first_token_timeout: 300ms
                  - name: backup
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s
                    price: {input: "0.10", output: "0.20"}
                pipelines:
                  primary:
                    fallbacks: [backup]
                    retry: {max_retries: 0}
                    timeout: 30s
                """.formatted(stallingProvider, stallingProvider.equals("anthropic") ? "claude-sonnet-4-5"
                : "gpt-4o-mini", stallingBaseUrl, TestGateway.baseUrl(backup) + "/v1");
    }

    /** @return the length of a stream's first event: OpenAI's role-only chunk, which carries no output */
    private static int roleChunk(String sse) {
        return sse.indexOf("\n\n") + 2;
    }

    private static String ask() {
        return "{\"model\":\"primary\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** A stream that sends its first {@code openingBytes} at once and the rest only after 20 s. */
    private static MockResponse stallingAfter(String body, int openingBytes) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body)
                .throttleBody(openingBytes, 20, TimeUnit.SECONDS).build();
    }

    private static String text(String sse) {
        StringBuilder text = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                TestGateway.json(line.substring(6)).path("choices")
                        .forEach(c -> text.append(c.at("/delta/content").asText("")));
            }
        }
        return text.toString();
    }

    @Test
    void givenAnOpenAiStreamThatStallsAfterItsRoleChunk_whenStreamed_thenTheFallbackAnswersInItsPlace() {
        String stalls = OpenAiFake.streamText("gpt-4o-mini", "too", " late");
        stalling.enqueue(stallingAfter(stalls, roleChunk(stalls)));
        backup.enqueue(OpenAiFake.stream("gpt-4o-mini", "from", " backup"));
        try (TestGateway gw = TestGateway.of(yaml("openai", TestGateway.baseUrl(stalling) + "/v1"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask());

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(text(res.body())).isEqualTo("from backup");
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::usedModel).containsExactly("primary", "backup");
            assertThat(rows.getFirst().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(rows.getFirst().errorKind()).hasValue("timeout");
            assertThat(rows.getLast().outcome()).isEqualTo(Outcome.SUCCESS);
        }
    }

    @Test
    void givenAStreamWhoseOutputHasBegun_whenItPausesLongerThanTheFirstTokenTimeout_thenItIsNotCutOff() {
        String body = OpenAiFake.streamText("gpt-4o-mini", "Hello", " world");
        int throughHello = body.indexOf("\n\n", body.indexOf("Hello")) + 2;
        stalling.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(body).throttleBody(throughHello, 600, TimeUnit.MILLISECONDS).build());
        try (TestGateway gw = TestGateway.of(yaml("openai", TestGateway.baseUrl(stalling) + "/v1"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask());

            assertThat(text(res.body())).isEqualTo("Hello world");
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("primary");
            assertThat(gw.records()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.SUCCESS);
            assertThat(backup.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAStallAndNoFallback_whenStreamed_thenThe504NamesTheFirstTokenTimeout() {
        String stalls = OpenAiFake.streamText("gpt-4o-mini", "late");
        stalling.enqueue(stallingAfter(stalls, roleChunk(stalls)));
        String alone = yaml("openai", TestGateway.baseUrl(stalling) + "/v1").replace("fallbacks: [backup]",
                "fallbacks: []");
        try (TestGateway gw = TestGateway.of(alone)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask());

            assertThat(res.statusCode()).isEqualTo(504);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .contains("waiting for the first token from the provider of 'primary' (openai) timed out "
                            + "after 300 ms");
        }
    }

    @Test
    void givenAnAnthropicStreamThatOnlySaysMessageStartAndPing_whenStreamed_thenTheFallbackAnswers() {
        String opening = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                + "\"stop_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
                + "event: ping\ndata: {\"type\": \"ping\"}\n\n";
        String rest = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"too late\"}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        stalling.enqueue(stallingAfter(opening + rest, opening.length()));
        backup.enqueue(OpenAiFake.stream("gpt-4o-mini", "from", " backup"));
        try (TestGateway gw = TestGateway.of(yaml("anthropic", TestGateway.baseUrl(stalling)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask());

            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(text(res.body())).isEqualTo("from backup");
            assertThat(gw.records().getFirst().errorKind()).hasValue("timeout");
        }
    }

    @Test
    void givenAFirstTokenTimeoutThatIsNotAPositiveDuration_whenLoaded_thenTheProblemNamesItsPath() {
        for (String bad : List.of("0s", "soon")) {
            String yaml = yaml("openai", "http://127.0.0.1:1/v1").replace("first_token_timeout: 300ms",
                    "first_token_timeout: " + bad);
            Assertions.assertThatThrownBy(() -> new ConfigLoader(k -> null).parse(yaml, "ftt.yaml"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("models[0].first_token_timeout");
        }
    }
}
