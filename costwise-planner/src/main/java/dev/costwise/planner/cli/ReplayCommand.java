package dev.costwise.planner.cli;

import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.planner.FileErrors;
import dev.costwise.planner.Planner;
import dev.costwise.planner.ScenarioFile;
import dev.costwise.core.Utf8Files;
import dev.costwise.planner.engine.ModelResolver;
import dev.costwise.planner.replay.ReplayOptions;
import dev.costwise.planner.replay.ReplayResult;
import dev.costwise.planner.report.ProgressBar;
import dev.costwise.planner.report.ReplayReports;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import dev.costwise.planner.scenario.PipelineSpec;
import dev.costwise.planner.scenario.ScenarioException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code costwise replay TRACE.jsonl}: replays a request log through a pipeline and reports the cost before and after,
 * cache hit rate, routes, fallbacks, retries and budget hits. Bad lines are reported with their line numbers and
 * skipped.
 *
 * <p>With {@code --gateway-config FILE} the pipeline is read from the gateway's own configuration
 * ({@link GatewayPipelineReader}), {@code --pipeline} naming the gateway pipeline, and models the configuration
 * gives a {@code price} are priced at it, before and after, as the gateway bills them. Otherwise it comes from
 * {@code --pipeline}: a YAML file (pipeline fields at the top level or under
 * {@code pipeline:}), the built-in {@code spec-router} (default) or a built-in scenario name, whose "after" pipeline is
 * used.
 * {@code --judge MODEL --sample N} compares a sample of answers with the baseline model's: with real models
 * (a {@link ModelResolver} given to the constructor, for example by the CLI when provider keys are set) a real judge,
 * otherwise a simulated one, and the report says so.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a JSONL request log through a pipeline and report the cost before and after.")
public final class ReplayCommand implements Callable<Integer> {

    /** Pipelines for real traffic shipped with the planner. */
    public static final java.util.List<String> BUILT_IN_PIPELINES = java.util.List.of("spec-router");

    private final Optional<ModelResolver> realModels;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "JSON Lines: one OpenAI chat request per line, "
            + "optionally wrapped as {\"timestamp\",\"request\",\"usage\"}.")
    Path trace;

    @Option(names = {"-p", "--pipeline"}, defaultValue = "spec-router",
            description = "Pipeline YAML file, the built-in pipeline spec-router (the spec's length-based router), or"
                    + " a built-in scenario whose 'after' pipeline to use (default: ${DEFAULT-VALUE}).")
    String pipeline;

    @Option(names = "--gateway-config", paramLabel = "FILE", description = "Read the pipeline from a gateway "
            + "configuration file; --pipeline then names the gateway pipeline (default: auto).")
    Path gatewayConfig;

    @Option(names = "--dry-run", description = "Only route: call no model, list where each request would go and its "
            + "estimated cost.")
    boolean dryRun;

    @Option(names = "--judge", paramLabel = "MODEL", description = "Judge model comparing sampled answers with the "
            + "baseline's.")
    String judge;

    @Option(names = "--sample", defaultValue = "20", description = "Requests the judge compares (default: "
            + "${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--baseline", paramLabel = "MODEL", description = "Baseline model for judged comparisons "
            + "(default: each request's own model).")
    String baseline;

    @Option(names = {"-f", "--format"}, defaultValue = "table", completionCandidates = Formats.Names.class,
            description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, description = "Write the report to this file instead of stdout.")
    Path output;

    @Option(names = "--html", description = "Also write a self-contained HTML report with charts to this file.")
    Path html;

    /** A replay command that runs offline on the sim provider. */
    public ReplayCommand() {
        this(Optional.empty());
    }

    /**
     * @param realModels real provider models for {@code --judge}; empty to judge offline on the sim provider
     */
    public ReplayCommand(Optional<ModelResolver> realModels) {
        this.realModels = Objects.requireNonNull(realModels, "realModels");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            OutputFormat f = Formats.parse(format);
            Planner planner = Planner.ofDefaults();
            PipelineSpec p;
            if (gatewayConfig != null) { // the gateway's models at the gateway's prices
                GatewayPipelineReader.Priced g = gatewayPipeline(planner);
                planner = Planner.of(g.catalog());
                p = g.pipeline();
            } else {
                p = pipeline(planner);
            }
            checkJudgeModels(planner); // before the replay runs, not after it
            ReplayOptions options = ReplayOptions.defaults().withDryRun(dryRun).withProgress(ProgressBar.onStderr());
            if (judge != null) {
                options = options.withJudge(judge, sample);
            }
            if (baseline != null) {
                options = options.withBaseline(baseline);
            }
            if (realModels.isPresent()) {
                options = options.withModels(realModels.get());
            }
            ReplayResult result = planner.replay(trace, p, options);
            ReportWriter.write(result.report(), f, Optional.ofNullable(output), Optional.ofNullable(html), out);
            result.errors().forEach(e -> err.println("costwise replay: skipped " + e));
            ReplayReports.nothingReplayed(result.lines(), result.badLines())
                    .ifPresent(w -> err.println("costwise replay: " + w));
            long unlisted = result.badLines() - result.errors().size();
            if (unlisted > 0) {
                err.println("costwise replay: skipped " + unlisted + " more bad line" + (unlisted == 1 ? "" : "s")
                        + " (only the first " + result.errors().size() + " are listed)");
            }
            return 0;
        } catch (ScenarioException | IllegalArgumentException | UncheckedIOException e) {
            err.println("costwise replay: " + e.getMessage());
            return 2;
        }
    }

    /** Refuses an unknown {@code --judge} or {@code --baseline} model, and a baseline without a judge. */
    private void checkJudgeModels(Planner planner) {
        if (baseline != null && judge == null) {
            throw new ScenarioException("--baseline: only used with --judge MODEL, which compares answers with it");
        }
        for (String[] option : new String[][] {{"--judge", judge}, {"--baseline", baseline}}) {
            if (option[1] != null) {
                try {
                    planner.catalog().require(option[1]);
                } catch (UnknownModelException e) {
                    throw new ScenarioException(option[0] + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private GatewayPipelineReader.Priced gatewayPipeline(Planner planner) {
        String name = "spec-router".equals(pipeline) ? "auto" : pipeline;
        try {
            return new GatewayPipelineReader(planner.catalog()).readPriced(Utf8Files.read(gatewayConfig), name,
                    gatewayConfig.toString());
        } catch (IOException e) {
            throw new ScenarioException("cannot read gateway config " + gatewayConfig + ": " + FileErrors.reason(e),
                    e);
        }
    }

    private PipelineSpec pipeline(Planner planner) {
        if (BUILT_IN_PIPELINES.contains(pipeline)) {
            try (java.io.InputStream in = ReplayCommand.class.getResourceAsStream(
                    "/dev/costwise/planner/pipelines/" + pipeline + ".yaml")) {
                return planner.reader().readPipeline(new String(in.readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8), "builtin:" + pipeline);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (ScenarioFile.BUILT_IN.contains(pipeline)) {
            return planner.scenario(ScenarioFile.builtIn(pipeline)).after();
        }
        Path path = Path.of(pipeline);
        try {
            return planner.reader().readPipeline(Utf8Files.read(path), path.toString());
        } catch (Utf8Files.NotUtf8Exception e) {
            throw new ScenarioException("cannot read pipeline " + path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ScenarioException("cannot read pipeline '" + pipeline + "' (neither a built-in scenario "
                    + ScenarioFile.BUILT_IN + " nor a readable file): " + e.getMessage(), e);
        }
    }
}
