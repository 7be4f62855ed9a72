package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Answers far larger than a typical one (a batch of embeddings, a long chat answer) reach the caller whole and
 * unchanged, on a miss and on the cache hits that share the stored answer.
 */
class LargeAnswersEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: text-embedding-3-small, provider: openai, base_url: %1$s}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")));
    }

    /** An embeddings answer of {@code inputs} vectors of 1536 numbers: about 13 KB each. */
    static String embeddings(int inputs) {
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < inputs; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":[");
            for (int d = 0; d < 1536; d++) {
                sb.append(d == 0 ? "" : ",").append("-0.0").append((i * 7919 + d * 104729) % 1000000);
            }
            sb.append("]}");
        }
        return sb.append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":").append(inputs * 5)
                .append(",\"total_tokens\":").append(inputs * 5).append("}}").toString();
    }

    @Test
    void givenAnEmbeddingsAnswerOfMegabytes_whenAskedTwice_thenTheMissAndTheHitAreItsBytesWithItsLength() {
        String answer = embeddings(100);
        assertThat(answer.length()).isGreaterThan(1_000_000);
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(answer).build());
        try (TestGateway gw = gateway()) {
            String body = "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"]}";
            HttpResponse<String> miss = gw.post("/v1/embeddings", body);
            HttpResponse<String> hit = gw.post("/v1/embeddings", body);

            assertThat(miss.statusCode()).isEqualTo(200);
            assertThat(miss.body()).isEqualTo(answer);
            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(hit.body()).isEqualTo(answer);
            assertThat(hit.headers().firstValue("content-length")).hasValue(Integer.toString(answer.length()));
            assertThat(hit.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(hit.headers().firstValue("transfer-encoding")).isEmpty();
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void givenALongChatAnswer_whenAskedTwice_thenTheHitIsTheAnswerAsTheMissWas() {
        String text = "word ".repeat(300_000) + "\u00e9\u4e2d \\\"quoted\\\"";
        String answer = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":300000,"
                + "\"total_tokens\":300005}}";
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(answer).build());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> miss = gw.post("/v1/chat/completions", TestGateway.chat("gpt-4o-mini", "long"));
            HttpResponse<String> hit = gw.post("/v1/chat/completions", TestGateway.chat("gpt-4o-mini", "long"));

            assertThat(miss.body()).isEqualTo(answer);
            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(hit.body()).isEqualTo(answer);
        }
    }

    @Test
    void givenALongChatAnswerCached_whenStreamed_thenTheReplayCarriesItsWholeText() {
        String text = "line \"one\"\n\ttab \\ é 中 😀 ".repeat(40_000);
        String answer = TestGateway.JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1).put("model", "gpt-4o-mini").set("choices", TestGateway.JSON.createArrayNode()
                        .add(TestGateway.JSON.createObjectNode().put("index", 0).put("finish_reason", "stop")
                                .set("message", TestGateway.JSON.createObjectNode().put("role", "assistant")
                                        .put("content", text)))).toString();
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(answer.replace("}]", "}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,"
                        + "\"total_tokens\":14}")).build());
        try (TestGateway gw = gateway()) {
            gw.post("/v1/chat/completions", TestGateway.chat("gpt-4o-mini", "long"));
            HttpResponse<String> hit = gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"long\"}]}");

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            List<JsonNode> chunks = TestGateway.dataChunks(hit.body());
            assertThat(chunks).hasSize(3);
            assertThat(chunks.getFirst().at("/choices/0/delta/content").asText()).isEqualTo(text);
            assertThat(chunks.get(1).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(chunks.getLast().at("/usage/total_tokens").asLong()).isEqualTo(14);
            assertThat(chunks.getLast().at("/costwise/cache").asText()).isEqualTo("hit");
            assertThat(hit.body()).endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void givenALongChatAnswer_whenAskedTwiceAsAMessageAndAsAResponse_thenEachHitCarriesItsWholeText() {
        String text = "line \"one\"\n\ttab \\ é 中 😀 ".repeat(40_000);
        String answer = TestGateway.JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1).put("model", "gpt-4o-mini").set("choices", TestGateway.JSON.createArrayNode()
                        .add(TestGateway.JSON.createObjectNode().put("index", 0).put("finish_reason", "stop")
                                .set("message", TestGateway.JSON.createObjectNode().put("role", "assistant")
                                        .put("content", text)))).toString()
                .replace("}]", "}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14}");
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(answer).build());
        }
        try (TestGateway gw = gateway()) {
            String message = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"long\"}]}";
            String response = "{\"model\":\"gpt-4o-mini\",\"input\":\"long\",\"store\":false}";
            for (String[] call : new String[][] {{"/v1/messages", message, "/content/0/text"},
                    {"/v1/responses", response, "/output/0/content/0/text"}}) {
                HttpResponse<String> miss = gw.post(call[0], call[1]);
                HttpResponse<String> hit = gw.post(call[0], call[1]);

                assertThat(miss.statusCode()).as(call[0]).isEqualTo(200);
                assertThat(TestGateway.json(miss.body()).at(call[2]).asText()).as(call[0]).isEqualTo(text);
                assertThat(hit.headers().firstValue("x-costwise-cache")).as(call[0]).hasValue("hit");
                assertThat(TestGateway.json(hit.body()).at(call[2]).asText()).as(call[0]).isEqualTo(text);
                assertThat(hit.headers().firstValue("content-length")).as(call[0])
                        .hasValue(Integer.toString(hit.body().getBytes(StandardCharsets.UTF_8).length));
            }
        }
    }
}
