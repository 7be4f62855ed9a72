package dev.costwise.gateway.config;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.Price;
import dev.costwise.gateway.config.GatewayConfig.Server;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The configuration {@code costwise serve} uses when no file is given: providers detected from the environment
 * variables their official SDKs read, else the {@code sim} provider under the same model names.
 *
 * <p>Detected: {@code OPENAI_API_KEY} (and {@code OPENAI_BASE_URL}), {@code ANTHROPIC_API_KEY},
 * {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY}, {@code GROQ_API_KEY}, {@code OPENROUTER_API_KEY}, {@code HF_TOKEN},
 * {@code OLLAMA_HOST}. {@code UPSTREAM_BASE_URL} (the bench harness) proxies OpenAI chat completions to that URL, with
 * or without a key. The master key comes from {@code COSTWISE_MASTER_KEY}; the ledger lives in
 * {@code ./costwise-data/}.
 */
public final class EmbeddedDefaults {
    /** The ledger of the embedded default. */
    public static final String LEDGER_URL = "jdbc:sqlite:./costwise-data/ledger.db";

    private record Known(String provider, String name, String input, String output, int window) {}

    /** Well-known models per provider, with list prices per 1M tokens (Nov 2026) used until a catalog is wired. */
    private static final List<Known> KNOWN = List.of(
            new Known("openai", "gpt-4o-mini", "0.15", "0.60", 128_000),
            new Known("openai", "gpt-4o", "2.50", "10.00", 128_000),
            new Known("openai", "gpt-4.1", "2.00", "8.00", 1_047_576),
            new Known("openai", "gpt-4.1-mini", "0.40", "1.60", 1_047_576),
            new Known("openai", "gpt-4.1-nano", "0.10", "0.40", 1_047_576),
            new Known("anthropic", "claude-sonnet-4-5", "3.00", "15.00", 200_000),
            new Known("anthropic", "claude-haiku-4-5", "1.00", "5.00", 200_000),
            new Known("gemini", "gemini-2.5-pro", "1.25", "10.00", 1_048_576),
            new Known("gemini", "gemini-2.5-flash", "0.30", "2.50", 1_048_576),
            new Known("gemini", "gemini-2.0-flash", "0.10", "0.40", 1_048_576),
            new Known("groq", "llama-3.1-8b-instant", "0.05", "0.08", 131_072),
            new Known("groq", "llama-3.3-70b-versatile", "0.59", "0.79", 131_072),
            new Known("openrouter", "openrouter/auto", "0", "0", 128_000),
            new Known("huggingface", "meta-llama/Llama-3.1-8B-Instruct", "0", "0", 128_000),
            new Known("ollama", "llama3.2", "0", "0", 128_000));

    private EmbeddedDefaults() {}

    /**
     * Builds the default configuration from the environment.
     *
     * @param env the environment lookup
     * @return the config; {@link GatewayConfig#simulated()} is {@code true} when no provider was found
     */
    public static GatewayConfig fromEnvironment(Function<String, String> env) {
        List<Model> models = new ArrayList<>();
        Optional<String> upstream = nonBlank(env.apply("UPSTREAM_BASE_URL"))
                .or(() -> nonBlank(env.apply("OPENAI_BASE_URL")));
        Optional<String> openAiKey = nonBlank(env.apply("OPENAI_API_KEY"));
        if (upstream.isPresent() || openAiKey.isPresent()) {
            add(models, "openai", upstream.orElse("https://api.openai.com/v1"), openAiKey, "OPENAI_API_KEY");
        }
        nonBlank(env.apply("ANTHROPIC_API_KEY")).ifPresent(k -> add(models, "anthropic",
                nonBlank(env.apply("ANTHROPIC_BASE_URL")).map(u -> u.endsWith("/v1") ? u : u + "/v1")
                        .orElse("https://api.anthropic.com/v1"), Optional.of(k), "ANTHROPIC_API_KEY"));
        nonBlank(env.apply("GEMINI_API_KEY")).or(() -> nonBlank(env.apply("GOOGLE_API_KEY"))).ifPresent(k -> add(
                models, "gemini", "https://generativelanguage.googleapis.com/v1beta/openai", Optional.of(k),
                env.apply("GEMINI_API_KEY") != null ? "GEMINI_API_KEY" : "GOOGLE_API_KEY"));
        nonBlank(env.apply("GROQ_API_KEY")).ifPresent(k -> add(models, "groq", "https://api.groq.com/openai/v1",
                Optional.of(k), "GROQ_API_KEY"));
        nonBlank(env.apply("OPENROUTER_API_KEY")).ifPresent(k -> add(models, "openrouter",
                "https://openrouter.ai/api/v1", Optional.of(k), "OPENROUTER_API_KEY"));
        nonBlank(env.apply("HF_TOKEN")).ifPresent(k -> add(models, "huggingface", "https://router.huggingface.co/v1",
                Optional.of(k), "HF_TOKEN"));
        nonBlank(env.apply("OLLAMA_HOST")).ifPresent(h -> add(models, "ollama",
                (h.startsWith("http") ? h : "http://" + h).replaceAll("/+$", "") + "/v1", Optional.empty(), ""));
        boolean simulated = models.isEmpty();
        if (simulated) {
            for (Known k : KNOWN) {
                models.add(new Model(k.name(), Providers.SIM, k.name(), Optional.empty(), Optional.empty(), "",
                        Optional.of(price(k)), k.window(), 4096));
            }
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        return new GatewayConfig(Server.ofDefaults(), nonBlank(env.apply("COSTWISE_MASTER_KEY")),
                Optional.of(LEDGER_URL), models, aliases, Map.of(), Pipeline.ofDefaults(), Map.of(), List.of(),
                List.of(), List.of(), List.of(), simulated);
    }

    /** @return the price of a well-known model name, if this list has it */
    public static Optional<Price> knownPrice(String name) {
        return KNOWN.stream().filter(k -> k.name().equals(name)).findFirst().map(EmbeddedDefaults::price);
    }

    private static void add(List<Model> models, String provider, String baseUrl, Optional<String> key, String env) {
        for (Known k : KNOWN) {
            if (k.provider().equals(provider)) {
                models.add(new Model(k.name(), provider, k.name(), key, env.isEmpty() ? Optional.empty()
                        : Optional.of(env), baseUrl.replaceAll("/+$", ""), Optional.of(price(k)), k.window(), 4096));
            }
        }
    }

    private static Price price(Known k) {
        return new Price(Money.of(k.input()), Money.of(k.input()), Money.of(k.output()));
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }
}
