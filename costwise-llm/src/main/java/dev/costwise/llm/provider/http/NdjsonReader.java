package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads newline-delimited JSON (Ollama's streaming format): one JSON document per line; blank lines are skipped.
 * Not thread-safe.
 *
 * @see <a href="https://github.com/ndjson/ndjson-spec">NDJSON specification</a>
 */
public final class NdjsonReader {

    private final BoundedLineReader reader;

    /**
     * Reads lines of at most {@link HttpBodies#DEFAULT_MAX_SIZE} bytes.
     *
     * @param in the response body, UTF-8
     */
    public NdjsonReader(InputStream in) {
        this(in, HttpBodies.DEFAULT_MAX_SIZE);
    }

    /**
     * Reads lines of at most {@code maxLineSize} bytes.
     *
     * @param in the response body, UTF-8
     * @param maxLineSize the longest line accepted, in bytes
     * @throws IllegalArgumentException if {@code maxLineSize} is not positive
     */
    public NdjsonReader(InputStream in, int maxLineSize) {
        this.reader = new BoundedLineReader(Objects.requireNonNull(in, "in"), maxLineSize);
    }

    /**
     * Reads the next non-blank line.
     *
     * @return the line (one JSON document), or empty at the end of the stream
     * @throws ResponseTooLargeException if the line is longer than the limit
     * @throws IOException if reading fails
     */
    public Optional<String> next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            if (!line.isBlank()) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }
}
