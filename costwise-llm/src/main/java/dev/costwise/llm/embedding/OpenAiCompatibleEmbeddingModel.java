package dev.costwise.llm.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.RateLimitListener;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.provider.openai.OpenAiErrorMapper;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireError;
import dev.costwise.llm.wire.WireFormatException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Embeddings from an OpenAI-compatible {@code /embeddings} endpoint (OpenAI, Together, the Hugging Face router,
 * OpenRouter, vLLM…), as floats. Errors are mapped like chat errors ({@link OpenAiErrorMapper}).
 *
 * <pre>{@code
 * EmbeddingModel small = OpenAiCompatibleEmbeddingModel
 *     .builder(OpenAiCompatibleEndpoint.OPENAI, "text-embedding-3-small").pricer(pricer).build();
 * }</pre>
 *
 * @see <a href="https://platform.openai.com/docs/api-reference/embeddings/create">OpenAI: create embeddings</a>
 */
public final class OpenAiCompatibleEmbeddingModel extends AbstractHttpEmbeddingModel {

    private final OpenAiCompatibleEndpoint endpoint;
    private final Optional<ApiKey> apiKey;
    private final OpenAiWire wire;

    private OpenAiCompatibleEmbeddingModel(AdapterSettings settings, OpenAiCompatibleEndpoint endpoint,
            Optional<ApiKey> apiKey, OpenAiWire wire) {
        super(settings);
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.wire = wire;
    }

    /**
     * Starts an embedding model at {@code endpoint}.
     *
     * @param endpoint the provider
     * @param model the embedding model name
     * @return a builder
     */
    public static Builder builder(OpenAiCompatibleEndpoint endpoint, String model) {
        return new Builder(endpoint, model);
    }

