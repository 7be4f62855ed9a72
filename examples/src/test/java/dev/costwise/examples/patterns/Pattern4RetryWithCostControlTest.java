package dev.costwise.examples.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Pattern 4 example, run end to end on the seeded simulator: its retry protects calls and streams alike. */
class Pattern4RetryWithCostControlTest {

    private static final Pattern STREAMS = Pattern.compile(
            "streams: (\\d+) whole, (\\d+) broke after their first chunk, (\\d+) failed before it, retries: (\\d+)");

    @Test
    void givenOverloadsAndMidStreamBreaks_whenTheExampleStreams_thenOverloadsAreRetriedAndBreaksReachTheReader() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Pattern4RetryWithCostControl.main(new String[0]);
        } finally {
            System.setOut(console);
        }
        Matcher m = STREAMS.matcher(printed.toString(StandardCharsets.UTF_8));

        assertThat(m.find()).as("the example prints its streams' outcome").isTrue();
        int whole = Integer.parseInt(m.group(1));
        int broken = Integer.parseInt(m.group(2));
        int failed = Integer.parseInt(m.group(3));
        int retries = Integer.parseInt(m.group(4));
        assertThat(whole + broken + failed).isEqualTo(100);
        assertThat(retries).as("10% of streams are overloaded before their first chunk, and retried").isPositive();
        assertThat(failed).as("with 3 retries, an overload almost never outlasts them").isZero();
        assertThat(broken).as("5% of streams break halfway, after chunks were read: not retried").isPositive();
    }
}
