package dev.costwise.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenAiRepliesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** OpenAI's documented usage object, with fields the gateway does not read around the ones it does. */
    private static final String USAGE = """
            {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500,
             "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 1024},
             "completion_tokens_details": {"accepted_prediction_tokens": 0, "reasoning_tokens": 128,
               "rejected_prediction_tokens": [1, {"x": 2}]},
             "service_tier_details": {"tier": "default"}}""";

    @Test
    void givenAUsageObject_whenReadAsAStream_thenEveryCountIsRead() throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(USAGE)) {
            p.nextToken();

            Optional<Usage> usage = OpenAiReplies.usage(p);

            assertThat(usage).contains(new Usage(1200, 1024, 0, 300, 128, false));
            assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
            assertThat(p.nextToken()).isNull(); // the whole object was consumed, nothing more
        }
    }

    @Test
    void givenAUsageTree_whenRead_thenTheSameAsTheStream() throws IOException {
        assertThat(OpenAiReplies.usage(JSON.readTree(USAGE))).contains(new Usage(1200, 1024, 0, 300, 128, false));
    }

    @Test
    void givenOpenRoutersCost_whenRead_thenItIsTheReportedCostExactlyAndAByokCallAddsItsUpstreamCharge()
            throws IOException {
        // https://openrouter.ai/docs/use-cases/usage-accounting
        String paid = "{\"prompt_tokens\": 2, \"completion_tokens\": 3, \"cost\": 0.00090560000000000000123,"
                + " \"is_byok\": false, \"cost_details\": {\"upstream_inference_cost\": 0.00090560000000000000123}}";
        String byok = "{\"prompt_tokens\": 2, \"completion_tokens\": 3, \"cost\": 0.0012, \"is_byok\": true,"
                + " \"cost_details\": {\"upstream_inference_cost\": 0.0345,"
                + " \"upstream_inference_prompt_cost\": 6e-07}}";
        try (JsonParser p = JSON.getFactory().createParser(paid)) {
            p.nextToken();
            assertThat(OpenAiReplies.usage(p).flatMap(Usage::reportedCost))
                    .hasValue(Money.of("0.00090560000000000000123"));
        }
        assertThat(OpenAiReplies.usage(JSON.readTree(byok)).flatMap(Usage::reportedCost)).hasValue(Money.of("0.0357"));
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": 2, \"completion_tokens\": 3,"
                + " \"cost\": 0.0012, \"is_byok\": true}")).flatMap(Usage::reportedCost))
                .as("a BYOK fee without its upstream charge is not the call's cost").isEmpty();
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": 2, \"completion_tokens\": 3,"
                + " \"cost\": -1}"))).hasValueSatisfying(u -> assertThat(u.reportedCost()).isEmpty());
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": 2, \"completion_tokens\": 3,"
                + " \"cost\": \"free\"}"))).hasValueSatisfying(u -> assertThat(u.reportedCost()).isEmpty());
    }

    @Test
    void givenOddCounts_whenRead_thenNumericStringsCountAndTheRestIsZeroAndNoPartExceedsItsWhole() throws IOException {
        String odd = """
                {"prompt_tokens": "50", "completion_tokens": 7.9,
                 "prompt_tokens_details": {"cached_tokens": 80},
                 "completion_tokens_details": "none"}""";

        assertThat(OpenAiReplies.usage(JSON.readTree(odd))).contains(new Usage(50, 50, 0, 7, 0, false));
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": null, \"completion_tokens\": true}")))
                .as("no count to bill from is no usage: the gateway bills its estimate").isEmpty();
        assertThat(OpenAiReplies.usage(JSON.readTree("{}"))).isEmpty();
        assertThat(OpenAiReplies.usage(JSON.readTree("[1]"))).isEmpty();
    }

    @Test
    void givenANegativeCount_whenRead_thenTheUsageIsNotTrusted() throws IOException {
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": -5, \"completion_tokens\": 9}"))).isEmpty();
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": 5, \"completion_tokens\": \"-1\"}")))
                .isEmpty();
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"completion_tokens\": 4}")))
                .as("one count is a report").contains(Usage.of(0, 4));
    }

    @Test
    void givenOpenRouterAndDeepSeekCacheCounts_whenRead_thenWritesAndHitsAreTheirOwnShareOfThePrompt() {
        // https://openrouter.ai/docs/use-cases/usage-accounting
        assertThat(OpenAiReplies.usage(JSON.valueToTree(java.util.Map.of("prompt_tokens", 194, "completion_tokens", 2,
                "prompt_tokens_details", java.util.Map.of("cached_tokens", 50, "cache_write_tokens", 100)))))
                .contains(new Usage(194, 50, 100, 2, 0, false));
        // https://api-docs.deepseek.com/guides/kv_cache: hits (and misses) beside prompt_tokens
        assertThat(OpenAiReplies.usage(JSON.valueToTree(java.util.Map.of("prompt_tokens", 900, "completion_tokens",
                10, "prompt_cache_hit_tokens", 640, "prompt_cache_miss_tokens", 260))))
                .contains(new Usage(900, 640, 0, 10, 0, false));
        assertThat(OpenAiReplies.usage(JSON.valueToTree(java.util.Map.of("prompt_tokens", 100, "completion_tokens", 1,
                "prompt_tokens_details", java.util.Map.of("cached_tokens", 80, "cache_write_tokens", 50)))))
                .as("writes never take more than the prompt leaves").contains(new Usage(100, 80, 20, 1, 0, false));
    }
}
