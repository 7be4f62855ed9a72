package dev.costwise.llm.provider.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads server-sent events from a byte stream, following the WHATWG "event stream" parsing rules: lines end in
 * {@code \n}, {@code \r\n} or {@code \r}; a line starting with {@code :} is a comment (OpenRouter sends
 * {@code : OPENROUTER PROCESSING} keep-alives); {@code data:} lines accumulate, joined by {@code \n}; a blank line
 * dispatches the event; one space after the colon is dropped; {@code retry:} is ignored.
 *
 * <p>Unlike the specification, data still pending when the stream ends is dispatched rather than dropped, so a server
 * that omits the last blank line is still understood. Not thread-safe.
 *
 * @see <a href="https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">WHATWG
 *     event stream interpretation</a>
 */
public final class SseReader {

    private final BufferedReader reader;
    private boolean ended;

    /**
     * @param in the response body, UTF-8
     */
    public SseReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(Objects.requireNonNull(in, "in"),
                StandardCharsets.UTF_8));
    }

    /**
     * Reads the next event, blocking until it is complete.
     *
     * @return the event, or empty at the end of the stream
     * @throws IOException if reading fails
     */
    public Optional<SseEvent> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        StringBuilder data = null;
        String event = null;
        String id = null;
        while (true) {
            String line = reader.readLine();
            if (line == null) {
                ended = true;
                return data == null ? Optional.empty() : Optional.of(build(event, data, id));
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return Optional.of(build(event, data, id));
                }
                event = null;
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                case "event" -> event = value;
                case "id" -> id = value;
                default -> { } // retry and unknown fields are ignored, as the specification says
            }
        }
    }

    private static SseEvent build(String event, StringBuilder data, String id) {
        return new SseEvent(Optional.ofNullable(event), data.toString(), Optional.ofNullable(id));
    }
}
