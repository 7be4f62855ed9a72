package dev.costwise.planner.scenario;

import dev.costwise.core.Money;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A planner scenario: one day of synthetic traffic run through a "before" and an "after" pipeline against the
 * {@code sim} provider, extrapolated to a month.
 *
 * @param name the short name ({@code pattern1})
 * @param title the heading
 * @param description what it models and which assumptions it takes from the spec
 * @param seed the seed of every random draw
 * @param daysPerMonth days a month has in the extrapolation (the spec uses 30)
 * @param traffic the traffic
 * @param models sim behaviour per catalog model in both runs; models not listed never fail
 * @param beforeModels overrides of {@code models} in the before run (the spec's baselines often assume no failures)
 * @param afterModels overrides of {@code models} in the after run
 * @param before the pipeline before optimisation
 * @param after the optimised pipeline
 * @param monthlyBudget a monthly budget to compare the result with, if the spec states one
 * @param claims the spec's figures to check
 * @param evenlySpreadFailures {@code true} (YAML {@code failureSampling: stratified}, the default) when each model
 *     fails exactly its configured share of calls; {@code false} ({@code random}) for independent draws
 */
public record Scenario(String name, String title, String description, long seed, int daysPerMonth,
        TrafficSpec traffic, Map<String, ModelSettings> models, Map<String, ModelSettings> beforeModels,
        Map<String, ModelSettings> afterModels, PipelineSpec before, PipelineSpec after,
        Optional<Money> monthlyBudget, List<Claim> claims, boolean evenlySpreadFailures) {

    /** The most days a month may have in the extrapolation. */
    public static final int MAX_DAYS_PER_MONTH = 31;

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        ScenarioException.require(daysPerMonth >= 1 && daysPerMonth <= MAX_DAYS_PER_MONTH,
                "daysPerMonth must be between 1 and %s, was %s", MAX_DAYS_PER_MONTH, daysPerMonth);
        Objects.requireNonNull(traffic, "traffic");
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        beforeModels = Collections.unmodifiableMap(new LinkedHashMap<>(beforeModels));
        afterModels = Collections.unmodifiableMap(new LinkedHashMap<>(afterModels));
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(monthlyBudget, "monthlyBudget");
        claims = List.copyOf(claims);
    }

    /**
     * @param model a catalog model name
     * @return its sim settings, or the defaults
     */
    public ModelSettings settings(String model) {
        return models.getOrDefault(model, ModelSettings.DEFAULT);
    }

    /**
     * @param model a catalog model name
     * @return its sim settings in the before run
     */
    public ModelSettings beforeSettings(String model) {
        return beforeModels.getOrDefault(model, settings(model));
    }

    /**
     * @param model a catalog model name
     * @return its sim settings in the after run
     */
    public ModelSettings afterSettings(String model) {
        return afterModels.getOrDefault(model, settings(model));
    }
}
