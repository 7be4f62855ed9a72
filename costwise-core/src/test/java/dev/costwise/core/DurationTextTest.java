package dev.costwise.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void givenAWholeNumberAndAUnit_whenParsed_thenTheDuration() {
        assertThat(DurationText.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(DurationText.parse(" 30 S ")).contains(Duration.ofSeconds(30));
        assertThat(DurationText.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(DurationText.parse("1h")).contains(Duration.ofHours(1));
        assertThat(DurationText.parse("2d")).contains(Duration.ofDays(2));
    }

    @Test
    void givenTextThatIsNoSuchDuration_whenParsed_thenEmpty() {
        assertThat(DurationText.parse("1.5h")).isEmpty();
        assertThat(DurationText.parse("10")).isEmpty();
        assertThat(DurationText.parse("PT1H")).isEmpty();
    }
}
