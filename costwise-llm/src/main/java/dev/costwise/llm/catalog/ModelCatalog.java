package dev.costwise.llm.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The models Costwise knows: prices, windows, capabilities. The bundled catalog is loaded from
 * {@code costwise-models.json}; users override or add entries in code or config.
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
     * The catalog bundled with Costwise; see {@link ModelCatalogs#bundled()}.
     *
     * @return the catalog
     */
    static ModelCatalog bundled() {
        return ModelCatalogs.bundled();
    }

    /**
     * A builder to combine, add and override models; see {@link ModelCatalogs#builder()}.
     *
     * <pre>{@code
     * ModelCatalog.builder().from(ModelCatalog.bundled()).add(myModel).override("gpt-4o", pricing).build();
     * }</pre>
     *
     * @return an empty builder
     */
    static ModelCatalogs.Builder builder() {
        return ModelCatalogs.builder();
    }
}
