package dev.costwise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code costwise} command: {@code serve}, {@code models}, {@code report}, {@code config check}. */
@Command(name = "costwise", mixinStandardHelpOptions = true, version = "costwise 0.1.0",
        description = "Cut LLM costs: an OpenAI-compatible gateway with caching, routing, fallbacks and budgets.",
        subcommands = {ServeCommand.class, ModelsCommand.class, ReportCommand.class, ConfigCommand.class})
public final class CostwiseCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int code = new CommandLine(new CostwiseCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || !"serve".equals(args.length > 0 ? args[0] : "")) {
            System.exit(code);
        }
    }
}
