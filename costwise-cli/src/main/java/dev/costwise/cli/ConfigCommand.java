package dev.costwise.cli;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.ContextWindowWarnings;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.LedgerFileCheck;
import dev.costwise.gateway.config.ModelRetirements;
import dev.costwise.gateway.config.RouteTests;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code costwise config check FILE}: validates a config, warns of models their provider retired or retires within
 * {@value ModelRetirements#WARN_DAYS_AHEAD} days, and runs its routing tests.
 */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with config files.",
        subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: costwise config check FILE");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a config file: every problem with its path, a warning for each model its provider "
                    + "retired or retires within " + ModelRetirements.WARN_DAYS_AHEAD
                    + " days, then the routing tests in it.")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", description = "the YAML file")
        Path file;

        /** Today, for the retirement warnings; a test sets a fixed one. */
        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            GatewayConfig cfg;
            try {
                cfg = new ConfigLoader(System::getenv).load(file);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            // what would stop serve at start, found without creating anything
            Optional<String> ledger = cfg.ledgerUrl().flatMap(LedgerFileCheck::problem);
            if (ledger.isPresent()) {
                System.err.println(new ConfigException(file.toString(), List.of(ledger.get())).getMessage());
                return 1;
            }
            System.out.println(file + ": OK (" + cfg.models().size() + " models, " + cfg.pipelines().size()
                    + " pipelines, " + cfg.keys().size() + " keys, " + cfg.budgets().size() + " budgets)");
            // a warning, not a failure: the config still loads, and the model may answer until its date
            ModelRetirements.warnings(cfg, clock).forEach(w -> System.out.println("warning: " + w));
            ContextWindowWarnings.warnings(cfg).forEach(w -> System.out.println("warning: " + w));
            // serve warns of it too; beyond loopback the loader has already refused it
            ConfigLoader.masterKeyWarning(cfg.masterKey()).ifPresent(w -> System.out.println("warning: " + w));
            List<String> failures = RouteTests.run(cfg);
            System.out.println("routing tests: " + (cfg.tests().size() - failures.size()) + "/" + cfg.tests().size()
                    + " passed");
            failures.forEach(f -> System.out.println("  FAIL " + f));
            return failures.isEmpty() ? 0 : 1;
        }
    }
}
