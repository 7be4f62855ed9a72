package dev.costwise.planner.replay;

import dev.costwise.planner.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * A trace file that can be read twice. A regular file is read in place; anything else that reads as a stream of
 * bytes only once ({@code /dev/stdin}, a named pipe, a shell's {@code <(zcat trace.jsonl.gz)}) is first copied to a
 * temporary file, deleted on {@link #close()}, so the replay's two passes see the same lines.
 */
public final class TraceFile implements AutoCloseable {

    private final Path original;
    private final Optional<Path> spilled;

    private TraceFile(Path original, Optional<Path> spilled) {
        this.original = original;
        this.spilled = spilled;
    }

    /**
     * @param trace the trace as given
     * @return the trace, copied to a temporary file if it cannot be read twice
     * @throws UncheckedIOException if a stream cannot be copied (the message names the trace and why)
     */
    public static TraceFile open(Path trace) {
        Objects.requireNonNull(trace, "trace");
        if (!Files.exists(trace) || Files.isRegularFile(trace) || Files.isDirectory(trace)) {
            return new TraceFile(trace, Optional.empty()); // read in place; a reader says why it cannot be read
        }
        Path copy = null;
        try (InputStream in = Files.newInputStream(trace)) {
            copy = Files.createTempFile("costwise-trace-", ".jsonl");
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return new TraceFile(trace, Optional.of(copy));
        } catch (IOException e) {
            deleteQuietly(copy);
            throw new UncheckedIOException("cannot read trace " + trace + ": " + FileErrors.reason(e), e);
        }
    }

    /** @return the source to read: the file itself, or its copy named as the original in errors */
    public TraceSource source() {
        return TraceSource.of(path(), original.toString());
    }

    /** @return the file read: the trace itself, or its temporary copy */
    public Path path() {
        return spilled.orElse(original);
    }

    /** @return whether the trace was copied to a temporary file (it could be read only once) */
    public boolean spilled() {
        return spilled.isPresent();
    }

    /** Deletes the temporary copy, if one was made. */
    @Override
    public void close() {
        spilled.ifPresent(TraceFile::deleteQuietly);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                p.toFile().deleteOnExit(); // a temporary file: the JVM deletes it on exit at the latest
            }
        }
    }
}
