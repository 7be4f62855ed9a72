package dev.costwise.planner.scenario;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Synthetic traffic for one day.
 *
 * @param requestsPerDay requests in a day, 1 to {@value #MAX_REQUESTS_PER_DAY}
 * @param promptTokens prompt length per distinct prompt
 * @param outputTokens answer length, unless a call site sets its own
 * @param repetition how prompts repeat
 * @param classes complexity classes and their share of requests (weights, normalised)
 */
public record TrafficSpec(long requestsPerDay, TokenDistribution promptTokens, TokenDistribution outputTokens,
        Repetition repetition, Map<String, Double> classes) {

    /**
     * The most requests a simulated day may have: every request of the day is held in memory and run twice
     * (before and after), so a larger day is better simulated at this size and scaled (costs are linear).
     */
    public static final long MAX_REQUESTS_PER_DAY = 1_000_000;

    public TrafficSpec {
        ScenarioException.require(requestsPerDay >= 1, "traffic.requestsPerDay must be >= 1, was %s", requestsPerDay);
        ScenarioException.require(requestsPerDay <= MAX_REQUESTS_PER_DAY,
                "traffic.requestsPerDay must be <= %s (simulate a smaller day and scale: costs are linear), was %s",
                String.format(Locale.ROOT, "%,d", MAX_REQUESTS_PER_DAY), requestsPerDay);
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(outputTokens, "outputTokens");
        Objects.requireNonNull(repetition, "repetition");
        ScenarioException.require(!classes.isEmpty(), "traffic needs at least one class");
        double total = classes.values().stream().mapToDouble(Double::doubleValue).sum();
        ScenarioException.require(total > 0, "class shares must sum to more than 0, were %s", classes);
        LinkedHashMap<String, Double> normal = new LinkedHashMap<>();
        classes.forEach((k, v) -> {
            ScenarioException.require(v >= 0, "class '%s' share cannot be negative, was %s", k, v);
            normal.put(k, v / total);
        });
        classes = Collections.unmodifiableMap(normal);
    }
}
