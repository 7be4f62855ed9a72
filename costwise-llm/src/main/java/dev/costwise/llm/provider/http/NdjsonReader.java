package dev.costwise.llm.provider.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads newline-delimited JSON (Ollama's streaming format): one JSON document per line; blank lines are skipped.
 * Not thread-safe.
 *
 * @see <a href="https://github.com/ndjson/ndjson-spec">NDJSON specification</a>
 */
public final class NdjsonReader {

    private final BufferedReader reader;

    /**
     * @param in the response body, UTF-8
     */
    public NdjsonReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(Objects.requireNonNull(in, "in"),
                StandardCharsets.UTF_8));
    }

    /**
     * Reads the next non-blank line.
     *
     * @return the line (one JSON document), or empty at the end of the stream
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
