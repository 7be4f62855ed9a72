package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves the model names callers send: pipelines, aliases, groups and models, to the pipeline that applies and the
 * models that can serve it. Immutable and thread-safe.
 */
public final class ModelDirectory {
    private final GatewayConfig config;
    private final Map<String, Model> models = new LinkedHashMap<>();
    private final Map<String, ModelKind> kinds = new HashMap<>();
    private final Set<String> withoutReasoning = new HashSet<>();
    // Every name's models, worked out once: the config does not change, and each request looks names up.
    private final Map<String, List<Model>> expansions = new HashMap<>();
    private final Map<ModelKind, Map<String, List<Model>>> expansionsByKind = new EnumMap<>(ModelKind.class);

    /** @param config the configuration */
    public ModelDirectory(GatewayConfig config) {
        this.config = config;
        ModelCatalog catalog = EmbeddedDefaults.catalog();
        config.models().forEach(m -> {
            models.put(m.name(), m);
            catalog.find(m.upstreamModel()).ifPresent(info -> {
                kinds.put(m.name(), info.kind());
                if (!info.supports(Capability.REASONING)) {
                    withoutReasoning.add(m.name());
                }
            });
        });
        for (String name : callableNames()) {
            expansions.put(name, expandUncached(name));
        }
        for (ModelKind kind : ModelKind.values()) {
            Map<String, List<Model>> byName = new HashMap<>();
            expansions.forEach((name, list) -> byName.put(name, ofKind(list, kind)));
            expansionsByKind.put(kind, byName);
        }
    }

    /** @return every name a caller may send: pipelines, aliases, groups, models */
    public Set<String> callableNames() {
        Set<String> names = new LinkedHashSet<>(config.pipelines().keySet());
        names.addAll(models.keySet());
        names.addAll(config.groups().keySet());
        names.addAll(config.aliases().keySet());
        return names;
    }

    /** @return the pipeline that serves {@code name}, or empty if the name is unknown */
    public Optional<Pipeline> pipeline(String name) {
        Pipeline p = config.pipelines().get(name);
        if (p != null) {
            return Optional.of(p);
        }
        return isTarget(name) ? Optional.of(config.defaults()) : Optional.empty();
    }

    /** @return {@code true} if {@code name} is a pipeline with routes of its own */
    public boolean isPipeline(String name) {
        return config.pipelines().containsKey(name);
    }

    /**
     * @param model a configured model
     * @return {@code true} if the catalog knows its upstream model and it does not reason, so a reasoning setting
     *     must not reach it (providers refuse one for such a model, as OpenAI does for {@code gpt-4o-mini})
     */
    public boolean ignoresReasoning(Model model) {
        return withoutReasoning.contains(model.name());
    }

    /** @return the model of that exact configured name */
    public Optional<Model> model(String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** @return every configured model */
    public List<Model> models() {
        return List.copyOf(models.values());
    }

    /** @return the configuration */
    public GatewayConfig config() {
        return config;
    }

    /**
     * The models a name stands for, in the order to try them: a model is itself, a group its members, an alias its
     * target's; a pipeline name that is not also a model expands to nothing.
     *
     * @param name the name
     * @return the models, unmodifiable
     */
    public List<Model> expand(String name) {
        List<Model> known = expansions.get(name);
        return known != null ? known : expandUncached(name);
    }

    private List<Model> expandUncached(String name) {
        List<Model> out = new ArrayList<>();
        expandInto(name, out, 0);
        return List.copyOf(out);
    }

    /**
     * The models a name stands for that can serve {@code kind}: {@link #expand} without the models the catalog
     * knows to be of the other kind (a model the catalog does not know may serve either).
     *
     * @param name the name
     * @param kind chat or embedding
     * @return the models, in the order to try them, unmodifiable
     */
    public List<Model> expand(String name, ModelKind kind) {
        List<Model> known = expansionsByKind.get(kind).get(name);
        return known != null ? known : ofKind(expand(name), kind);
    }

    private List<Model> ofKind(List<Model> models, ModelKind kind) {
        return models.stream().filter(m -> kinds.getOrDefault(m.name(), kind) == kind).toList();
    }

    private void expandInto(String name, List<Model> out, int depth) {
        if (depth > 8) {
            return;
        }
        Model m = models.get(name);
        if (m != null) {
            if (!out.contains(m)) {
                out.add(m);
            }
            return;
        }
        List<String> group = config.groups().get(name);
        if (group != null) {
            group.forEach(g -> expandInto(g, out, depth + 1));
            return;
        }
        String alias = config.aliases().get(name);
        if (alias != null) {
            expandInto(alias, out, depth + 1);
        }
    }

    private boolean isTarget(String name) {
        return models.containsKey(name) || config.groups().containsKey(name) || config.aliases().containsKey(name);
    }
}