    @Override
    Vectors doEmbed(EmbeddingRequest request) {
        ObjectNode body = wire.mapper().createObjectNode();
        body.put("model", name());
        ArrayNode input = body.putArray("input");
        request.inputs().forEach(input::add);
        body.put("encoding_format", "float");
        request.dimensions().ifPresent(d -> body.put("dimensions", d));
        request.user().ifPresent(u -> body.put("user", u));
        Map<String, String> headers = new LinkedHashMap<>();
        apiKey.ifPresent(k -> headers.put("Authorization", "Bearer " + k.reveal()));
        long start = System.nanoTime();
        HttpResult result = send(HttpCall.postJson(endpoint.resolve("/embeddings"), headers, wire.bytes(body)));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        JsonNode root;
        try {
            root = wire.parse(result.body());
        } catch (WireFormatException e) {
            if (!result.isSuccess()) {
                throw OpenAiErrorMapper.map(details(result.status(), result.headers()), result.status(),
                        Optional.empty(), result.bodyText(), retryAfter(result), elapsed, apiKey);
            }
            throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                    e.getMessage(), e);
        }
        Optional<WireError> error = wire.readError(root);
        if (!result.isSuccess()) {
            throw OpenAiErrorMapper.map(details(result.status(), result.headers()), result.status(), error,
                    result.bodyText(), retryAfter(result), elapsed, apiKey);
        }
        if (error.isPresent()) {
            throw OpenAiErrorMapper.mapInBody(details(result.status(), result.headers()), error.get(),
                    retryAfter(result), elapsed, apiKey);
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                    "data: expected an array of embeddings", null);
        }
        List<Embedding> out = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            JsonNode vec = item.path("embedding");
            if (!vec.isArray()) {
                throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                        "data[" + i + "].embedding: expected an array of numbers", null);
            }
            float[] v = new float[vec.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) vec.get(j).asDouble();
            }
            out.add(new Embedding(item.path("index").asInt(i), v));
        }
        out.sort(Comparator.comparingInt(Embedding::index));
        JsonNode u = root.get("usage");
        Optional<Usage> usage = u == null || u.isNull() ? Optional.empty()
                : Optional.of(Usage.of(u.path("prompt_tokens").asLong(u.path("total_tokens").asLong(0)), 0));
        return new Vectors(out, Optional.ofNullable(root.path("model").asText(null)), usage);
    }

    private Optional<Duration> retryAfter(HttpResult result) {
        return RateLimitHeaderParser.retryAfter(result.headers(), settings().clock().instant());
    }

    /** Builds an {@link OpenAiCompatibleEmbeddingModel}. Not thread-safe. */
    public static final class Builder {
        private OpenAiCompatibleEndpoint endpoint;
        private final AdapterSettings.Builder settings;
        private Optional<ApiKey> apiKey = Optional.empty();
        private Map<String, String> environment;

        private Builder(OpenAiCompatibleEndpoint endpoint, String model) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.settings = AdapterSettings.builder(endpoint.provider(), model);
        }

        /**
         * @param url the base URL, an absolute http(s) URL; wins over {@code OPENAI_BASE_URL}
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(String url) {
            this.endpoint = endpoint.withBaseUrl(url);
            return this;
        }

        /** @param url the base URL, as {@link #baseUrl(String)}; @return this builder */
        public Builder baseUrl(URI url) {
            this.endpoint = endpoint.withBaseUrl(url);
            return this;
        }

        /**
         * Sets the key, as {@link #apiKey(ApiKey)} does.
         *
         * @param key the key; default read from the endpoint's environment variables
         * @return this builder
         * @throws IllegalArgumentException if it is blank (the message does not contain it)
         */
        public Builder apiKey(String key) {
            return apiKey(ApiKey.of(key));
        }

        /** @param key the key; default read from the endpoint's environment variables; @return this builder */
        public Builder apiKey(ApiKey key) {
            this.apiKey = Optional.of(Objects.requireNonNull(key, "key"));
            return this;
        }

        /**
         * Sets the environment the key and {@code OPENAI_BASE_URL} are read from. Default {@link System#getenv()}.
         * The variable moves only an endpoint whose base URL was not set in code ({@link
         * OpenAiCompatibleEndpoint#withBaseUrl}).
         *
         * @param env the environment
         * @return this builder
         */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** @param transport the shared HTTP transport; @return this builder */
        public Builder transport(HttpTransport transport) {
            settings.transport(transport);
            return this;
        }

        /** @param pricer prices each call (required); @return this builder */
        public Builder pricer(Pricer pricer) {
            settings.pricer(pricer);
            return this;
        }

        /** @param listener receives rate-limit headers; @return this builder */
        public Builder rateLimitListener(RateLimitListener listener) {
            settings.rateLimitListener(listener);
            return this;
        }

        /** @param estimator counts tokens when no usage is reported; @return this builder */
        public Builder tokenEstimator(TokenEstimator estimator) {
            settings.tokenEstimator(estimator);
            return this;
        }

        /** @param clock the wall clock; @return this builder */
        public Builder clock(Clock clock) {
            settings.clock(clock);
            return this;
        }

        /**
         * @return the model
         * @throws IllegalStateException if no pricer was set, or a key is needed and none was found (naming the
         *     variables)
         */
        public OpenAiCompatibleEmbeddingModel build() {
            Map<String, String> env = environment != null ? environment : System.getenv();
            OpenAiCompatibleEndpoint ep = endpoint.withEnvironment(env);
            Optional<ApiKey> key = apiKey.or(() -> ApiKey.fromEnvironment(env,
                    ep.keyVariables().toArray(String[]::new)));
            if (key.isEmpty() && !ep.keyVariables().isEmpty()) {
                throw new IllegalStateException("no API key for " + ep.provider() + ": set "
                        + String.join(" or ", ep.keyVariables()) + ", or call apiKey(...)");
            }
            return new OpenAiCompatibleEmbeddingModel(settings.build(), ep, key, new OpenAiWire());
        }
    }
}
