package dev.costwise.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.Usage;
import java.io.IOException;
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

            Usage usage = OpenAiReplies.usage(p);

            assertThat(usage).isEqualTo(new Usage(1200, 1024, 0, 300, 128, false));
            assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
            assertThat(p.nextToken()).isNull(); // the whole object was consumed, nothing more
        }
    }

    @Test
    void givenAUsageTree_whenRead_thenTheSameAsTheStream() throws IOException {
        assertThat(OpenAiReplies.usage(JSON.readTree(USAGE))).contains(new Usage(1200, 1024, 0, 300, 128, false));
    }

    @Test
    void givenOddCounts_whenRead_thenNumericStringsCountAndTheRestIsZeroAndNoPartExceedsItsWhole() throws IOException {
        String odd = """
                {"prompt_tokens": "50", "completion_tokens": 7.9,
                 "prompt_tokens_details": {"cached_tokens": 80},
                 "completion_tokens_details": "none"}""";

        assertThat(OpenAiReplies.usage(JSON.readTree(odd))).contains(new Usage(50, 50, 0, 7, 0, false));
        assertThat(OpenAiReplies.usage(JSON.readTree("{\"prompt_tokens\": null, \"completion_tokens\": true}")))
                .contains(Usage.ZERO);
        assertThat(OpenAiReplies.usage(JSON.readTree("[1]"))).isEmpty();
    }
}
