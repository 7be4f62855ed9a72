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

    @Test
    void givenADuration_whenFormatted_thenTheLargestWholeUnitThatParsesBack() {
        assertThat(DurationText.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(DurationText.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationText.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(DurationText.format(Duration.ofHours(48))).isEqualTo("2d");
        assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0s");
        for (Duration d : new Duration[] {Duration.ofMillis(250), Duration.ofSeconds(61), Duration.ofHours(3)}) {
            assertThat(DurationText.parse(DurationText.format(d))).contains(d);
        }
    }
}
