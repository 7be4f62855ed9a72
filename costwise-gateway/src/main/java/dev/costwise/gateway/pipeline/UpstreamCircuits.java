package dev.costwise.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.CircuitBreakerConfig;
import dev.costwise.gateway.config.GatewayConfig.CircuitSettings;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.provider.ProviderException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker (core's {@link CircuitBreaker}) per configured model: a model whose calls keep failing is skipped
 * for a while, so its requests go straight to their fallbacks instead of each paying for a timeout or a run of
 * retries first. Counted failures are the provider's (server errors, timeouts, connection failures, rate limits,
 * overload, a rejected upstream key), never a caller's mistake. Each model's state is the gauge
 * {@code costwise.upstream.circuit.state} (0 closed, 1 half-open, 2 open); openings are logged. Thread-safe.
 */
final class UpstreamCircuits {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamCircuits.class);

    private final Map<String, CircuitBreaker> byModel = new HashMap<>();

    /**
     * @param models the configured models, each with its settings
     * @param ticker times how long a circuit stays open
     * @param registry where the state gauges go
     */
    UpstreamCircuits(List<Model> models, Ticker ticker, MeterRegistry registry) {
        PrimitiveMetrics transitions = new PrimitiveMetrics() {
            @Override
            public void onStateTransition(String model, String from, String to) {
                if (to.equals("OPEN")) {
                    LOG.warn("model '{}': circuit {} -> OPEN: its calls keep failing; requests go to their "
                            + "fallbacks for {}", model, from, byModel.get(model).config().waitDurationInOpenState());
                } else {
                    LOG.info("model '{}': circuit {} -> {}", model, from, to);
                }
            }
        };
        for (Model m : models) {
            CircuitSettings s = m.circuitBreaker();
            if (!s.enabled()) {
                continue;
            }
            CircuitBreaker breaker = CircuitBreaker.of(m.name(), CircuitBreakerConfig.builder()
                    .consecutiveFailures(s.failuresInARow()).failureRateThreshold(s.failureRate())
                    .slidingWindowSize(s.window()).minimumCalls(s.minimumCalls())
                    .waitDurationInOpenState(s.openFor()).permittedCallsInHalfOpenState(1)
                    .classifier(f -> f instanceof ProviderException p && !AttemptLoop.isCallersFault(p)
                            ? FailureVerdict.fallbackOnly(p.kind()) : FailureVerdict.FATAL)
                    .ticker(ticker).metrics(transitions).build());
            byModel.put(m.name(), breaker);
            Gauge.builder("costwise.upstream.circuit.state", breaker, UpstreamCircuits::stateValue)
                    .tag("model", m.name()).description("The model's circuit as of now: 0 closed, 1 half-open (or "
                            + "open with open_for passed: the next request probes it), 2 open")
                    .register(registry);
        }
    }

    /** @return the model's breaker; empty when it has none ({@code circuit_breaker: off}, or not a configured model) */
    Optional<CircuitBreaker> of(String model) {
        return Optional.ofNullable(byModel.get(model));
    }

    /**
     * The state as of now, on the breaker's ticker: an open circuit whose {@code open_for} has passed lets the next
     * request probe it, so it reads half-open, though the breaker only moves when that request comes.
     */
    private static double stateValue(CircuitBreaker b) {
        return switch (b.state()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> b.remainingOpenDuration().isZero() ? 1 : 2;
        };
    }
}
