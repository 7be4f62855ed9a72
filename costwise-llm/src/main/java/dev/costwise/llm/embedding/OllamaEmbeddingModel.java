package dev.costwise.llm.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.ollama.OllamaHost;
import dev.costwise.llm.provider.openai.OpenAiErrorMapper;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Embeddings from Ollama's {@code /api/embed} (vectors in input order; usage from {@code prompt_eval_count}).
 *
 * @see <a href="https://docs.ollama.com/api/embed">Ollama: generate embeddings</a>
 */
public final class OllamaEmbeddingModel extends AbstractHttpEmbeddingModel {

    private final URI baseUrl;
    private final OpenAiWire json = new OpenAiWire();

    private OllamaEmbeddingModel(AdapterSettings settings, URI baseUrl) {
        super(settings);
        this.baseUrl = baseUrl;
    }

    /**
     * Starts an Ollama embedding model.
     *
     * @param model the model tag, such as {@code all-minilm} or {@code nomic-embed-text}
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    @Override
    Vectors doEmbed(EmbeddingRequest request) {
        ObjectNode body = json.mapper().createObjectNode();
        body.put("model", name());
        ArrayNode input = body.putArray("input");
        request.inputs().forEach(input::add);
        request.dimensions().ifPresent(d -> body.put("dimensions", d));
        long start = System.nanoTime();
        HttpResult result = send(HttpCall.postJson(URI.create(baseUrl + "/api/embed"), Map.of(), json.bytes(body)));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        JsonNode root;
        try {
            root = json.parse(result.body());
        } catch (WireFormatException e) {
            if (!result.isSuccess()) {
                throw OpenAiErrorMapper.map(details(result.status(), result.headers()), result.status(),
                        Optional.empty(), result.bodyText(), Optional.empty(), elapsed, Optional.empty());
            }
            throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                    e.getMessage(), e);
        }
        if (!result.isSuccess()) {
            throw OpenAiErrorMapper.map(details(result.status(), result.headers()), result.status(),
                    json.readError(root), result.bodyText(), Optional.empty(), elapsed, Optional.empty());
        }
        if (json.readError(root).isPresent()) {
            throw OpenAiErrorMapper.mapInBody(details(result.status(), result.headers()), json.readError(root).get(),
                    Optional.empty(), elapsed, Optional.empty());
        }
        JsonNode vectors = root.path("embeddings");
        if (!vectors.isArray()) {
            throw new ProviderException.MalformedResponse(details(result.status(), result.headers()),
                    "embeddings: expected an array of vectors", null);
        }
        List<Embedding> out = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            JsonNode vec = vectors.get(i);
            float[] v = new float[vec.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) vec.get(j).asDouble();
            }
            out.add(new Embedding(i, v));
        }
        Optional<Usage> usage = root.has("prompt_eval_count")
                ? Optional.of(Usage.of(root.path("prompt_eval_count").asLong(), 0)) : Optional.empty();
        return new Vectors(out, Optional.ofNullable(root.path("model").asText(null)), usage);
    }

    /** Builds an {@link OllamaEmbeddingModel}. Not thread-safe. */
    public static final class Builder {
        private final AdapterSettings.Builder settings;
        private URI baseUrl;
        private Map<String, String> environment;

        private Builder(String model) {
            this.settings = AdapterSettings.builder("ollama", model);
        }

        /**
         * Sets the server. Default: {@code OLLAMA_HOST}, else {@code http://localhost:11434}.
         *
         * @param url the base URL, or a host:port
         * @return this builder
         * @throws IllegalArgumentException if it is not a host or an absolute http(s) URL
         */
        public Builder baseUrl(String url) {
            this.baseUrl = OllamaHost.parse(url);
            return this;
        }

        /**
         * Sets the server, as {@link #baseUrl(String)}.
         *
         * @param url an absolute http(s) URL
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming it)
         */
        public Builder baseUrl(URI url) {
            this.baseUrl = OllamaHost.of(url);
            return this;
        }

        /** @param env where {@code OLLAMA_HOST} is read; @return this builder */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** @param transport the shared HTTP transport; @return this builder */
        public Builder transport(HttpTransport transport) {
            settings.transport(transport);
            return this;
        }

        /** @param pricer prices each call (required; normally LOCAL); @return this builder */
        public Builder pricer(Pricer pricer) {
            settings.pricer(pricer);
            return this;
        }

        /** @param estimator counts tokens when none are reported; @return this builder */
        public Builder tokenEstimator(TokenEstimator estimator) {
            settings.tokenEstimator(estimator);
            return this;
        }

        /**
         * @return the model
         * @throws IllegalStateException if no pricer was set
         */
        public OllamaEmbeddingModel build() {
            URI url = baseUrl != null ? baseUrl
                    : OllamaHost.fromEnvironment(environment != null ? environment : System.getenv());
            return new OllamaEmbeddingModel(settings.build(), url);
        }
    }
}
