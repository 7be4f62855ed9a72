package dev.costwise.planner;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.planner.engine.ProgressListener;
import dev.costwise.planner.engine.Simulation;
import dev.costwise.planner.replay.ReplayOptions;
import dev.costwise.planner.replay.ReplayResult;
import dev.costwise.planner.replay.Replayer;
import dev.costwise.planner.report.PlanReport;
import dev.costwise.planner.report.SimulationReports;
import dev.costwise.planner.scenario.PipelineSpec;
import dev.costwise.planner.scenario.Scenario;
import dev.costwise.planner.scenario.ScenarioReader;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The cost planner: what would this traffic cost, before and after a pipeline?
 *
 * <pre>{@code
 * Planner planner = Planner.ofDefaults();
 * PlanReport day = planner.simulate(ScenarioFile.builtIn("pattern1"));
 * System.out.print(TerminalReport.render(day));
 *
 * PipelineSpec pipeline = planner.reader().readPipeline(Files.readString(pipelineYaml), "pipeline.yaml");
 * ReplayResult replay = planner.replay(Path.of("trace.jsonl"), pipeline, ReplayOptions.defaults());
 * }</pre>
 *
 * <p>Simulations are deterministic: the same scenario and seed give the same figures. Thread-safe.
 */
public final class Planner {

    private final ModelCatalog catalog;
    private final ScenarioReader reader;

    private Planner(ModelCatalog catalog) {
        this.catalog = catalog;
        this.reader = ScenarioReader.of(catalog);
    }

    /** @return a planner over the bundled catalog */
    public static Planner ofDefaults() {
        return of(ModelCatalogs.bundled());
    }

    /**
     * @param catalog the catalog that prices every model
     * @return a planner
     */
    public static Planner of(ModelCatalog catalog) {
        return new Planner(Objects.requireNonNull(catalog, "catalog"));
    }

    /** @return the reader of scenario and pipeline YAML, checking model names against this planner's catalog */
    public ScenarioReader reader() {
        return reader;
    }

    /** @return the catalog */
    public ModelCatalog catalog() {
        return catalog;
    }

    /**
     * Parses a scenario file.
     *
     * @param file the file
     * @return the scenario
     * @throws dev.costwise.planner.scenario.ScenarioException if the file is not a valid scenario
     */
    public Scenario scenario(ScenarioFile file) {
        return reader.readScenario(file.yaml(), file.source());
    }

    /**
     * Simulates one day of a scenario before and after its pipeline and extrapolates to a month.
     *
     * @param file the scenario
     * @return the report
     * @throws dev.costwise.planner.scenario.ScenarioException if the file is not a valid scenario
     */
    public PlanReport simulate(ScenarioFile file) {
        return simulate(file, ProgressListener.NONE);
    }

    /**
     * As {@link #simulate(ScenarioFile)}, telling {@code progress} how far it is.
     *
     * @param file the scenario
     * @param progress hears progress
     * @return the report
     */
    public PlanReport simulate(ScenarioFile file, ProgressListener progress) {
        return SimulationReports.of(simulateDay(scenario(file), progress));
    }

    /**
     * Simulates one day and returns the raw figures.
     *
     * @param scenario the scenario
     * @param progress hears progress
     * @return the day before and after
     */
    public Simulation.Result simulateDay(Scenario scenario, ProgressListener progress) {
        return new Simulation(catalog).run(scenario, progress);
    }

    /**
     * Replays a request log (JSON Lines of OpenAI chat requests) through {@code pipeline}. The trace is streamed, in
     * two passes that each hold one line at a time, so memory does not grow with its length; one that can be read only
     * once (a pipe) is copied to a temporary file first.
     *
     * @param trace the JSONL file
     * @param pipeline the pipeline to plan for
     * @param options dry run, judge, baseline, progress
     * @return the replay's figures, bad lines and report
     * @throws java.io.UncheckedIOException if the trace cannot be read, or changes between the two passes
     */
    public ReplayResult replay(Path trace, PipelineSpec pipeline, ReplayOptions options) {
        return new Replayer(catalog).replay(trace, pipeline, options);
    }
}
