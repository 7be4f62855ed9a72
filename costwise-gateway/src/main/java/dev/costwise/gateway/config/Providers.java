package dev.costwise.gateway.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The providers the gateway can reach, their default base URLs and the environment variable of their key. */
public final class Providers {
    /** Providers served by native adapters (Messages API, generateContent), not by OpenAI pass-through. */
    public static final java.util.Set<String> NATIVE = java.util.Set.of("anthropic", "gemini");
    /** Providers with no embeddings API: their models serve chat only. */
    public static final java.util.Set<String> WITHOUT_EMBEDDINGS = java.util.Set.of("anthropic");
    /** The simulator: answers locally, costs nothing real. */
    public static final String SIM = "sim";

    private static final Map<String, Known> KNOWN = new LinkedHashMap<>();

    static {
        add("openai", "https://api.openai.com/v1", "OPENAI_API_KEY");
        add("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY");
        add("gemini", "https://generativelanguage.googleapis.com", "GEMINI_API_KEY");
        add("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY");
        add("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY");
        add("deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY");
        add("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY");
        add("huggingface", "https://router.huggingface.co/v1", "HF_TOKEN");
        add("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY");
        add("ollama", "http://localhost:11434/v1", "");
        add("openai-compatible", "", "");
        add(SIM, "", "");
    }

    private Providers() {}

    private static void add(String id, String baseUrl, String keyEnv) {
        KNOWN.put(id, new Known(id, baseUrl, keyEnv));
    }

    /** @return the provider with that id, if the gateway knows it */
    public static Optional<Known> find(String id) {
        return Optional.ofNullable(KNOWN.get(id));
    }

    /** @return the known provider ids, comma separated, for error messages */
    public static String knownIds() {
        return String.join(", ", KNOWN.keySet());
    }

    /**
     * A provider the gateway knows.
     *
     * @param id its id
     * @param defaultBaseUrl its OpenAI-compatible base URL; empty when it must be configured
     * @param keyEnv the environment variable its SDKs read the key from; empty when it needs none
     */
    public record Known(String id, String defaultBaseUrl, String keyEnv) {}
}
