package dev.costwise.cli;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.provider.ProviderModels;
import dev.costwise.planner.cli.ReplayCommand;
import dev.costwise.planner.cli.SimulateCommand;
import dev.costwise.planner.engine.ModelResolver;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code costwise} command: {@code serve}, {@code models}, {@code report}, {@code config check}, and the cost
 * planner's {@code simulate} and {@code replay}.
 */
@Command(name = "costwise", mixinStandardHelpOptions = true, version = "costwise 0.1.0",
        description = "Cut LLM costs: an OpenAI-compatible gateway with caching, routing, fallbacks and budgets.",
        subcommands = {ServeCommand.class, ModelsCommand.class, ReportCommand.class, ConfigCommand.class,
            TrainingRunCommand.class})
public final class CostwiseCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The command line with every subcommand; the replay judge calls real models when their API keys are set.
     *
     * @return the command line
     */
    static CommandLine commandLine() {
        ModelCatalog catalog = ModelCatalogs.bundled();
        ModelResolver realModels = name -> ProviderModels.fromEnvironment(catalog, name).orElseThrow(() ->
                new IllegalArgumentException("no API key is set for the provider of '" + name
                        + "' (or the catalog does not know it): the judge cannot call it"));
        return new CommandLine(new CostwiseCommand())
                .addSubcommand(new SimulateCommand())
                .addSubcommand(new ReplayCommand(anyProviderKeySet() ? Optional.of(realModels) : Optional.empty()))
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    private static boolean anyProviderKeySet() {
        return java.util.stream.Stream.of("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                "GROQ_API_KEY", "OPENROUTER_API_KEY", "DEEPSEEK_API_KEY")
                .anyMatch(name -> System.getenv(name) != null && !System.getenv(name).isBlank());
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0 || !"serve".equals(args.length > 0 ? args[0] : "")) {
            System.exit(code);
        }
    }
}
