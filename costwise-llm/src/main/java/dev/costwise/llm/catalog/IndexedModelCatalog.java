package dev.costwise.llm.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An immutable catalog indexed by lower-cased name and alias. */
final class IndexedModelCatalog implements ModelCatalog {

    private static final String LATEST_TAG = ":latest";

    private final List<ModelInfo> models;
    private final Map<String, ModelInfo> byName;
    private final List<String> knownNames;

    /**
     * @param models the entries, in order
     * @throws IllegalArgumentException if two entries share a name or alias, naming both
     */
    IndexedModelCatalog(List<ModelInfo> models) {
        this.models = List.copyOf(models);
        Map<String, ModelInfo> index = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (ModelInfo m : this.models) {
            put(index, m.name(), m);
            names.add(m.name());
        }
        for (ModelInfo m : this.models) {
            for (String alias : m.aliases().stream().sorted().toList()) {
                put(index, alias, m);
                names.add(alias);
            }
        }
        this.byName = Map.copyOf(index);
        this.knownNames = List.copyOf(names);
    }

    private static void put(Map<String, ModelInfo> index, String key, ModelInfo model) {
        ModelInfo previous = index.putIfAbsent(key.toLowerCase(Locale.ROOT), model);
        if (previous != null && previous != model) {
            throw new IllegalArgumentException("model name or alias '" + key + "' of '" + model.name()
                    + "' is already used by '" + previous.name() + "'");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A name with Ollama's default tag, {@code name:latest}, that no entry lists is the entry of {@code name}:
     * Ollama pulls {@code llama3.2} as {@code llama3.2:latest}, and knows it by both.
     */
    @Override
    public Optional<ModelInfo> find(String nameOrAlias) {
        Objects.requireNonNull(nameOrAlias, "nameOrAlias");
        String key = nameOrAlias.toLowerCase(Locale.ROOT);
        ModelInfo found = byName.get(key);
        if (found == null && key.endsWith(LATEST_TAG) && key.length() > LATEST_TAG.length()) {
            found = byName.get(key.substring(0, key.length() - LATEST_TAG.length()));
        }
        return Optional.ofNullable(found);
    }

    @Override
    public ModelInfo require(String nameOrAlias) {
        return find(nameOrAlias)
                .orElseThrow(() -> new UnknownModelException(nameOrAlias, ModelNames.closest(nameOrAlias, knownNames)));
    }

    @Override
    public List<ModelInfo> all() {
        return models;
    }

    @Override
    public String toString() {
        return "ModelCatalog[" + models.size() + " models]";
    }
}
