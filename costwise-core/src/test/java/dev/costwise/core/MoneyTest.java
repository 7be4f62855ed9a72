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
        } finally {
            Locale.setDefault(Locale.Category.FORMAT, before);
        }
    }
}
