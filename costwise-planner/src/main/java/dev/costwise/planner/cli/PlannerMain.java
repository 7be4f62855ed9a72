package dev.costwise.planner.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A stand-alone entry point with the planner's two commands, for running the planner before (or without) the
 * {@code costwise} CLI, which registers {@link SimulateCommand} and {@link ReplayCommand} itself.
 *
 * <p>{@code mvn -q -pl costwise-planner -am package -DskipTests -Prun-planner -Dexec.args="simulate pattern1"}
 */
@Command(name = "costwise-planner", mixinStandardHelpOptions = true,
        subcommands = {SimulateCommand.class, ReplayCommand.class},
        description = "Cost planner: simulate synthetic traffic or replay a request log through a pipeline.")
public final class PlannerMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * @param args {@code simulate SCENARIO [...]} or {@code replay TRACE [...]}
     */
    public static void main(String[] args) {
        int code = new CommandLine(new PlannerMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
