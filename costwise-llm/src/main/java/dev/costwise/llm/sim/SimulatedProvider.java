package dev.costwise.llm.sim;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

/**
 * The {@code sim} provider for a whole catalog: every catalog chat model can be served by a
 * {@link SimulatedChatModel}, created on first use and kept. Each model's seed is derived from the provider's seed and
 * the model name, so models differ from one another but every run with the same seed is the same.
 *
 * <pre>{@code
 * SimulatedProvider sim = SimulatedProvider.of(catalog, 42,
 *     b -> b.latency(LatencyModel.uniform(Duration.ofMillis(200), Duration.ofMillis(900)))
 *           .failure(SimulatedFailure.RATE_LIMITED, 0.02));
 * ChatModel gpt4o = sim.model("gpt-4o");
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class SimulatedProvider {

    private final ModelCatalog catalog;
    private final long seed;
    private final UnaryOperator<SimulatedChatModel.Builder> customizer;
    private final ConcurrentMap<String, SimulatedChatModel> models = new ConcurrentHashMap<>();

    private SimulatedProvider(ModelCatalog catalog, long seed, UnaryOperator<SimulatedChatModel.Builder> customizer) {
        this.catalog = catalog;
        this.seed = seed;
        this.customizer = customizer;
    }

    /**
     * A simulator of every chat model of {@code catalog} with the simulator's defaults.
     *
     * @param catalog the catalog
     * @param seed the seed every model's seed is derived from
     * @return the provider
     */
    public static SimulatedProvider of(ModelCatalog catalog, long seed) {
        return of(catalog, seed, UnaryOperator.identity());
    }

    /**
     * A simulator of every chat model of {@code catalog}, each builder passed through {@code customizer} (latency,
     * failures, output length, sleeper…) after its seed is set.
     *
     * @param catalog the catalog
     * @param seed the seed every model's seed is derived from
     * @param customizer adjusts each model's builder
     * @return the provider
     */
    public static SimulatedProvider of(ModelCatalog catalog, long seed,
            UnaryOperator<SimulatedChatModel.Builder> customizer) {
        return new SimulatedProvider(Objects.requireNonNull(catalog, "catalog"), seed,
                Objects.requireNonNull(customizer, "customizer"));
    }

    /**
     * The simulator of one catalog chat model.
     *
     * @param nameOrAlias a catalog name or alias
     * @return the simulated model, the same instance for every alias of one model
     * @throws dev.costwise.llm.catalog.UnknownModelException if the catalog has no such model
     * @throws IllegalArgumentException if the model is not a chat model
     * @throws dev.costwise.llm.cost.UnpricedModelException if the model has no price and the customizer did not give
     *     the builder a pricer that allows unpriced models
     */
    public SimulatedChatModel model(String nameOrAlias) {
        ModelInfo info = catalog.require(nameOrAlias);
        if (info.kind() != ModelKind.CHAT) {
            throw new IllegalArgumentException("model '" + info.name() + "' is a " + info.kind()
                    + " model; the sim provider serves chat models");
        }
        return models.computeIfAbsent(info.name(), name -> customizer
                .apply(SimulatedChatModel.builder(catalog, name).seed(seed ^ name.hashCode()))
                .build());
    }

    /** @return the names of every chat model this provider can simulate, in catalog order */
    public List<String> modelNames() {
        return catalog.all().stream().filter(m -> m.kind() == ModelKind.CHAT).map(ModelInfo::name).toList();
    }
}
