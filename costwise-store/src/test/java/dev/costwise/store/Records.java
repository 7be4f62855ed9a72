package dev.costwise.store;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Builds cost records for tests: defaults for everything, setters for what a test cares about. */
final class Records {

    private String requestId = "req-1";
    private int attempt = 1;
    private Instant at = Instant.parse("2026-11-20T10:00:00Z");
    private String requestedModel = "gpt-4o";
    private String usedModel = "gpt-4o";
    private String catalogModel = "gpt-4o";
    private String provider = "openai";
    private Usage usage = Usage.of(1000, 200);
    private Money cost = Money.of("0.0045");
    private Money baselineCost = Money.of("0.0045");
    private PriceStatus priceStatus = PriceStatus.PRICED;
    private Outcome outcome = Outcome.SUCCESS;
    private final Map<String, String> tags = new HashMap<>();

    static Records record(String requestId) {
        Records records = new Records();
        records.requestId = requestId;
        return records;
    }

    Records attempt(int attempt) {
        this.attempt = attempt;
        return this;
    }

    Records at(String instant) {
        this.at = Instant.parse(instant);
        return this;
    }

    Records at(Instant instant) {
        this.at = instant;
        return this;
    }

    /** The model called, by its catalog name; it answers under that name unless {@link #answeredAs} says not. */
    Records model(String model, String provider) {
        this.usedModel = model;
        this.catalogModel = model;
        this.provider = provider;
        return this;
    }

    /** The name the provider answered under (a dated snapshot, an upstream id). */
    Records answeredAs(String model) {
        this.usedModel = model;
        return this;
    }

    Records usage(long input, long output) {
        this.usage = Usage.of(input, output);
        return this;
    }

    Records usage(Usage usage) {
        this.usage = usage;
        return this;
    }

    Records cost(String cost) {
        this.cost = Money.of(cost);
        return this;
    }

    Records baseline(String baseline) {
        this.baselineCost = Money.of(baseline);
        return this;
    }

    Records outcome(Outcome outcome) {
        this.outcome = outcome;
        if (outcome == Outcome.CACHE_HIT) {
            this.priceStatus = PriceStatus.CACHE_HIT;
        }
        return this;
    }

    Records tag(String key, String value) {
        tags.put(key, value);
        return this;
    }

    CostRecord build() {
        return new CostRecord(requestId, attempt, at, requestedModel, usedModel, catalogModel, provider, usage, cost,
                baselineCost, priceStatus, outcome,
                outcome == Outcome.FAILED ? Optional.of("server_error") : Optional.empty(), Optional.empty(),
                Duration.ofMillis(120), tags);
    }
}
