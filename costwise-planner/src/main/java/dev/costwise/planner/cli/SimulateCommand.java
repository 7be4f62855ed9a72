package dev.costwise.planner.cli;

import dev.costwise.planner.Planner;
import dev.costwise.planner.ScenarioFile;
import dev.costwise.planner.report.PlanReport;
import dev.costwise.planner.report.ProgressBar;
import dev.costwise.planner.scenario.ScenarioException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code costwise simulate SCENARIO}: simulates a day of synthetic traffic before and after a pipeline on the
 * {@code sim} provider and prints the spec-style cost table. SCENARIO is a built-in name ({@code pattern1} ...
 * {@code combined}) or a YAML file.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate a day of synthetic traffic before and after a pipeline (offline, sim provider).")
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO",
            description = "A built-in scenario (${COMPLETION-CANDIDATES}) or a scenario YAML file.",
            completionCandidates = BuiltIns.class)
    String scenario;

    @Option(names = "--list", description = "List the built-in scenarios.")
    boolean list;

    @Option(names = {"-f", "--format"}, defaultValue = "table", completionCandidates = Formats.Names.class,
            description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, description = "Write the report to this file instead of stdout.")
    Path output;

    @Option(names = "--html", description = "Also write a self-contained HTML report with charts to this file.")
    Path html;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (list || scenario == null) {
            out.println("built-in scenarios: " + String.join(", ", ScenarioFile.BUILT_IN));
            return scenario == null && !list ? 2 : 0;
        }
        try {
            OutputFormat f = Formats.parse(format);
            PlanReport report = Planner.ofDefaults().simulate(ScenarioFile.resolve(scenario), ProgressBar.onStderr());
            ReportWriter.write(report, f, Optional.ofNullable(output), Optional.ofNullable(html), out);
            return 0;
        } catch (ScenarioException | IllegalArgumentException e) {
            err.println("costwise simulate: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            err.println("costwise simulate: " + e.getMessage());
            return 1;
        }
    }

    /** The built-in scenario names, for help and completion. */
    static final class BuiltIns implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ScenarioFile.BUILT_IN.iterator();
        }
    }
}
