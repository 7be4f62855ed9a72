package dev.costwise.gateway.config;

import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.Server;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.cost.CatalogPricer;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration {@code costwise serve} uses when no file is given: providers detected from the environment
 * variables their official SDKs read, else the {@code sim} provider under the same model names.
 *
 * <p>Detected: {@code OPENAI_API_KEY} (and {@code OPENAI_BASE_URL}), {@code ANTHROPIC_API_KEY} (and
 * {@code ANTHROPIC_BASE_URL}), {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY}, {@code GROQ_API_KEY},
 * {@code OPENROUTER_API_KEY}, {@code HF_TOKEN}, {@code OLLAMA_HOST}. Model names and prices come from the bundled
 * catalog; a model its provider has retired is left out. {@code UPSTREAM_BASE_URL} (the bench harness) proxies OpenAI
 * chat completions to that URL, with or without a key. The master key comes from {@code COSTWISE_MASTER_KEY}; the
 * ledger lives in {@code ./costwise-data/}.
 */
public final class EmbeddedDefaults {
    /** The ledger of the embedded default. */
    public static final String LEDGER_URL = "jdbc:sqlite:./costwise-data/ledger.db";

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDefaults.class);

    private EmbeddedDefaults() {}

    /**
     * Builds the default configuration from the environment.
     *
     * @param env the environment lookup
     * @return the config; {@link GatewayConfig#simulated()} is {@code true} when no provider was found
     */
    public static GatewayConfig fromEnvironment(Function<String, String> env) {
        return fromEnvironment(env, Clock.systemUTC());
    }

    /**
     * Builds the default configuration from the environment, leaving out a detected provider's models that are
     * retired on {@code clock}'s day (their calls would only fail).
     *
     * @param env the environment lookup
     * @param clock today, for the catalog's {@code retiresOn} dates
     * @return the config; {@link GatewayConfig#simulated()} is {@code true} when no provider was found
     */
    public static GatewayConfig fromEnvironment(Function<String, String> env, Clock clock) {
        LocalDate today = LocalDate.now(clock);
        List<Model> models = new ArrayList<>();
        Optional<String> upstream = nonBlank(env.apply("UPSTREAM_BASE_URL"))
                .or(() -> nonBlank(env.apply("OPENAI_BASE_URL")));
        Optional<String> openAiKey = nonBlank(env.apply("OPENAI_API_KEY"));
        if (upstream.isPresent() || openAiKey.isPresent()) {
            add(models, today, "openai", upstream.orElse("https://api.openai.com/v1"), openAiKey,
                    "OPENAI_API_KEY");
        }
        nonBlank(env.apply("ANTHROPIC_API_KEY")).ifPresent(k -> add(models, today, "anthropic",
                nonBlank(env.apply("ANTHROPIC_BASE_URL")).orElse("https://api.anthropic.com"), Optional.of(k),
                "ANTHROPIC_API_KEY"));
        nonBlank(env.apply("GEMINI_API_KEY")).or(() -> nonBlank(env.apply("GOOGLE_API_KEY"))).ifPresent(k -> add(
                models, today, "gemini", "https://generativelanguage.googleapis.com", Optional.of(k),
                env.apply("GEMINI_API_KEY") != null ? "GEMINI_API_KEY" : "GOOGLE_API_KEY"));
        nonBlank(env.apply("GROQ_API_KEY")).ifPresent(k -> add(models, today, "groq",
                "https://api.groq.com/openai/v1", Optional.of(k), "GROQ_API_KEY"));
        nonBlank(env.apply("OPENROUTER_API_KEY")).ifPresent(k -> add(models, today, "openrouter",
                "https://openrouter.ai/api/v1", Optional.of(k), "OPENROUTER_API_KEY"));
        nonBlank(env.apply("HF_TOKEN")).ifPresent(k -> add(models, today, "huggingface",
                "https://router.huggingface.co/v1", Optional.of(k), "HF_TOKEN"));
        nonBlank(env.apply("OLLAMA_HOST")).ifPresent(h -> add(models, today, "ollama",
                (h.startsWith("http") ? h : "http://" + h).replaceAll("/+$", "") + "/v1", Optional.empty(), ""));
        boolean simulated = models.isEmpty();
        if (simulated) {
            for (ModelInfo m : CATALOG.all()) {
                if (m.pricing().isPresent() && !m.provider().equals("ollama")) {
                    models.add(new Model(m.name(), Providers.SIM, m.name(), Optional.empty(), Optional.empty(), "",
                            m.pricing(), m.contextWindow(), Math.max(1, m.maxOutputTokens())));
                }
            }
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        return new GatewayConfig(Server.ofDefaults(), nonBlank(env.apply(ConfigLoader.MASTER_KEY_ENV)),
                Optional.of(LEDGER_URL), Optional.of(GatewayConfig.DEFAULT_LEDGER_RETENTION), models, aliases,
                Map.of(), Pipeline.ofDefaults(), Map.of(), List.of(), List.of(), List.of(), List.of(), simulated,
                Map.of());
    }

    /** @return the catalog the default models and prices come from */
    public static ModelCatalog catalog() {
        return CATALOG;
    }

    /**
     * The catalog entry the multi-model workflow ranks a configured model by (its tier and capabilities): the
     * catalog's entry for its name, else for its upstream id.
     *
     * @param name the configured model's name
     * @param upstreamModel its upstream id
     * @return the entry; empty when the catalog knows neither
     */
    public static Optional<ModelInfo> workflowEntry(String name, String upstreamModel) {
        return CATALOG.find(name).or(() -> CATALOG.find(upstreamModel));
    }

    /**
     * The price of a model the config gives none for: the bundled catalog's price of its upstream id, or of the id
     * under its provider's prefix (OpenRouter's {@code openai/gpt-4o-mini} is the catalog's
     * {@code openrouter/openai/gpt-4o-mini}), else free for a local provider (Ollama, vLLM...).
     *
     * @param provider the model's provider id
     * @param upstreamModel the id the provider knows the model by
     * @return the price, or empty when nothing is known: such a model cannot be billed
     */
    public static Optional<Pricing> knownPrice(String provider, String upstreamModel) {
        return catalogEntries(provider, upstreamModel).stream().flatMap(m -> m.pricing().stream()).findFirst()
                .or(() -> CatalogPricer.DEFAULT_LOCAL_PROVIDERS.contains(provider) ? Optional.of(Pricing.FREE)
                        : Optional.empty());
    }

    /**
     * The bundled catalog's entries a configured model may be listed under, in the order they are tried: its
     * upstream id, then the id under its provider's prefix (OpenRouter's {@code openai/gpt-4o-mini}).
     *
     * @param provider the model's provider
     * @param upstreamModel the model's upstream id
     * @return the entries found, first match first
     */
    static List<ModelInfo> catalogEntries(String provider, String upstreamModel) {
        return Stream.of(upstreamModel, provider + "/" + upstreamModel).flatMap(n -> CATALOG.find(n).stream())
                .toList();
    }

    /**
     * Adds the catalog's models of a detected provider. A model the catalog gives no price for is left out, and
     * named in a warning: its calls would be billed $0 and no budget could hold them.
     */
    private static void add(List<Model> models, LocalDate today, String provider, String baseUrl,
            Optional<String> key, String env) {
        List<String> unpriced = new ArrayList<>();
        List<String> retired = new ArrayList<>();
        for (ModelInfo m : CATALOG.all()) {
            if (!m.provider().equals(provider)) {
                continue;
            }
            if (m.isRetiredOn(today)) {
                retired.add(m.name());
                continue;
            }
            Optional<Pricing> price = m.pricing().or(() -> knownPrice(provider, m.upstreamModel()));
            if (price.isEmpty()) {
                unpriced.add(m.name());
                continue;
            }
            models.add(new Model(m.name(), provider, m.upstreamModel(), key, env.isEmpty() ? Optional.empty()
                    : Optional.of(env), baseUrl.replaceAll("/+$", ""), price, m.contextWindow(),
                    Math.max(1, m.maxOutputTokens())));
        }
        if (!retired.isEmpty()) {
            LOG.info("Not serving {} (provider {}): retired by the provider (costwise models lists the dates).",
                    String.join(", ", retired), provider);
        }
        if (!unpriced.isEmpty()) {
            LOG.warn("Not serving {} (provider {}): the catalog has no price for them, so their calls could not be "
                    + "billed or held to a budget. To serve them, give each a price in a config file (costwise serve "
                    + "--config FILE; see config/costwise.example.yaml).", String.join(", ", unpriced), provider);
        }
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }
}
