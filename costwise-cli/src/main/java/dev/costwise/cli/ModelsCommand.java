package dev.costwise.cli;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.ModelRetirements;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ServiceTier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code costwise models}: the models the gateway would serve, with their prices and, for a model its provider
 * retires, the day it does ({@code RETIRES}: {@code 2026-11-30}, or {@code retired 2026-06-15} once past).
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models the gateway serves, with provider and price per 1M tokens.")
final class ModelsCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "YAML config (default: as serve)")
    Path config;

    @Option(names = "--catalog", description = "list the whole bundled catalog instead of the served models")
    boolean catalog;

    /** Today, to tell a retired model from one that retires later; a test sets a fixed one. */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        if (catalog) {
            // FLEX and PRIORITY: OpenAI's service tiers, input/output $ per 1M, where the catalog has them
            List<ModelInfo> all = EmbeddedDefaults.catalog().all();
            String names = "%-" + width(40, all.stream().map(ModelInfo::name)) + "s %-"
                    + width(12, all.stream().map(ModelInfo::provider)) + "s";
            System.out.printf(names + " %-9s %12s %12s %12s %10s %4s %14s %14s %18s%n", "MODEL", "PROVIDER",
                    "KIND", "INPUT $/1M", "CACHED $/1M", "OUTPUT $/1M", "CONTEXT", "TIER", "FLEX IN/OUT",
                    "PRIORITY IN/OUT", "RETIRES");
            for (ModelInfo m : all) {
                System.out.printf(names + " %-9s %12s %12s %12s %10d %4d %14s %14s %18s%n", m.name(), m.provider(),
                        m.kind().name().toLowerCase(java.util.Locale.ROOT),
                        m.pricing().map(p -> p.inputPerMillion().toString()).orElse("unpriced"),
                        m.pricing().map(p -> p.cachedInputPerMillion().toString()).orElse("unpriced"),
                        m.pricing().map(p -> p.outputPerMillion().toString()).orElse("unpriced"),
                        m.contextWindow(), m.tier(), tierPrices(m, ServiceTier.FLEX),
                        tierPrices(m, ServiceTier.PRIORITY), retires(m.retiresOn()));
            }
            return 0;
        }
        GatewayConfig cfg;
        try {
            cfg = ConfigSource.load(Optional.ofNullable(config));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("costwise: " + e.getMessage());
            return 2;
        }
        // Prompt-cache reads and writes have their own prices: a cached prefix can cost a tenth of plain input.
        String names = "%-" + width(34, cfg.models().stream().map(GatewayConfig.Model::name)) + "s %-"
                + width(12, cfg.models().stream().map(ModelsCommand::providerLabel)) + "s";
        System.out.printf(names + " %12s %12s %12s %12s %10s %18s%n", "MODEL", "PROVIDER", "INPUT $/1M",
                "CACHED $/1M", "WRITE5M $/1M", "OUTPUT $/1M", "CONTEXT", "RETIRES");
        for (GatewayConfig.Model m : cfg.models()) {
            // a model configured on a service tier (flex) pays that tier's prices: show those, and the tier
            ServiceTier tier = m.serviceTier().orElse(ServiceTier.STANDARD);
            Optional<Pricing> p = m.effectivePrice().map(x -> x.onTier(tier));
            System.out.printf(names + " %12s %12s %12s %12s %10d %18s%n", m.name(), providerLabel(m),
                    p.map(x -> x.inputPerMillion().toString()).orElse("unpriced"),
                    p.map(x -> x.cachedInputPerMillion().toString()).orElse("unpriced"),
                    p.map(x -> x.cacheWrite5mPerMillion().toString()).orElse("unpriced"),
                    p.map(x -> x.outputPerMillion().toString()).orElse("unpriced"), m.contextWindow(),
                    retires(ModelRetirements.retiresOn(m)));
        }
        if (cfg.simulated()) {
            System.out.println("(no provider key found: these names are served by the sim provider)");
        }
        return 0;
    }

    /** @return "-" when no retirement is known, the day, or "retired" and the day once it has come */
    private String retires(Optional<LocalDate> day) {
        LocalDate today = LocalDate.now(clock);
        return day.map(d -> d.isAfter(today) ? d.toString() : "retired " + d).orElse("-");
    }

    /** @return the model's provider, and the service tier it is configured on if any ({@code openai/flex}) */
    private static String providerLabel(GatewayConfig.Model m) {
        return m.provider() + m.serviceTier().map(t -> "/" + t.wireName()).orElse("");
    }

    /** @return the width of a column holding {@code values}: the longest of them, at least {@code least} */
    private static int width(int least, Stream<String> values) {
        return Math.max(least, values.mapToInt(String::length).max().orElse(0));
    }

    /** @return "in/out" on that tier, or "-" when the catalog sells the model on it at no price of its own */
    private static String tierPrices(ModelInfo m, ServiceTier tier) {
        return m.pricing().map(p -> p.serviceTiers().get(tier))
                .map(t -> t.inputPerMillion() + "/" + t.outputPerMillion()).orElse("-");
    }
}
