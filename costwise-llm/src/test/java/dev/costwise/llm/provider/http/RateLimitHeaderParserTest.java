package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Header formats from https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers and Groq's docs. */
class RateLimitHeaderParserTest {

    private static final Instant NOW = Instant.parse("2026-11-27T06:00:00Z");

    @ParameterizedTest
    @CsvSource({"1s,1000", "6m0s,360000", "20ms,20", "2m59.56s,179560", "1h30m,5400000", "7.66s,7660", "0.5,500"})
    void givenGoDuration_whenParsed_thenMillis(String text, long millis) {
        assertThat(RateLimitHeaderParser.goDuration(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"soon", "1x", "s", "''"})
    void givenUnreadableDuration_whenParsed_thenEmpty(String text) {
        assertThat(RateLimitHeaderParser.goDuration(text)).isEmpty();
    }

    @Test
    void givenRetryAfterAsHttpDate_whenParsed_thenDurationFromNow() {
        HttpHeaders h = HttpHeaders.of(Map.of("Retry-After", "Fri, 27 Nov 2026 06:00:30 GMT"));

        assertThat(RateLimitHeaderParser.retryAfter(h, NOW)).contains(Duration.ofSeconds(30));
    }

    @Test
    void givenRetryAfterInThePast_whenParsed_thenZero() {
        HttpHeaders h = HttpHeaders.of(Map.of("retry-after", "Fri, 27 Nov 2026 05:00:00 GMT"));

        assertThat(RateLimitHeaderParser.retryAfter(h, NOW)).contains(Duration.ZERO);
    }

    @Test
    void givenNoHeaders_whenParsed_thenNoSnapshot() {
        assertThat(RateLimitHeaderParser.openAiStyle("openai", "m", 200, HttpHeaders.EMPTY, NOW)).isEmpty();
    }

    @Test
    void givenGarbledLimit_whenParsed_thenFieldLeftOut() {
        HttpHeaders h = HttpHeaders.of(Map.of("x-ratelimit-limit-requests", "lots",
                "x-ratelimit-remaining-tokens", "99"));

        RateLimitSnapshot s = RateLimitHeaderParser.openAiStyle("groq", "m", 200, h, NOW).orElseThrow();

        assertThat(s.requestLimit()).isEmpty();
        assertThat(s.tokensRemaining()).hasValue(99);
        assertThat(s.at()).isEqualTo(NOW);
    }
}
