package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads server-sent events from a byte stream, following the WHATWG "event stream" parsing rules: lines end in
 * {@code \n}, {@code \r\n} or {@code \r}; a line starting with {@code :} is a comment (OpenRouter sends
 * {@code : OPENROUTER PROCESSING} keep-alives); {@code data:} lines accumulate, joined by {@code \n}; a blank line
 * dispatches the event; one space after the colon is dropped; {@code retry:} is ignored.
 *
 * <p>Unlike the specification, data still pending when the stream ends is dispatched rather than dropped, so a server
 * that omits the last blank line is still understood. An event (its {@code data} lines together) longer than the
 * limit fails with {@link ResponseTooLargeException} rather than being held whole. Not thread-safe.
 *
 * @see <a href="https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">WHATWG
 *     event stream interpretation</a>
 */
public final class SseReader {

    private final BoundedLineReader reader;
    private final int maxEventSize;
    private boolean ended;
    private Runnable comments = () -> { };

    /**
     * Reads events of at most {@link HttpBodies#DEFAULT_MAX_SIZE} bytes.
     *
     * @param in the response body, UTF-8
     */
    public SseReader(InputStream in) {
        this(in, HttpBodies.DEFAULT_MAX_SIZE);
    }

    /**
     * @param in the response body, UTF-8
     * @param maxEventSize the longest event accepted: one line, and the data of one event, in bytes
     */
    public SseReader(InputStream in, int maxEventSize) {
        this.reader = new BoundedLineReader(Objects.requireNonNull(in, "in"), maxEventSize);
        this.maxEventSize = maxEventSize;
    }

    /**
     * Asks to be told of each comment line as it is read: servers send them as keep-alives ({@code : OPENROUTER
     * PROCESSING}). The listener runs inside {@link #next()}, and what it throws ends that call.
     *
     * @param listener told of each comment; replaces any set before
     */
    public void onComment(Runnable listener) {
        this.comments = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Reads the next event, blocking until it is complete.
     *
     * @return the event, or empty at the end of the stream
     * @throws ResponseTooLargeException if the event is longer than the limit
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
                comments.run();
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
                    } else if (data.length() + 1 + value.length() > maxEventSize) {
                        throw new ResponseTooLargeException("an event of the stream", maxEventSize);
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
