package dev.costwise.planner.engine;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.sim.OutputLength;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.sim.SimulatedFailure;
import dev.costwise.planner.scenario.ModelSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@code sim} provider as the planner uses it: one {@link SimulatedChatModel} per catalog model, seeded from the
 * run's seed and the model name, with the scenario's failure rates, zero latency, prompt sizes and prompt-cache reads
 * from {@link PlannedTokenEstimator}, a sleeper that does not wait (simulated timeouts fail at once) and answer
 * lengths set through {@code max_tokens} (the simulator's own length is unbounded, so {@code max_tokens} decides it).
 * Answers carry no text (all output counts as hidden reasoning, billed as output), which keeps a 50,000-request day
 * fast.
 */
public final class SimFleet implements ModelResolver {

    private final ModelCatalog catalog;
    private final boolean evenlySpreadFailures;
    private final long seed;
    private final Function<String, ModelSettings> settings;
    private final PlannedTokenEstimator estimator;
    private final Map<String, SimulatedChatModel> models = new ConcurrentHashMap<>();

    /**
     * @param catalog the catalog that prices the models
     * @param seed the run's seed
     * @param settings the sim behaviour per model name
     */
    public SimFleet(ModelCatalog catalog, long seed, Function<String, ModelSettings> settings) {
        this(catalog, seed, settings, false);
    }

    /**
     * @param catalog the catalog that prices the models
     * @param seed the run's seed
     * @param settings the sim behaviour per model name
     * @param evenlySpreadFailures {@code true} to draw failures from an evenly spread sequence, so each model fails
     *     its configured share of calls to within one call; {@code false} for independent random draws
     */
    public SimFleet(ModelCatalog catalog, long seed, Function<String, ModelSettings> settings,
            boolean evenlySpreadFailures) {
        this.evenlySpreadFailures = evenlySpreadFailures;
        this.catalog = catalog;
        this.seed = seed;
        this.settings = settings;
        this.estimator = new PlannedTokenEstimator(JtokkitTokenEstimator.of(catalog));
    }

    @Override
    public ChatModel model(String catalogName) {
        return models.computeIfAbsent(catalog.require(catalogName).name(), name -> {
            SimulatedChatModel.Builder b = SimulatedChatModel.builder(catalog, name)
                    .seed(TrafficGenerator.mix(seed, name.hashCode(), 17))
                    .tokenEstimator(estimator)
                    .promptCacheReads(estimator)
                    .outputLength(OutputLength.fixed(Integer.MAX_VALUE))
                    .reasoningShare(1.0)
                    .sleeper(duration -> { });
            if (evenlySpreadFailures) {
                b.random(new EvenlySpreadRandom(new java.util.SplittableRandom(seed ^ name.hashCode()).nextDouble()));
            }
            for (Map.Entry<SimulatedFailure, Double> f : settings.apply(name).failures().entrySet()) {
                b.failure(f.getKey(), f.getValue());
            }
            return b.build();
        });
    }
}
