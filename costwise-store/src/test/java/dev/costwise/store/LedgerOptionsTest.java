package dev.costwise.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LedgerOptionsTest {

    @Test
    void givenDefaults_thenFlushEveryHundredMillisInBatchesOfFiveHundredAndKeepNinetyDays() {
        LedgerOptions defaults = LedgerOptions.ofDefaults();

        assertThat(defaults.flushInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(defaults.batchSize()).isEqualTo(500);
        assertThat(defaults.queueCapacity()).isEqualTo(100_000);
        assertThat(defaults.appendTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.retention()).isEqualTo(Duration.ofDays(90));
        assertThat(defaults.user()).isEmpty();
    }

    @Test
    void givenBadValues_whenSet_thenFailsNamingTheSettingAndTheValue() {
        LedgerOptions.Builder builder = LedgerOptions.builder();

        assertThatThrownBy(() -> builder.flushInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("flushInterval must be positive, was PT0S");
        assertThatThrownBy(() -> builder.batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be >= 1, was 0");
        assertThatThrownBy(() -> builder.queueCapacity(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity must be >= 1, was -5");
        assertThatThrownBy(() -> builder.appendTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("appendTimeout cannot be negative, was PT-0.001S");
        assertThatThrownBy(() -> builder.retention(Duration.ofHours(23)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retention must be >= 1 day, was PT23H");
        assertThatThrownBy(() -> builder.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryMaxBackoff (PT1S) must be >= retryInitialBackoff (PT2S)");
    }

    @Test
    void givenPassword_whenPrinted_thenItIsMasked() {
        LedgerOptions options = LedgerOptions.builder().user("costwise").password("s3cret").build();

        assertThat(options.toString()).contains("user=costwise").contains("password=****").doesNotContain("s3cret");
        assertThat(options.toBuilder().batchSize(7).build().password()).contains("s3cret");
    }
}
