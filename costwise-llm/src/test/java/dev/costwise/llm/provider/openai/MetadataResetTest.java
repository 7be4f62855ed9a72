package dev.costwise.llm.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link OpenAiErrorMapper#untilMetadataReset} reads the reset OpenRouter puts in a 429's {@code metadata.headers}
 * ({@code X-RateLimit-Reset}, epoch milliseconds, or seconds when below 10^11), whatever the case of its name and
 * as text or a number; anything else gives no wait.
 */
class MetadataResetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 1741305600000 ms since the epoch. */
    private static final Instant NOW = Instant.ofEpochMilli(1_741_305_600_000L);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "{\"headers\":{\"X-RateLimit-Reset\":\"1741305601500\"}}          | PT1.5S",
        "{\"headers\":{\"x-ratelimit-reset\":1741305660000}}             | PT1M",
        "{\"headers\":{\"X-RateLimit-Reset\":\"1741305630\"}}             | PT30S",
        "{\"headers\":{\"X-RateLimit-Reset\":1741305660}}                | PT1M",
        "{\"headers\":{\"X-RateLimit-Reset\":\"1741305590000\"}}          | PT0S",
        "{\"headers\":{\"X-RateLimit-Reset\":\"soon\"}}                   | none",
        "{\"headers\":{\"X-RateLimit-Reset\":1.7413056E12}}             | none",
        "{\"headers\":{\"X-RateLimit-Remaining\":\"0\"}}                  | none",
        "{\"headers\":[\"X-RateLimit-Reset\"]}                           | none",
        "{\"provider_name\":\"Chutes\",\"raw\":\"busy\"}                 | none"})
    void givenAnErrorsMetadata_whenRead_thenTheWaitIsTheTimeUntilItsReset(String metadata, String wait)
            throws Exception {
        Optional<JsonNode> parsed = Optional.of(JSON.readTree(metadata));

        assertThat(OpenAiErrorMapper.untilMetadataReset(parsed, NOW))
                .isEqualTo(Optional.ofNullable(wait).map(Duration::parse));
    }

    @Test
    void givenNoMetadata_whenRead_thenThereIsNoWait() {
        assertThat(OpenAiErrorMapper.untilMetadataReset(Optional.empty(), NOW)).isEmpty();
    }
}
