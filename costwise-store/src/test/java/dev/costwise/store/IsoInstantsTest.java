package dev.costwise.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

    private final IsoInstants iso = new IsoInstants();

    @Test
    void givenEveryKindOfFraction_whenFormatted_thenTheTextIsInstantToString() {
        long second = Instant.parse("2026-11-27T22:04:49Z").getEpochSecond();
        for (int nanos : new int[] {0, 1, 10, 999, 1_000, 120_000, 999_999, 1_000_000, 5_000_000, 120_000_000,
                999_000_000, 999_999_000, 999_999_999, 100_000_001}) {
            Instant at = Instant.ofEpochSecond(second, nanos);
            assertThat(iso.format(at)).as("nanos %d", nanos).isEqualTo(at.toString());
        }
    }

    @Test
    void givenRandomInstantsAcrossFourCenturies_whenFormatted_thenTheTextIsInstantToString() {
        SplittableRandom random = new SplittableRandom(42);
        long from = Instant.parse("1900-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2300-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(from, to);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant at = Instant.ofEpochSecond(second, nanos);
            assertThat(iso.format(at)).isEqualTo(at.toString());
            // the same second again, as consecutive rows are: answered from the kept prefix
            Instant next = at.plusNanos(1);
            if (next.getEpochSecond() == second) {
                assertThat(iso.format(next)).isEqualTo(next.toString());
            }
        }
    }

    @Test
    void givenYearsOutsideFourDigits_whenFormatted_thenTheJdkWritesThem() {
        for (Instant at : new Instant[] {Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("0000-01-01T00:00:00.5Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z")}) {
            assertThat(iso.format(at)).isEqualTo(at.toString());
        }
    }
}
