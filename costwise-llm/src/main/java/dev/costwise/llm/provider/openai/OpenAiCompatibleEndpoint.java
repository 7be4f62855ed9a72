package dev.costwise.llm.provider.openai;

import dev.costwise.llm.provider.http.BaseUrls;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where an OpenAI-compatible provider lives and how it is addressed: its provider id, base URL (ending before
 * {@code /chat/completions}), the environment variables holding its key, whether it wants
 * {@code max_completion_tokens}, and the environment variable that may move it elsewhere.
 *
 * <p>A base URL set in code wins over the environment, as in the official SDKs: {@link #withBaseUrl} returns an
 * endpoint with no {@link #baseUrlVariable()}, so {@code OPENAI_BASE_URL} no longer applies to it.
 *
 * @param provider the provider id, such as {@code groq}
 * @param baseUrl the API base, such as {@code https://api.groq.com/openai/v1}
 * @param keyVariables environment variables that may hold the key, in order of preference; empty when the server
 *     needs no key (a local vLLM or llama.cpp server)
 * @param maxCompletionTokens write the output limit as {@code max_completion_tokens} (OpenAI) rather than
 *     {@code max_tokens}
 * @param baseUrlVariable the environment variable that, when set, replaces {@code baseUrl} ({@code OPENAI_BASE_URL}
 *     for {@link #OPENAI}); empty when the base URL was set explicitly or the provider has none
 */
public record OpenAiCompatibleEndpoint(String provider, URI baseUrl, List<String> keyVariables,
        boolean maxCompletionTokens, Optional<String> baseUrlVariable) {

    /**
     * Providers that want the output limit as {@code max_completion_tokens}: OpenAI's reasoning models refuse
     * {@code max_tokens}. Others keep {@code max_tokens}, which every compatible server reads: Groq and vLLM take
     * both, but Ollama's OpenAI API ignores the newer name (ollama/ollama#7125), so the limit would be lost. Declared
     * before the endpoints, which read it.
     */
    private static final Set<String> MAX_COMPLETION_TOKENS = Set.of("openai");

    /** OpenAI; {@code OPENAI_BASE_URL} moves it (to a proxy), as the official SDKs allow, unless moved in code. */
    public static final OpenAiCompatibleEndpoint OPENAI =
            new OpenAiCompatibleEndpoint("openai", URI.create("https://api.openai.com/v1"),
                    List.of("OPENAI_API_KEY"), wantsMaxCompletionTokens("openai"), Optional.of("OPENAI_BASE_URL"));
    /** Groq. */
    public static final OpenAiCompatibleEndpoint GROQ =
            of("groq", "https://api.groq.com/openai/v1", List.of("GROQ_API_KEY"), false);
    /** OpenRouter. */
    public static final OpenAiCompatibleEndpoint OPENROUTER =
            of("openrouter", "https://openrouter.ai/api/v1", List.of("OPENROUTER_API_KEY"), false);
    /** DeepSeek. */
    public static final OpenAiCompatibleEndpoint DEEPSEEK =
            of("deepseek", "https://api.deepseek.com", List.of("DEEPSEEK_API_KEY"), false);
    /** Together AI. */
    public static final OpenAiCompatibleEndpoint TOGETHER =
            of("together", "https://api.together.xyz/v1", List.of("TOGETHER_API_KEY"), false);
    /** Hugging Face inference router. */
    public static final OpenAiCompatibleEndpoint HUGGING_FACE =
            of("huggingface", "https://router.huggingface.co/v1", List.of("HF_TOKEN", "HUGGINGFACE_API_KEY"),
                    false);

    /** Providers whose OpenAI-format API refuses {@code top_k}. */
    private static final Set<String> NO_TOP_K = Set.of("openai", "groq", "deepseek", "mistral", "huggingface");

    public OpenAiCompatibleEndpoint {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(baseUrlVariable, "baseUrlVariable");
        keyVariables = List.copyOf(keyVariables);
        if (provider.isBlank()) {
            throw new IllegalArgumentException("provider cannot be blank");
        }
        BaseUrls.require(baseUrl);
        String s = baseUrl.toString();
        if (s.endsWith("/")) {
            baseUrl = URI.create(s.substring(0, s.length() - 1));
        }
    }

    /**
     * An endpoint no environment variable moves.
     *
     * @param provider the provider id
     * @param baseUrl the API base
     * @param keyVariables environment variables that may hold the key
     * @param maxCompletionTokens write the output limit as {@code max_completion_tokens}
     */
    public OpenAiCompatibleEndpoint(String provider, URI baseUrl, List<String> keyVariables,
            boolean maxCompletionTokens) {
        this(provider, baseUrl, keyVariables, maxCompletionTokens, Optional.empty());
    }

    /**
     * A self-hosted server (vLLM, llama.cpp server, LM Studio…) at {@code baseUrl}, with no key unless one is set on
     * the model builder.
     *
     * @param provider the provider id to report, such as {@code vllm}
     * @param baseUrl the base URL, such as {@code http://localhost:8000/v1}
     * @return the endpoint
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL
     */
    public static OpenAiCompatibleEndpoint custom(String provider, String baseUrl) {
        return of(provider, baseUrl, List.of(), false);
    }

    /**
     * This endpoint at the base URL the environment asks for: the value of its {@link #baseUrlVariable()}
     * ({@code OPENAI_BASE_URL} for {@link #OPENAI}) when that is set and not blank; otherwise unchanged. An endpoint
     * moved with {@link #withBaseUrl} has no such variable, so a base URL set in code wins over the environment.
     *
     * @param env the environment
     * @return the endpoint to use
     * @throws IllegalArgumentException if the variable's value is not an absolute http(s) URL
     */
    public OpenAiCompatibleEndpoint withEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        return baseUrlVariable.map(env::get).filter(u -> !u.isBlank()).map(u -> withBaseUrl(u.strip()))
                .orElse(this);
    }

    /**
     * This endpoint at another URL (a proxy, a test server). The URL is explicit: the environment no longer moves
     * the endpoint ({@link #baseUrlVariable()} is empty).
     *
     * @param url the base URL
     * @return the endpoint
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL
     */
    public OpenAiCompatibleEndpoint withBaseUrl(String url) {
        return withBaseUrl(BaseUrls.parse(url));
    }

    /**
     * This endpoint at another URL (a proxy, a test server), as {@link #withBaseUrl(String)}.
     *
     * @param url the base URL
     * @return the endpoint
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL
     */
    public OpenAiCompatibleEndpoint withBaseUrl(URI url) {
        return new OpenAiCompatibleEndpoint(provider, url, keyVariables, maxCompletionTokens, Optional.empty());
    }

    /**
     * The URI of a path under the base URL.
     *
     * @param path such as {@code /chat/completions}
     * @return the URI
     */
    public URI resolve(String path) {
        return BaseUrls.resolve(baseUrl, path);
    }

    /**
     * Whether a provider's OpenAI-format API refuses {@code top_k}: OpenAI's has no such field, and Groq, DeepSeek,
     * Mistral and Hugging Face's router follow it. OpenRouter, Together and self-hosted servers (vLLM, llama.cpp,
     * Ollama) sample with it.
     *
     * @param provider a provider id
     * @return {@code true} if a request to it must leave {@code top_k} out
     */
    public static boolean refusesTopK(String provider) {
        return NO_TOP_K.contains(provider);
    }

    /**
     * Whether a provider wants the output limit as {@code max_completion_tokens} rather than {@code max_tokens}:
     * OpenAI, whose reasoning models (o-series, gpt-5) refuse {@code max_tokens}, and whose other models read both.
     *
     * @param provider a provider id
     * @return {@code true} if a request to it must carry {@code max_completion_tokens}
     */
    public static boolean wantsMaxCompletionTokens(String provider) {
        return MAX_COMPLETION_TOKENS.contains(provider);
    }

    private static OpenAiCompatibleEndpoint of(String provider, String url, List<String> keys, boolean mct) {
        return new OpenAiCompatibleEndpoint(provider, BaseUrls.parse(url), keys, mct);
    }
}
