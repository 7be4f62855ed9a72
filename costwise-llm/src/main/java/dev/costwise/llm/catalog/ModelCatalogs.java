package dev.costwise.llm.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Factories for {@link ModelCatalog}s: the bundled catalog, a catalog read from a JSON file, and a builder to add or
 * override models in code.
 *
 * <pre>{@code
 * ModelCatalog catalog = ModelCatalogs.builder()
 *     .from(ModelCatalogs.bundled())
 *     .override("gpt-4o", Pricing.of("2.00", "8.00"))        // a negotiated price
 *     .add(myFineTune)                                       // a model of your own
 *     .build();
 * }</pre>
 *
 * <p>The file format is documented in the bundled {@value #BUNDLED_RESOURCE}: prices are dollars per 1M tokens;
 * {@code "pricing": "free"} marks a free tier or local model ($0 within {@code freeTier}); {@code "pricing": null}
 * marks a model with no known price, which a pricer never treats as $0 unless told to. An entry may carry
 * {@code "retiresOn": "2026-11-30"}, the first day its provider no longer serves it ({@link ModelInfo#retiresOn()}).
 */
public final class ModelCatalogs {

    /** The classpath resource holding the bundled catalog. */
    public static final String BUNDLED_RESOURCE = "/dev/costwise/llm/catalog/costwise-models.json";

    private ModelCatalogs() {}

    /**
     * The catalog bundled with Costwise: OpenAI, Anthropic, Gemini, Groq, OpenRouter, DeepSeek, Mistral, Hugging Face
     * and Ollama models, each with its price source and date. Read afresh on every call; keep the instance.
     *
     * @return the catalog
     * @throws CatalogFormatException if the bundled file is invalid (a packaging bug)
     */
    public static ModelCatalog bundled() {
        try (InputStream in = ModelCatalogs.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new CatalogFormatException("bundled catalog " + BUNDLED_RESOURCE + " is not on the classpath");
            }
            return fromJson(in, "costwise-models.json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled catalog " + BUNDLED_RESOURCE, e);
        }
    }

    /**
     * Reads a catalog in the bundled file's format.
     *
     * @param json the file's content; not closed
     * @param sourceName the file's name, used in error messages
     * @return the catalog
     * @throws CatalogFormatException if the file is malformed, naming the entry and field
     */
    public static ModelCatalog fromJson(InputStream json, String sourceName) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(sourceName, "sourceName");
        CatalogJsonReader.Parsed parsed = new CatalogJsonReader(sourceName).read(json);
        try {
            return new IndexedModelCatalog(parsed.models());
        } catch (IllegalArgumentException e) {
            throw new CatalogFormatException(sourceName + ": " + e.getMessage(), e);
        }
    }

    /**
     * A catalog of exactly these models.
     *
     * @param models the entries, in order
     * @return the catalog
     * @throws IllegalArgumentException if two entries share a name or alias
     */
    public static ModelCatalog of(List<ModelInfo> models) {
        return new IndexedModelCatalog(models);
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a catalog from a base catalog plus additions and overrides. Not thread-safe; {@link #build()} may be
     * called again after further changes.
     */
    public static final class Builder {
        private final Map<String, ModelInfo> models = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds every model of {@code base}, replacing entries of the same name already in this builder.
         *
         * @param base a catalog, such as {@link #bundled()}
         * @return this builder
         */
        public Builder from(ModelCatalog base) {
            Objects.requireNonNull(base, "base");
            base.all().forEach(m -> models.put(key(m.name()), m));
            return this;
        }

        /**
         * Adds a model that is not in the builder yet.
         *
         * @param model the model
         * @return this builder
         * @throws IllegalStateException if a model of that name is already present (use {@link #replace})
         */
        public Builder add(ModelInfo model) {
            Objects.requireNonNull(model, "model");
            if (models.containsKey(key(model.name()))) {
                throw new IllegalStateException("model '" + model.name() + "' is already in the catalog; use replace()");
            }
            models.put(key(model.name()), model);
            return this;
        }

        /**
         * Adds a model, or replaces the one of the same name.
         *
         * @param model the model
         * @return this builder
         */
        public Builder replace(ModelInfo model) {
            Objects.requireNonNull(model, "model");
            models.put(key(model.name()), model);
            return this;
        }

        /**
         * Replaces the prices of a model already in the builder (a negotiated rate, a price change).
         *
         * @param nameOrAlias the model's name or one of its aliases
         * @param pricing the new prices
         * @return this builder
         * @throws UnknownModelException if no model in the builder has that name or alias
         */
        public Builder override(String nameOrAlias, Pricing pricing) {
            Objects.requireNonNull(pricing, "pricing");
            ModelInfo m = lookup(nameOrAlias);
            models.put(key(m.name()), new ModelInfo(m.name(), m.provider(), m.upstreamModel(), m.kind(),
                    java.util.Optional.of(pricing), m.contextWindow(), m.maxOutputTokens(), m.capabilities(),
                    m.freeTier(), m.tier(), m.aliases(), "override", m.priceAsOf(), m.retiresOn()));
            return this;
        }

        /**
         * Removes a model.
         *
         * @param nameOrAlias the model's name or one of its aliases
         * @return this builder
         * @throws UnknownModelException if no model in the builder has that name or alias
         */
        public Builder remove(String nameOrAlias) {
            models.remove(key(lookup(nameOrAlias).name()));
            return this;
        }

        /**
         * @return the catalog
         * @throws IllegalArgumentException if two models share a name or alias, naming both
         */
        public ModelCatalog build() {
            return new IndexedModelCatalog(new ArrayList<>(models.values()));
        }

        private ModelInfo lookup(String nameOrAlias) {
            Objects.requireNonNull(nameOrAlias, "nameOrAlias");
            return new IndexedModelCatalog(new ArrayList<>(models.values())).require(nameOrAlias);
        }

        private static String key(String name) {
            return name.toLowerCase(Locale.ROOT);
        }
    }
}
