package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.orchestration.Headroom;
import dev.costwise.llm.provider.http.RateLimitListener;
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import dev.costwise.llm.ratelimit.RateLimitObservation;
import dev.costwise.llm.ratelimit.UsageTracker;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How much of each configured model's upstream rate limits is left, as its provider's rate-limit headers last said
 * ({@code x-ratelimit-*}, {@code anthropic-ratelimit-*}, a 429's {@code retry-after}): the share left of the tightest
 * limit reported, until that limit's reset time passes on the injected clock (then the window is whole again). A model
 * with no report since its reset has unknown headroom, which routing counts as full and reports as unknown.
 *
 * <p>Built on costwise-llm's {@link UsageTracker}, keyed by configured model name. Each replica keeps its own: the
 * headers are the provider's account-wide figures, so every replica reads the same truth from the answers it gets.
 * Thread-safe.
 */
public final class UpstreamHeadroom {
    private final UsageTracker tracker;

    /** @param clock the wall clock reset times are measured on */
    public UpstreamHeadroom(Clock clock) {
        this.tracker = UsageTracker.builder().clock(clock).build();
    }

    /**
     * A listener for an adapter that files every snapshot it hears under the snapshot's own model: the pass-through
     * names each snapshot by its configured model.
     *
     * @return the listener
     */
    public RateLimitListener listener() {
        return snapshot -> observe(snapshot.model(), snapshot);
    }

    /**
     * A listener for one configured model's native adapter, which names its snapshots by the upstream model id.
     *
     * @param model the configured model name
     * @return the listener
     */
    public RateLimitListener listenerFor(String model) {
        Objects.requireNonNull(model, "model");
        return snapshot -> observe(model, snapshot);
    }

    private void observe(String model, RateLimitSnapshot s) {
        if (!s.isEmpty()) {
            RateLimitObservation o = RateLimitObservation.from(s);
            tracker.observe(new RateLimitObservation(o.provider(), model, o.limitRequests(), o.remainingRequests(),
                    o.resetRequests(), o.limitTokens(), o.remainingTokens(), o.resetTokens(), o.retryAfter()));
        }
    }

    /**
     * @param model a configured model name
     * @return the share of its tightest reported limit left (0..1), or empty when unknown
     */
    public Optional<Double> of(String model) {
        return tracker.known(model);
    }

    /**
     * The headroom of what a route names: the most any of its models has (a group still serves while one member has
     * room), unknown when any of them is unknown (it counts as full).
     *
     * @param models the models the route's target expands to
     * @return the headroom, or empty when unknown
     */
    public Optional<Double> ofAny(List<Model> models) {
        double most = 0;
        for (Model m : models) {
            Optional<Double> h = of(m.name());
            if (h.isEmpty()) {
                return Optional.empty();
            }
            most = Math.max(most, h.get());
        }
        return models.isEmpty() ? Optional.empty() : Optional.of(most);
    }

    /**
     * This headroom as the workflow's model selector reads it, by catalog name.
     *
     * @param configured the configured model each catalog name stands for, if any
     * @return the headroom source
     */
    public Headroom byCatalogName(Function<String, Optional<String>> configured) {
        return new Headroom() {
            @Override
            public double of(String catalogName) {
                return known(catalogName).orElse(1.0);
            }

            @Override
            public Optional<Double> known(String catalogName) {
                return configured.apply(catalogName).flatMap(UpstreamHeadroom.this::of);
            }
        };
    }
}
