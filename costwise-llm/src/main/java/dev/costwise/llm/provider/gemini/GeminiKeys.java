package dev.costwise.llm.provider.gemini;

import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.BaseUrls;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * The base URL and API key settings shared by the Gemini chat and embedding builders. Not thread-safe; the key never
 * leaves this class except through {@link #requireKey(String)}.
 */
final class GeminiKeys {

    private URI baseUrl = GeminiChatModel.DEFAULT_BASE_URL;
    private ApiKey apiKey;
    private Map<String, String> environment = System.getenv();

    void baseUrl(URI value) {
        this.baseUrl = BaseUrls.require(value);
    }

    URI baseUrl() {
        return baseUrl;
    }

    void apiKey(ApiKey value) {
        this.apiKey = Objects.requireNonNull(value, "apiKey");
    }

    void environment(Map<String, String> value) {
        this.environment = Map.copyOf(value);
    }

    /**
     * @param model the model, named in the error
     * @return the key given, else the first of {@link GeminiChatModel#API_KEY_ENVS} that is set
     * @throws IllegalStateException if there is none
     */
    ApiKey requireKey(String model) {
        if (apiKey != null) {
            return apiKey;
        }
        return ApiKey.fromEnvironment(environment, GeminiChatModel.API_KEY_ENVS).orElseThrow(() ->
                new IllegalStateException("no Gemini API key: set " + String.join(" or ", GeminiChatModel.API_KEY_ENVS)
                        + " or call apiKey(...) for model " + model));
    }

    static URI resolve(URI base, String path) {
        return BaseUrls.resolve(base, path);
    }
}
