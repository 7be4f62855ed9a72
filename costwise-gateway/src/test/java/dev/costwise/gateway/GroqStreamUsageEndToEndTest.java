package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Groq streams that report their usage only in the last chunk's {@code x_groq.usage} are billed from it. */
class GroqStreamUsageEndToEndTest {
    @StartStop
    final MockWebServer groq = new MockWebServer();

    private String yaml() {
        return """
                models:
                  - name: groq-8b
                    provider: groq
                    model: llama-3.1-8b-instant
                    api_key_env: TEST_KEY
                    base_url: %s/openai/v1
                    price: {input: "0.05", output: "0.08"}
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(TestGateway.baseUrl(groq));
    }

    /** Groq's streamed answer with its usage in x_groq on the finishing chunk, and no usage chunk. */
    private static MockResponse streamWithUsageInXGroq() {
        String head = "data: {\"id\":\"chatcmpl-g1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"llama-3.1-8b-instant\",\"system_fingerprint\":\"fp_179b0f92c9\",\"choices\":";
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                        + "\"finish_reason\":null}],\"x_groq\":{\"id\":\"req_01jq\"}}\n\n"
                        + head + "[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,"
                        + "\"finish_reason\":null}]}\n\n"
                        + head + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"x_groq\":{\"id\":\"req_01jq\",\"usage\":{\"queue_time\":0.02,\"prompt_tokens\":1000,"
                        + "\"prompt_time\":0.05,\"completion_tokens\":500,\"completion_time\":0.4,"
                        + "\"total_tokens\":1500,\"total_time\":0.45}}}\n\n"
                        + "data: [DONE]\n\n")
                .build();
    }

    @Test
    void givenUsageOnlyInXGroq_whenStreamedWithIncludeUsage_thenTheCallerAndTheLedgerGetItsExactCost() {
        groq.enqueue(streamWithUsageInXGroq());
        try (TestGateway gw = TestGateway.of(yaml())) {
            String sse = gw.post("/v1/chat/completions", "{\"model\":\"groq-8b\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}").body();

            List<String> data = sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
            JsonNode last = TestGateway.json(data.get(data.size() - 2));
            assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(1000);
            assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(500);
            // 1000 * 0.05/1M + 500 * 0.08/1M = 0.00005 + 0.00004
            assertThat(last.at("/costwise/cost").asText()).isEqualTo("0.00009");
            assertThat(last.path("costwise").has("estimated")).isFalse();
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.usage()).isEqualTo(Usage.of(1000, 500));
                assertThat(row.cost()).isEqualTo(Money.of("0.00009"));
            });
        }
    }
}
