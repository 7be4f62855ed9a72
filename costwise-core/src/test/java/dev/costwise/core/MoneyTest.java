package dev.costwise.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void givenAGermanDefaultLocale_whenFormatted_thenStillACommaBetweenThousandsAndAPointBeforeTheCents() {
        Locale before = Locale.getDefault(Locale.Category.FORMAT);
        Locale.setDefault(Locale.Category.FORMAT, Locale.GERMANY);
        try {
            assertThat(Money.of("4950").format()).isEqualTo("$4,950.00");
            assertThat(Money.of("-1234567.0165").format()).isEqualTo("-$1,234,567.0165");
            assertThat(Money.of("19.5").format()).isEqualTo("$19.50");
            assertThat(Money.of("1.0000001").format()).as("rounded to 6 decimals, then no trailing zeros")
                    .isEqualTo("$1.00");
            assertThat(Money.of("0.00000012345").format()).as("under a millionth: three significant digits")
                    .isEqualTo("$0.000000123");
            assertThat(Money.of("-0.0000000004").format()).isEqualTo("-$0.0000000004");
            assertThat(Money.of("0.0000009999").format()).as("rounding may carry to a millionth")
                    .isEqualTo("$0.000001");
            assertThat(Money.of("0.0000125").format()).isEqualTo("$0.000012");
        } finally {
            Locale.setDefault(Locale.Category.FORMAT, before);
        }
    }
}
