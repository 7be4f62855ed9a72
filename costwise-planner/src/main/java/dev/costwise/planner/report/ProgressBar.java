package dev.costwise.planner.report;

import dev.costwise.planner.engine.ProgressListener;
import java.io.PrintStream;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A text progress bar for long runs, drawn on one line (carriage returns) of a stream, normally stderr so reports on
 * stdout stay clean. Shows nothing for runs that finish within the delay (a few seconds), then redraws at most ten
 * times a second. Time is read from an injected nano clock.
 */
public final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final LongSupplier nanoTime;
    private final long delayNanos;
    private final long start;
    private long lastDraw = Long.MIN_VALUE;
    private boolean drawn;

    /**
     * @param out where to draw (stderr)
     * @param nanoTime the clock, {@code System::nanoTime}
     * @param delayNanos how long a run must last before the bar appears
     */
    public ProgressBar(PrintStream out, LongSupplier nanoTime, long delayNanos) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.delayNanos = delayNanos;
        this.start = nanoTime.getAsLong();
    }

    /**
     * @return a bar on stderr that appears after 2 seconds
     */
    public static ProgressBar onStderr() {
        return new ProgressBar(System.err, System::nanoTime, 2_000_000_000L);
    }

    @Override
    public synchronized void progress(long done, long total) {
        long now = nanoTime.getAsLong();
        boolean finished = done >= total;
        if (now - start < delayNanos && !drawn) {
            return;
        }
        if (!finished && drawn && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total
                + (finished ? "\n" : ""));
        out.flush();
    }

    /** @return whether the bar was ever drawn */
    public synchronized boolean wasDrawn() {
        return drawn;
    }
}
