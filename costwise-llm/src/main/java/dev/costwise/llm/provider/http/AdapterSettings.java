package dev.costwise.llm.provider.http;

import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What every HTTP provider adapter needs besides its own wire format: which model at which provider, how to send,
 * how to price, where to report.
 *
 * @param provider the provider id, such as {@code openai}
 * @param model the model this adapter calls, as the provider names it
 * @param transport the HTTP transport (share one per process)
 * @param pricer prices each call's usage
 * @param meterRegistry where the {@code costwise.model.downgrades} counter goes; empty for no metrics
 * @param rateLimitListener receives each response's rate-limit headers
 * @param tokenEstimator counts tokens when the provider reports no usage
 * @param streamTimeouts first-token and total limits for streams
 * @param clock the wall clock for rate-limit snapshots
 * @param label the name the adapter goes by in its errors, if not its model: a gateway names a provider by the model
 *     it configured, which may call the same upstream model as another with another key or URL
 */
public record AdapterSettings(String provider, String model, HttpTransport transport, Pricer pricer,
        Optional<MeterRegistry> meterRegistry, RateLimitListener rateLimitListener, TokenEstimator tokenEstimator,
        StreamTimeouts streamTimeouts, Clock clock, Optional<String> label) {

    public AdapterSettings {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(pricer, "pricer");
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        Objects.requireNonNull(rateLimitListener, "rateLimitListener");
        Objects.requireNonNull(tokenEstimator, "tokenEstimator");
        Objects.requireNonNull(streamTimeouts, "streamTimeouts");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(label, "label");
        if (provider.isBlank()) {
            throw new IllegalArgumentException("provider cannot be blank");
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("model cannot be blank");
        }
        if (label.filter(String::isBlank).isPresent()) {
            throw new IllegalArgumentException("label cannot be blank");
        }
    }

    /** @return what errors name the adapter by: its {@link #label()}, else its model */
    public String displayName() {
        return label.orElse(model);
    }

    /**
     * Starts settings for {@code model} at {@code provider}.
     *
     * @param provider the provider id
     * @param model the model name
     * @return a builder
     */
    public static Builder builder(String provider, String model) {
        return new Builder(provider, model);
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        Builder b = new Builder(provider, model);
        b.transport = transport;
        b.pricer = pricer;
        b.meterRegistry = meterRegistry;
        b.rateLimitListener = rateLimitListener;
        b.tokenEstimator = tokenEstimator;
        b.streamTimeouts = streamTimeouts;
        b.clock = clock;
        b.label = label;
        return b;
    }

    /**
     * The same settings for another model (sharing transport, pricer and listeners), without the label, which named
     * this one.
     *
     * @param otherModel the model name
     * @return the copy
     */
    public AdapterSettings withModel(String otherModel) {
        return new AdapterSettings(provider, otherModel, transport, pricer, meterRegistry, rateLimitListener,
                tokenEstimator, streamTimeouts, clock, Optional.empty());
    }

    /** Builds {@link AdapterSettings}. Not thread-safe. */
    public static final class Builder {
        private String provider;
        private String model;
        private HttpTransport transport;
        private Pricer pricer;
        private Optional<MeterRegistry> meterRegistry = Optional.empty();
        private RateLimitListener rateLimitListener = RateLimitListener.NONE;
        private TokenEstimator tokenEstimator = ApproximateTokenEstimator.INSTANCE;
        private StreamTimeouts streamTimeouts = StreamTimeouts.NONE;
        private Clock clock = Clock.systemUTC();
        private Optional<String> label = Optional.empty();

        private Builder(String provider, String model) {
            this.provider = Objects.requireNonNull(provider, "provider");
            this.model = Objects.requireNonNull(model, "model");
        }

        /** @param value the provider id; @return this builder */
        public Builder provider(String value) {
            this.provider = Objects.requireNonNull(value, "provider");
            return this;
        }

        /** @param value the model name; @return this builder */
        public Builder model(String value) {
            this.model = Objects.requireNonNull(value, "model");
            return this;
        }

        /**
         * Sets the transport. Default: a shared-nothing {@link HelidonHttpTransport#ofDefaults()} made at
         * {@link #build()} (pass one transport to every adapter to share its connections).
         *
         * @param value the transport
         * @return this builder
         */
        public Builder transport(HttpTransport value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /**
         * Sets the pricer. Required.
         *
         * @param value the pricer
         * @return this builder
         */
        public Builder pricer(Pricer value) {
            this.pricer = Objects.requireNonNull(value, "pricer");
            return this;
        }

        /**
         * Sets the registry for the {@code costwise.model.downgrades} counter. Default: none (no metrics).
         *
         * @param value the registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Optional.of(value);
            return this;
        }

        /**
         * Sets the rate-limit listener. Default {@link RateLimitListener#NONE}.
         *
         * @param value the listener
         * @return this builder
         */
        public Builder rateLimitListener(RateLimitListener value) {
            this.rateLimitListener = Objects.requireNonNull(value, "rateLimitListener");
            return this;
        }

        /**
         * Sets the token counter used when the provider reports no usage. Default: about four characters a token.
         *
         * @param value the estimator
         * @return this builder
         */
        public Builder tokenEstimator(TokenEstimator value) {
            this.tokenEstimator = Objects.requireNonNull(value, "tokenEstimator");
            return this;
        }

        /**
         * Sets the stream limits. Default {@link StreamTimeouts#NONE} (only the transport's read timeout, and the
         * caller's deadline, which always narrows the total).
         *
         * @param value the limits
         * @return this builder
         */
        public Builder streamTimeouts(StreamTimeouts value) {
            this.streamTimeouts = Objects.requireNonNull(value, "streamTimeouts");
            return this;
        }

        /**
         * Sets the wall clock. Default {@link Clock#systemUTC()}.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Sets the name errors call the adapter by, such as a gateway's configured model name. Default: the model.
         *
         * @param value the name
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder label(String value) {
            if (Objects.requireNonNull(value, "label").isBlank()) {
                throw new IllegalArgumentException("label cannot be blank");
            }
            this.label = Optional.of(value);
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalStateException if no pricer was set
         * @throws IllegalArgumentException if the provider or model is blank
         */
        public AdapterSettings build() {
            if (pricer == null) {
                throw new IllegalStateException("pricer is required for " + provider + " " + model);
            }
            HttpTransport t = transport != null ? transport : HelidonHttpTransport.ofDefaults();
            return new AdapterSettings(provider, model, t, pricer, meterRegistry, rateLimitListener, tokenEstimator,
                    streamTimeouts, clock, label);
        }
    }
}
