package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A stream read ahead to its first output ({@link ChunkOutput}), so that an attempt whose provider stalls before it
 * answers fails inside the attempt, where it can still fall back, instead of after the caller has been sent the
 * stream's headers and its empty opening chunks. The chunks read ahead are replayed first, unchanged. The provider's
 * keep-alives meanwhile reach the listener set with {@link #onKeepAlive} on the stream read, which may start the
 * response all the same once the caller has waited long enough.
 */
public final class ReadAhead implements Upstream.Events {
    private final Upstream.Events events;
    private final ArrayDeque<String> read = new ArrayDeque<>();

    private ReadAhead(Upstream.Events events) {
        this.events = events;
    }

    /**
     * Reads {@code events} until a chunk shows output or a finish reason. A stream that ends before one (only
     * {@code [DONE]}, or opening and usage chunks) answered nothing: it fails as malformed, so it is retried or falls
     * back and is never relayed nor cached as an answer.
     *
     * @param events a stream just opened; closed here if reading ahead fails
     * @param json the mapper chunks are parsed with
     * @param model the model streaming, named by a failure
     * @return the same stream, its chunks read so far replayed first
     * @throws ProviderException if the provider fails, times out or ends the stream before its first output,
     *     carrying the usage it had reported by then ({@link ProviderException#billedUsage()})
     */
    public static Upstream.Events untilFirstOutput(Upstream.Events events, ObjectMapper json,
            ProviderException.Details model) {
        ReadAhead ahead = new ReadAhead(events);
        try {
            while (events.hasNext()) {
                String chunk = events.next();
                ahead.read.add(chunk);
                if (showsOutput(chunk, json)) {
                    return ahead;
                }
            }
            throw new ProviderException.MalformedResponse(model, "the stream ended without a choice carrying output "
                    + "or a finish_reason", null);
        } catch (ProviderException e) {
            // the usage the provider reported before it failed (Gemini's on every chunk) was billed: the failed
            // attempt is ledgered at it, as a stream that fails after its first output is
            Optional<Usage> reported = events.usage();
            events.close();
            throw e.billedUsage().isPresent() ? e : e.withBilledUsage(reported);
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /** A chunk that is not JSON ends the reading ahead: the relay reports it as it reports any bad chunk. */
    private static boolean showsOutput(String chunk, ObjectMapper json) {
        try {
            return ChunkOutput.answers(json.readTree(chunk));
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public boolean hasNext() {
        return !read.isEmpty() || events.hasNext();
    }

    @Override
    public String next() {
        if (!read.isEmpty()) {
            return read.poll();
        }
        if (!events.hasNext()) {
            throw new NoSuchElementException("the stream has ended");
        }
        return events.next();
    }

    @Override
    public Optional<Usage> usage() {
        return events.usage();
    }

    @Override
    public Optional<Usage> reportedUsage() {
        return events.reportedUsage();
    }

    @Override
    public Optional<String> answeredModel() {
        return events.answeredModel();
    }

    @Override
    public void onKeepAlive(Runnable listener) {
        events.onKeepAlive(listener);
    }

    @Override
    public void close() {
        events.close();
    }
}
