package dev.costwise.planner.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private final AtomicLong nanos = new AtomicLong();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            nanos::get, 2_000_000_000L);

    @Test
    void givenShortRun_whenItFinishesWithinTheDelay_thenNothingIsDrawn() {
        bar.progress(50, 100);
        nanos.addAndGet(1_000_000_000L);
        bar.progress(100, 100);

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(bar.wasDrawn()).isFalse();
    }

    @Test
    void givenLongRun_whenPastTheDelay_thenBarIsDrawnAndEndsWithANewline() {
        nanos.addAndGet(3_000_000_000L);
        bar.progress(50, 100);
        nanos.addAndGet(1_000_000_000L);
        bar.progress(100, 100);

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("\r[###############               ] 50/100")
                .endsWith("\r[##############################] 100/100\n");
    }
}
