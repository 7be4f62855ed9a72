package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The usage the gateway writes itself, where no provider chunk carries it (a cache hit's replay, a stream it cut at
 * its output limit), keeps what the provider reported: its cache reads (OpenAI's
 * {@code prompt_tokens_details.cached_tokens}, Anthropic's {@code cache_read_input_tokens}, the Responses API's
 * {@code input_tokens_details.cached_tokens}) and its reasoning tokens, on each endpoint, as the miss told its caller.
 */
class GatewayWrittenUsageEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "1", cached_input: "0.5", output: "2"}}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                defaults:
                  cache: {enabled: true, ttl: 1h}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    /** OpenAI's stream of one word whose usage chunk reports 400 of its 1000 prompt tokens read from the cache. */
    private static MockResponse cachedPromptStream() {
        String head = OpenAiFake.CHUNK_HEAD;
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(
                head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}],"
                        + "\"usage\":null}\n\n"
                        + head + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                        + head + "[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":200,"
                        + "\"total_tokens\":1200,\"prompt_tokens_details\":{\"cached_tokens\":400},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":64}}}\n\n"
                        + "data: [DONE]\n\n").build();
    }

    private static String chat(String model, String prompt, String more) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true}" + more
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    private static String messages(String model, String prompt, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    /** @return the usage of a chat stream's last chunk */
    private static JsonNode lastUsage(HttpResponse<String> res) {
        return TestGateway.dataChunks(res.body()).getLast().get("usage");
    }

    /** @return the data of the named events of a stream, in order */
    private static List<JsonNode> named(HttpResponse<String> res, String type) {
        return TestGateway.events(res.body()).stream().filter(e -> e.getKey().equals(type)).map(Map.Entry::getValue)
                .toList();
    }

    @Test
    void givenAStreamedMiss_whenTheSameRequestIsAHit_thenItsUsageChunkKeepsTheCacheReadsAndReasoning() {
        upstream.enqueue(cachedPromptStream());
        try (TestGateway gw = gateway()) {
            JsonNode miss = lastUsage(gw.post("/v1/chat/completions", chat("mini", "same", "")));
            HttpResponse<String> hit = gw.post("/v1/chat/completions", chat("mini", "same", ""));

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(miss.at("/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(400);
            JsonNode usage = lastUsage(hit);
            assertThat(usage.at("/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(400);
            assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(64);
            assertThat(usage.get("prompt_tokens").asLong()).isEqualTo(1000);
        }
    }

    @Test
    void givenAHitOnTheMessagesApi_whenStreamed_thenMessageStartAndMessageDeltaCountTheCacheReads() {
        upstream.enqueue(cachedPromptStream());
        try (TestGateway gw = gateway()) {
            gw.post("/v1/messages", messages("mini", "again", 300));
            HttpResponse<String> hit = gw.post("/v1/messages", messages("mini", "again", 300));

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            JsonNode start = named(hit, "message_start").getFirst().at("/message/usage");
            assertThat(start.get("input_tokens").asLong()).isEqualTo(600);
            assertThat(start.get("cache_read_input_tokens").asLong()).isEqualTo(400);
            JsonNode delta = named(hit, "message_delta").getFirst().get("usage");
            assertThat(delta.get("input_tokens").asLong()).isEqualTo(600);
            assertThat(delta.get("cache_read_input_tokens").asLong()).isEqualTo(400);
            assertThat(delta.get("output_tokens").asLong()).isEqualTo(200);
        }
    }

    @Test
    void givenAHitOnTheResponsesApi_whenStreamed_thenItsUsageCountsTheCachedInput() {
        upstream.enqueue(cachedPromptStream());
        try (TestGateway gw = gateway()) {
            String body = "{\"model\":\"mini\",\"stream\":true,\"store\":false,\"input\":\"once more\"}";
            gw.post("/v1/responses", body);
            HttpResponse<String> hit = gw.post("/v1/responses", body);

            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            JsonNode usage = named(hit, "response.completed").getFirst().at("/response/usage");
            assertThat(usage.at("/input_tokens_details/cached_tokens").asLong()).isEqualTo(400);
            assertThat(usage.get("input_tokens").asLong()).isEqualTo(1000);
        }
    }

    /** Gemini's stream, each chunk's usage counting 400 cached prompt tokens; it ignores the output limit sent. */
    private static MockResponse geminiPastItsLimit() {
        StringBuilder sse = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            sse.append("data: {\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"part")
                    .append(i).append(" \"}]}, \"index\": 0}], \"usageMetadata\": {\"promptTokenCount\": 1000, ")
                    .append("\"cachedContentTokenCount\": 400, \"candidatesTokenCount\": ").append(4 * i)
                    .append(", \"totalTokenCount\": ").append(1000 + 4 * i)
                    .append("}, \"modelVersion\": \"gemini-2.5-flash\"}\n\n");
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build();
    }

    @Test
    void givenAStreamCutAtItsOutputLimit_whenRelayed_thenTheUsageTheGatewayWritesKeepsTheCacheReads() {
        upstream.enqueue(geminiPastItsLimit());
        upstream.enqueue(geminiPastItsLimit());
        try (TestGateway gw = gateway()) {
            HttpResponse<String> chat = gw.post("/v1/chat/completions", chat("flash", "cut", ",\"max_tokens\":10"));
            HttpResponse<String> messages = gw.post("/v1/messages", messages("flash", "cut too", 10));

            assertThat(TestGateway.dataChunks(chat.body())).anySatisfy(c -> assertThat(
                    c.at("/choices/0/finish_reason").asText()).isEqualTo("length"));
            assertThat(lastUsage(chat).at("/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(400);
            JsonNode start = named(messages, "message_start").getFirst().at("/message/usage");
            JsonNode delta = named(messages, "message_delta").getFirst().get("usage");
            assertThat(named(messages, "message_delta").getFirst().at("/delta/stop_reason").asText())
                    .isEqualTo("max_tokens");
            assertThat(start.get("cache_read_input_tokens").asLong()).isEqualTo(400);
            assertThat(delta.get("cache_read_input_tokens").asLong()).as("as message_start said")
                    .isEqualTo(400);
            assertThat(delta.get("input_tokens").asLong()).isEqualTo(600);
        }
    }
}
