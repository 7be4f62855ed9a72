package dev.costwise.examples.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's Pattern 5 example, run end to end on the bundled catalog (which lists models with no price). */
class MultiModelOrchestrationExampleTest {

    @Test
    void givenTheBundledCatalog_whenTheExampleRuns_thenEachOfItsSixTasksIsAnsweredAndTheDayIsProjected() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            MultiModelOrchestrationExample.main(new String[0]);
        } finally {
            System.setOut(console);
        }
        String out = printed.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("What is the capital of Australia?", "Analyze renewable energy benefits",
                "merges overlapping intervals", "executive brief", "square root of 2", "Where is the station?");
        assertThat(out).containsOnlyOnce("At 10K requests/day with this mix");
    }
}
