package dev.costwise.llm.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The models Costwise knows: prices, windows, capabilities. The bundled catalog is loaded from
 * {@code costwise-models.json}; users override or add entries in code or config. {@link ModelCatalogs} makes
 * catalogs: {@link ModelCatalogs#bundled()}, {@link ModelCatalogs#fromJson}, {@link ModelCatalogs#of} and
 * {@link ModelCatalogs#builder()}.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface ModelCatalog {

    /**
     * Finds a model by catalog name or alias.
     *
     * @param nameOrAlias the name
     * @return the model, if known
     */
    Optional<ModelInfo> find(String nameOrAlias);

    /**
     * Finds a model or fails with a message that suggests the closest known names.
     *
     * @param nameOrAlias the name
     * @return the model
     * @throws UnknownModelException if no model has that name or alias
     */
    ModelInfo require(String nameOrAlias);

    /** @return every model, in catalog order */
    List<ModelInfo> all();

    /**
     * The catalog bundled with Costwise.
     *
     * @return the catalog
     * @deprecated use {@link ModelCatalogs#bundled()}: {@link ModelCatalogs} holds every catalog factory (bundled, from
     *     JSON, of a list, builder), so there is one way to name each; this shortcut does the same and will be removed
     */
    @Deprecated(since = "0.1.0")
    static ModelCatalog bundled() {
        return ModelCatalogs.bundled();
    }

    /**
     * A builder to combine, add and override models.
     *
     * @return an empty builder
     * @deprecated use {@link ModelCatalogs#builder()}, as in {@code
     *     ModelCatalogs.builder().from(ModelCatalogs.bundled()).add(myModel).override("gpt-4o", pricing).build()};
     *     this shortcut does the same and will be removed
     */
    @Deprecated(since = "0.1.0")
    static ModelCatalogs.Builder builder() {
        return ModelCatalogs.builder();
    }
}
