package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.CloseConnectionException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-sent events with a name ({@code event: <type>} then {@code data: <json>}), as Anthropic's Messages
 * API and OpenAI's Responses API stream them, each flushed at once. Helidon reports a client that has gone as an
 * unchecked exception; here it is the {@link IOException} the pipeline's stream sink contract expects, on which the
 * attempt is ledgered as aborted. Not thread-safe.
 */
final class NamedEventWriter {
    /** An SSE comment, which the OpenAI and Anthropic SDKs skip: a keep-alive. */
    static final String KEEP_ALIVE = ": keep-alive\n\n";
    private static final byte[] KEEP_ALIVE_BYTES = KEEP_ALIVE.getBytes(StandardCharsets.UTF_8);

    private final OutputStream out;
    private final ObjectMapper json;

    NamedEventWriter(OutputStream out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    /** Sends one event, named by the data's {@code type}. */
    void send(JsonNode event) throws IOException {
        try {
            out.write(("event: " + event.get("type").asText() + "\ndata: " + json.writeValueAsString(event) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw new IOException("the client closed the connection", e);
        }
    }

    /** Sends a keep-alive comment ({@link #KEEP_ALIVE}). */
    void keepAlive() throws IOException {
        try {
            out.write(KEEP_ALIVE_BYTES);
            out.flush();
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw new IOException("the client closed the connection", e);
        }
    }

    /** Ends the stream. */
    void close() throws IOException {
        try {
            out.close();
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw new IOException("the client closed the connection", e);
        }
    }

    /** Closes the stream after the client went away; nothing more can reach it. */
    void abandon() {
        try {
            out.close();
        } catch (IOException | UncheckedIOException | CloseConnectionException ignored) {
            // the connection is gone already
        }
    }
}
