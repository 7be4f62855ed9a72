package dev.costwise.planner.engine;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.planner.scenario.CacheSpec;
import dev.costwise.planner.scenario.CallSite;
import dev.costwise.planner.scenario.ModelSettings;
import dev.costwise.planner.scenario.PipelineSpec;
import dev.costwise.planner.scenario.Scenario;
import dev.costwise.planner.scenario.Target;
import dev.costwise.planner.scenario.TokenDistribution;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Simulates one day of a scenario: generates the traffic once and runs it through the "before" and the "after"
 * pipeline, each against a fresh {@code sim} fleet seeded from the scenario's seed. Same scenario and seed, same
 * result.
 */
public final class Simulation {

    private final ModelCatalog catalog;
    private final CatalogPricer pricer;

    /**
     * @param catalog the catalog that prices every model
     */
    public Simulation(ModelCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.pricer = CatalogPricer.builder(catalog).allowUnpricedModels().build();
    }

    /**
     * Runs the scenario.
     *
     * @param scenario the scenario
     * @param progress hears progress over both runs
     * @return the day before and after
     */
    public Result run(Scenario scenario, ProgressListener progress) {
        List<SyntheticRequest> day = new TrafficGenerator(scenario.traffic(), scenario.seed(),
                calibrationCache(scenario)).generate();
        List<PlannedRequest> planned = day.stream().map(r -> plan(scenario, r)).toList();
        long n = planned.size();
        RunStats before = runOne(scenario, scenario.before(), scenario::beforeSettings, planned, 1,
                (done, total) -> progress.progress(done, 2 * n));
        RunStats after = runOne(scenario, scenario.after(), scenario::afterSettings, planned, 2,
                (done, total) -> progress.progress(n + done, 2 * n));
        return new Result(scenario, before, after);
    }

    private RunStats runOne(Scenario scenario, PipelineSpec pipeline, Function<String, ModelSettings> settings,
            List<PlannedRequest> planned, int salt, ProgressListener progress) {
        SimFleet fleet = new SimFleet(catalog, TrafficGenerator.mix(scenario.seed(), salt, 3), settings,
                scenario.evenlySpreadFailures());
        return new PipelineRunner(pipeline, fleet, pricer, settings, false).run(planned, progress);
    }

    /** The cache the traffic's target hit rate refers to: the after pipeline's, else the before pipeline's. */
    static Optional<CacheSpec> calibrationCache(Scenario scenario) {
        return firstCache(scenario.after()).or(() -> firstCache(scenario.before()));
    }

    private static Optional<CacheSpec> firstCache(PipelineSpec p) {
        if (p.cache().isPresent()) {
            return p.cache();
        }
        List<Target> targets = p.router().map(r -> List.copyOf(r.routes().values()))
                .orElseGet(() -> p.target().stream().toList());
        return targets.stream().flatMap(t -> t.sites().stream()).flatMap(s -> s.cache().stream()).findFirst();
    }

    private static PlannedRequest plan(Scenario scenario, SyntheticRequest r) {
        ChatRequest request = ChatRequest.of("planner", "synthetic " + r.className() + " prompt #" + r.rank());
        long promptHash = TrafficGenerator.mix(scenario.seed(), r.className().hashCode(), r.rank());
        TokenPlan tokens = new TokenPlan() {
            @Override
            public long inputTokens(CallSite site) {
                return site.inputTokens().map(d -> draw(d, promptHash, site, 1)).orElse(r.inputTokens());
            }

            @Override
            public long outputTokens(CallSite site) {
                TokenDistribution d = site.outputTokens().orElse(scenario.traffic().outputTokens());
                return draw(d, promptHash, site, 2);
            }
        };
        return new PlannedRequest(Integer.toString(r.index()), r.atMillis(), Optional.of(r.className()), request,
                r.promptId(), tokens);
    }

    private static long draw(TokenDistribution d, long promptHash, CallSite site, int salt) {
        return d.sample(new SplittableRandom(TrafficGenerator.mix(promptHash, site.label().hashCode(), salt)));
    }

    /**
     * A simulated day.
     *
     * @param scenario the scenario
     * @param before the day through the before pipeline
     * @param after the day through the after pipeline
     */
    public record Result(Scenario scenario, RunStats before, RunStats after) {}
}
