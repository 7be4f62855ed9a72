package dev.costwise.planner.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a trace's lines come from. A replay reads its trace twice (a first pass for what must be known before the
 * first request runs, then the replay itself), so a source opens a fresh reader for each pass; each pass holds one
 * line at a time.
 */
@FunctionalInterface
public interface TraceSource {

    /**
     * Stands in a line read from a file for bytes that are not UTF-8, so the line is reported as a bad line with its
     * number and the rest of the trace is read: a noncharacter, which no trace holds.
     */
    String NOT_UTF8 = "\uFFFF";

    /**
     * @return a reader from the trace's first character
     * @throws IOException if the trace cannot be read
     */
    BufferedReader open() throws IOException;

    /**
     * @return what the source is called in error messages
     */
    default String describe() {
        return "trace";
    }

    /**
     * A UTF-8 file, read again from its start at each pass (a FIFO or {@code /dev/stdin} cannot be: see
     * {@link TraceFile}); bytes that are not UTF-8 read as {@link #NOT_UTF8}.
     *
     * @param file the file
     * @return the source
     */
    static TraceSource of(Path file) {
        return of(file, file.toString());
    }

    /**
     * A UTF-8 file, named otherwise in error messages (a temporary copy by the trace it copies).
     *
     * @param file the file
     * @param name what errors call it
     * @return the source
     */
    static TraceSource of(Path file, String name) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        return new TraceSource() {
            @Override
            public BufferedReader open() throws IOException {
                CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)
                        .replaceWith(NOT_UTF8);
                return new BufferedReader(new InputStreamReader(Files.newInputStream(file), utf8));
            }

            @Override
            public String describe() {
                return name;
            }
        };
    }
}
