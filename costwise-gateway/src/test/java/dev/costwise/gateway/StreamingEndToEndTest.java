package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
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
            assertThat(TestGateway.json(events.get(events.size() - 2)).at("/costwise/cache").asText())
                    .isEqualTo("hit");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
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
