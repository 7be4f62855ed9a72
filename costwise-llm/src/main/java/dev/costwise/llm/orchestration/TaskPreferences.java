package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Capability;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the caller wants from the model chosen for a task.
 *
 * @param preferFree choose a free model (free tier or local) that still has rate-limit headroom when one is capable;
 *     when {@code false}, free tiers are not recommended (they have rate limits and may use data) and the cheapest
 *     capable priced model is chosen
 * @param maxCostPerCall the most one call may cost, if capped
 * @param latencySensitive avoid slow thinking models when another capable one exists
 * @param requiredCapabilities what the model must support (tools, vision, JSON…)
 * @param minContextWindow the smallest context window acceptable, in tokens (0 for no minimum)
 */
public record TaskPreferences(boolean preferFree, Optional<Money> maxCostPerCall, boolean latencySensitive,
        Set<Capability> requiredCapabilities, int minContextWindow) {

    /** The spec's default: prefer free, no cost cap, no capability needs. */
    public static final TaskPreferences DEFAULT = builder().build();

    public TaskPreferences {
        Objects.requireNonNull(maxCostPerCall, "maxCostPerCall");
        requiredCapabilities = requiredCapabilities.isEmpty() ? Set.of() : Set.copyOf(requiredCapabilities);
        maxCostPerCall.ifPresent(m -> {
            if (m.isNegative()) {
                throw new IllegalArgumentException("maxCostPerCall cannot be negative, was " + m);
            }
        });
        if (minContextWindow < 0) {
            throw new IllegalArgumentException("minContextWindow cannot be negative, was " + minContextWindow);
        }
    }

    /** @return a builder with the defaults: prefer free, no cap, not latency sensitive, no capabilities */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these preferences */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.preferFree = preferFree;
        b.maxCostPerCall = maxCostPerCall;
        b.latencySensitive = latencySensitive;
        b.capabilities.addAll(requiredCapabilities);
        b.minContextWindow = minContextWindow;
        return b;
    }

    /** Builds {@link TaskPreferences}. Not thread-safe. */
    public static final class Builder {
        private boolean preferFree = true;
        private Optional<Money> maxCostPerCall = Optional.empty();
        private boolean latencySensitive;
        private final Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        private int minContextWindow;

        private Builder() {}

        /**
         * Whether to prefer free models. Default: {@code true}.
         *
         * @param value the preference
         * @return this builder
         */
        public Builder preferFree(boolean value) {
            this.preferFree = value;
            return this;
        }

        /**
         * Caps the estimated cost of one call. Default: no cap.
         *
         * @param max the cap
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is negative
         */
        public Builder maxCostPerCall(Money max) {
            Objects.requireNonNull(max, "maxCostPerCall");
            if (max.isNegative()) {
                throw new IllegalArgumentException("maxCostPerCall cannot be negative, was " + max);
            }
            this.maxCostPerCall = Optional.of(max);
            return this;
        }

        /**
         * Marks the task latency sensitive. Default: not.
         *
         * @param value the preference
         * @return this builder
         */
        public Builder latencySensitive(boolean value) {
            this.latencySensitive = value;
            return this;
        }

        /**
         * Adds capabilities the model must support. Default: none.
         *
         * @param required for example {@link Capability#TOOLS}, {@link Capability#VISION}, {@link Capability#JSON}
         * @return this builder
         */
        public Builder require(Capability... required) {
            for (Capability c : required) {
                capabilities.add(Objects.requireNonNull(c, "capability"));
            }
            return this;
        }

        /**
         * Sets the smallest acceptable context window. Default: 0 (the prompt plus output must still fit).
         *
         * @param tokens the window in tokens
         * @return this builder
         * @throws IllegalArgumentException if {@code tokens} is negative
         */
        public Builder minContextWindow(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("minContextWindow cannot be negative, was " + tokens);
            }
            this.minContextWindow = tokens;
            return this;
        }

        /** @return the preferences */
        public TaskPreferences build() {
            return new TaskPreferences(preferFree, maxCostPerCall, latencySensitive, capabilities, minContextWindow);
        }
    }
}
