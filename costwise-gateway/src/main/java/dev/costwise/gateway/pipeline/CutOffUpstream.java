package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * An {@link Upstream} whose calls, and each read of a stream, an {@link UpstreamCutoff} ends: a call under way when
 * the cut comes fails as a {@link ProviderException.ConnectionFailed} that says so (the attempt is ledgered as any
 * failed one, and a stream's caller gets it as the stream's error event), and a call or read after it is refused
 * without reaching the provider. Thread-safe.
 */
final class CutOffUpstream implements Upstream {
    private final Upstream upstream;
    private final UpstreamCutoff cutoff;

    CutOffUpstream(Upstream upstream, UpstreamCutoff cutoff) {
        this.upstream = upstream;
        this.cutoff = cutoff;
    }

    @Override
    public Reply complete(Call call) {
        return during(call, () -> upstream.complete(call));
    }

    @Override
    public Events stream(Call call) {
        return new CutOffEvents(during(call, () -> upstream.stream(call)), call);
    }

    @Override
    public OptionalLong countInputTokens(Call call) {
        return during(call, () -> upstream.countInputTokens(call));
    }

    @Override
    public Reply embed(Call call) {
        return during(call, () -> upstream.embed(call));
    }

    @Override
    public void close() {
        upstream.close();
    }

    private <T> T during(Call call, Supplier<T> work) {
        try (UpstreamCutoff.Inside ignored = cutoff.enter()) {
            return work.get();
        } catch (RuntimeException e) {
            throw cutoff.isCut() && !(e instanceof GatewayException) ? cutOff(call, e) : e;
        }
    }

    private static ProviderException cutOff(Call call, RuntimeException cause) {
        return new ProviderException.ConnectionFailed(ProviderException.Details.of(call.model().provider(),
                call.model().name()), UpstreamCutoff.CUT_OFF, cause);
    }

    /** A stream each read of which the cut ends; read after the cut, it fails at once. */
    private final class CutOffEvents implements Events {
        private final Events events;
        private final Call call;

        CutOffEvents(Events events, Call call) {
            this.events = events;
            this.call = call;
        }

        @Override
        public boolean hasNext() {
            return reading(events::hasNext);
        }

        @Override
        public String next() {
            return reading(events::next);
        }

        /** A read after the cut fails as one it interrupted would: the relay ends the stream with its error. */
        private <T> T reading(Supplier<T> read) {
            try {
                return during(call, read);
            } catch (GatewayException.ShuttingDown e) {
                throw cutOff(call, e);
            }
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
}
