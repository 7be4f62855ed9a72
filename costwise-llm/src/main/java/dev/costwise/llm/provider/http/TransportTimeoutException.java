package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * An HTTP exchange took longer than one of its limits.
 *
 * <p>Adapters map it to {@link dev.costwise.llm.provider.ProviderException.ProviderTimeout}.
 */
public final class TransportTimeoutException extends IOException {

    /** Which limit was passed. */
    public enum Phase {
        /** Opening the connection. */
        CONNECT("connect"),
        /** Waiting for the next bytes of a response. */
        READ("read"),
        /** Waiting for the first token (the first output of the model) of a stream. */
        FIRST_TOKEN("first token"),
        /** The whole stream. */
        TOTAL("stream"),
        /** The whole exchange of a non-streamed call, bounded by the caller's deadline. */
        CALL("call");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** @return a short human label, such as {@code first token} */
        public String label() {
            return label;
        }
    }

    private final Phase phase;
    private final Duration timeout;

    /**
     * @param phase which limit was passed
     * @param timeout the limit
     * @param cause the underlying failure, or {@code null}
     */
    public TransportTimeoutException(Phase phase, Duration timeout, Throwable cause) {
        super(phase.label() + " timed out after " + timeout.toMillis() + " ms", cause);
        this.phase = Objects.requireNonNull(phase, "phase");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** @return which limit was passed */
    public Phase phase() {
        return phase;
    }

    /** @return the limit */
    public Duration timeout() {
        return timeout;
    }
}
