package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A stream's sink that keeps its client from being cut as idle while the provider is silent but alive: each
 * keep-alive the provider sends (Anthropic's {@code ping}, OpenRouter's {@code : OPENROUTER PROCESSING}) is passed on
 * in the endpoint's own form ({@link ChatService.StreamSink#keepAlive}), once nothing has been sent to the client for
 * {@code every}, counted from the request's arrival; so at most one every {@code every}, and none while chunks flow.
 *
 * <p>Before the first output the response has not started: an attempt that fails then still retries or falls back,
 * with the status and headers of whatever finally answers. The first keep-alive starts it, for the attempt being
 * waited on ({@link #waitingOn}): status 200, its headers naming that attempt's model. That is the trade: a wait
 * shorter than {@code every} keeps the whole fallback, a longer one is kept alive through proxies that cut idle
 * connections (60 s for nginx's {@code proxy_read_timeout} and common load balancers), and shows whether the client
 * is still there. After it a fallback still answers, in the same stream (its final usage chunk names the model that
 * answered), and a failure of every attempt is the stream's last event rather than an error status. A keep-alive
 * that cannot be written means the client has gone: {@link ClientGoneException}, thrown from the upstream's reader,
 * so the provider's call is closed at once instead of running to its end.
 *
 * <p>{@link #start} is idempotent: the relay's start, once a keep-alive has started the response, does nothing. Not
 * thread-safe: one stream, read and written on one thread.
 */
final class KeepAliveSink implements ChatService.StreamSink {
    private final ChatService.StreamSink sink;
    private final Ticker ticker;
    private final long everyNanos;
    /** When the client was last sent something (the request's arrival before anything was). */
    private long lastSentNanos;
    private boolean started;
    /** Starts the response for the attempt being waited on. */
    private Runnable startWaitedOn = () -> { };

    /**
     * @param sink the endpoint's sink
     * @param ticker measures the silence
     * @param every the silence before a keep-alive is passed on; zero for none
     * @param arrivedNanos when the request arrived, by {@code ticker}
     */
    KeepAliveSink(ChatService.StreamSink sink, Ticker ticker, Duration every, long arrivedNanos) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.everyNanos = every.toNanos();
        this.lastSentNanos = arrivedNanos;
    }

    /** @param start starts the response for the attempt now waited on, with its model and prompt usage */
    void waitingOn(Runnable start) {
        this.startWaitedOn = Objects.requireNonNull(start, "start");
    }

    /** @return whether the response has started: its status and headers are the client's */
    boolean started() {
        return started;
    }

    /**
     * The provider sent a keep-alive: one is passed on if the client has been sent nothing for {@code every}.
     *
     * @throws ClientGoneException if it could not be written: the client has gone
     */
    void upstreamAlive() {
        long now = ticker.read();
        if (everyNanos == 0 || now - lastSentNanos < everyNanos) {
            return;
        }
        try {
            if (!started) {
                startWaitedOn.run();
            }
            sink.keepAlive();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
        lastSentNanos = now;
    }

    @Override
    public void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage,
            Optional<JsonNode> promptUsage) {
        if (!started) {
            started = true;
            sink.start(cache, modelUsed, route, keyUsage, promptUsage);
        }
    }

    @Override
    public void event(String chunkJson) throws IOException {
        sink.event(chunkJson);
        lastSentNanos = ticker.read();
    }

    @Override
    public void keepAlive() throws IOException {
        sink.keepAlive();
    }

    @Override
    public void done() throws IOException {
        sink.done();
    }
}
