package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.planner.Planner;
import dev.costwise.planner.report.ReplayReports;
import dev.costwise.planner.scenario.PipelineSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay streams its trace: each request is replayed as its line is read, so memory does not grow with the number
 * of lines. Checked structurally, not by timing or heap size: a generated trace counts the lines it has handed out,
 * and the replay's progress says how many requests the pipeline has run.
 */
class StreamingReplayTest {

    private static final int LINES = 12_000;

    private final Planner planner = Planner.ofDefaults();
    private final Replayer replayer = new Replayer(ModelCatalogs.bundled());
    private final PipelineSpec pipeline = planner.reader().readPipeline("""
            cache: {ttl: 1h, maxSize: 100}
            router:
              routes: {cheap: gpt-4o-mini, premium: gpt-4o}
              rules: [{maxPromptChars: 30, route: cheap}]
              default: premium
            """, "p.yaml");

    /** Line {@code i} (0-based): a timed gpt-4o request with usage, its text repeating every 50 lines. */
    private static String request(int i) {
        return "{\"timestamp\":\"2026-11-27T08:00:00Z\",\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"question number " + i % 50 + (i % 50 % 3 == 0 ? " with a longer text" : "")
                + "\"}]},\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":50}}";
    }

    /**
     * A trace of {@code lines} lines generated as they are read, never held whole: it counts, for each pass, how many
     * lines it has handed out.
     */
    private static final class GeneratedTrace implements TraceSource {
        private final int lines;
        private final IntFunction<String> line;
        final AtomicInteger passes = new AtomicInteger();
        final AtomicLong served = new AtomicLong();

        GeneratedTrace(int lines, IntFunction<String> line) {
            this.lines = lines;
            this.line = line;
        }

        @Override
        public BufferedReader open() {
            passes.incrementAndGet();
            served.set(0);
            return new BufferedReader(new Reader() {
                private String current = "";
                private int at;
                private int next;

                @Override
                public int read(char[] buf, int off, int len) {
                    if (at == current.length()) {
                        if (next == lines) {
                            return -1;
                        }
                        current = line.apply(next++) + "\n";
                        served.incrementAndGet();
                        at = 0;
                    }
                    int n = Math.min(len, current.length() - at);
                    current.getChars(at, at + n, buf, off);
                    at += n;
                    return n;
                }

                @Override
                public void close() {
                    // nothing held
                }
            });
        }
    }

    @Test
    void givenALongTrace_whenReplayed_thenEachRequestRunsAsItsLineIsReadAndOnlyTheFirstOutcomesAreKept() {
        GeneratedTrace trace = new GeneratedTrace(LINES, StreamingReplayTest::request);
        AtomicLong mostReadAhead = new AtomicLong();
        AtomicLong reports = new AtomicLong();
        ReplayOptions options = ReplayOptions.defaults().withProgress((done, total) -> {
            // the replay's second pass: how far the reading is ahead of the requests run
            assertThat(trace.passes.get()).isEqualTo(2);
            mostReadAhead.accumulateAndGet(trace.served.get() - done, Math::max);
            reports.incrementAndGet();
        });

        ReplayResult r = replayer.replay(trace, pipeline, options);

        assertThat(reports.get()).isGreaterThan(100);
        // a reader's buffer (8K characters, about 50 of these lines) ahead of the pipeline, not the whole trace
        assertThat(mostReadAhead.get()).isLessThan(200);
        assertThat(r.after().requests()).isEqualTo(LINES);
        assertThat(r.after().cacheHits()).isEqualTo(LINES - 50);
        assertThat(r.after().outcomes()).hasSize(ReplayReports.MAX_ROUTE_ROWS);
        assertThat(r.after().outcomes().getLast().id()).isEqualTo("line " + ReplayReports.MAX_ROUTE_ROWS);
        assertThat(r.report().metric("replayed").orElseThrow()).isEqualByComparingTo(Integer.toString(LINES));
    }

    @Test
    void givenMoreBadLinesThanAreKept_whenReplayed_thenAllAreCountedAndTheFirstListed() {
        int bad = TraceScan.MAX_KEPT_ERRORS + 5;
        GeneratedTrace trace = new GeneratedTrace(bad + 1, i -> i < bad ? "{not json" : request(i));

        ReplayResult r = replayer.replay(trace, pipeline, ReplayOptions.defaults());

        assertThat(r.badLines()).isEqualTo(bad);
        assertThat(r.errors()).hasSize(TraceScan.MAX_KEPT_ERRORS);
        assertThat(r.errors().getFirst().line()).isEqualTo(1);
        assertThat(r.after().requests()).isEqualTo(1);
        assertThat(r.report().metric("badLines").orElseThrow()).isEqualByComparingTo(Integer.toString(bad));
        assertThat(r.report().tables()).anyMatch(t -> t.title().equals("Bad lines (the first 10,000 of 10,005)"));
        assertThat(r.report().notes()).contains("skipped 10000 more lines, listed under Bad lines (the first 10,000"
                + " of 10,005)");
    }

    @Test
    void givenJudgeOverATraceMuchLongerThanTheSample_whenReplayed_thenTheSampleIsJudgedWhole() {
        GeneratedTrace trace = new GeneratedTrace(1_000, StreamingReplayTest::request);

        ReplayResult r = replayer.replay(trace, pipeline, ReplayOptions.defaults().withJudge("gpt-4o", 7));

        assertThat(r.judge().orElseThrow().judged()).isEqualTo(7);
    }

    @Test
    void givenATraceThatChangesBetweenThePasses_whenReplayed_thenTheReplayFailsSayingSo() {
        String two = request(0) + "\n" + request(1);
        AtomicInteger opened = new AtomicInteger();
        TraceSource growing = () -> new BufferedReader(new StringReader(
                opened.incrementAndGet() == 1 ? request(0) : two));
        AtomicInteger reopened = new AtomicInteger();
        TraceSource shrinking = () -> new BufferedReader(new StringReader(
                reopened.incrementAndGet() == 1 ? two : request(0)));

        assertThatThrownBy(() -> replayer.replay(growing, pipeline, ReplayOptions.defaults()))
                .isInstanceOf(UncheckedIOException.class).hasMessage("cannot read trace trace: it changed while it"
                        + " was replayed: the first pass read 1 requests in 1 lines, the second more");
        assertThatThrownBy(() -> replayer.replay(shrinking, pipeline, ReplayOptions.defaults()))
                .isInstanceOf(UncheckedIOException.class).hasMessage("cannot read trace trace: it changed while it"
                        + " was replayed: the first pass read 2 requests in 2 lines, the second 1 in 1");
    }

    /** @return a named pipe that {@code text} is written to (once) by another thread */
    private static Path pipeOf(Path dir, String name, String text) throws Exception {
        Path fifo = dir.resolve(name);
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            mkfifo = null;
        }
        assumeThat(mkfifo != null && mkfifo.waitFor() == 0).as("mkfifo is available").isTrue();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Files.writeString(fifo, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return fifo;
    }

    /** A named pipe reads only once: the replay copies it first, so its second pass sees the same lines. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void givenANamedPipe_whenReplayed_thenItIsReplayedAsTheSameFileWouldBe(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            text.append(request(i)).append('\n');
        }
        Path fifo = pipeOf(dir, "trace.fifo", text.toString());
        Path file = Files.writeString(dir.resolve("trace.jsonl"), text);

        ReplayResult piped = planner.replay(fifo, pipeline, ReplayOptions.defaults());
        ReplayResult filed = planner.replay(file, pipeline, ReplayOptions.defaults());

        assertThat(piped.after().requests()).isEqualTo(1_000);
        assertThat(piped.report().metrics()).isEqualTo(filed.report().metrics());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void givenANamedPipe_whenOpenedAsATraceFile_thenItIsCopiedReadableTwiceAndTheCopyDeletedOnClose(
            @TempDir Path dir) throws Exception {
        Path fifo = pipeOf(dir, "t.fifo", request(0) + "\n");
        Path regular = Files.writeString(dir.resolve("t.jsonl"), request(0));
        Path copy;

        try (TraceFile file = TraceFile.open(fifo); TraceFile inPlace = TraceFile.open(regular)) {
            copy = file.path();
            assertThat(file.spilled()).isTrue();
            assertThat(inPlace.spilled()).isFalse();
            assertThat(inPlace.path()).isEqualTo(regular);
            for (int pass = 0; pass < 2; pass++) {
                try (BufferedReader in = file.source().open()) {
                    assertThat(in.readLine()).isEqualTo(request(0));
                }
            }
            assertThat(file.source().describe()).isEqualTo(fifo.toString());
        }
        assertThat(copy).doesNotExist();
        assertThat(regular).exists();
    }
}
