package dev.costwise.planner.scenario;

import dev.costwise.llm.sim.SimulatedFailure;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How the {@code sim} provider behaves for one model in a scenario.
 *
 * @param failures failure kinds and their rate per attempt
 * @param billTimeouts {@code true} when a timed-out attempt is billed in full (the provider generated the answer and
 *     the client gave up): the spec's "wasted" calls
 */
public record ModelSettings(Map<SimulatedFailure, Double> failures, boolean billTimeouts) {

    /** No failures, nothing billed on failure. */
    public static final ModelSettings DEFAULT = new ModelSettings(Map.of(), false);

    public ModelSettings {
        EnumMap<SimulatedFailure, Double> copy = new EnumMap<>(SimulatedFailure.class);
        copy.putAll(failures);
        double sum = copy.values().stream().mapToDouble(Double::doubleValue).sum();
        ScenarioException.require(sum <= 1.0 + 1e-9, "failure rates sum to %s, more than 1: %s", sum, copy);
        failures = Collections.unmodifiableMap(copy);
    }
}
