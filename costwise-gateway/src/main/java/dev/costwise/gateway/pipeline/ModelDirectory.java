package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.Providers;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.chat.ReasoningEffort;
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
            if (Providers.WITHOUT_EMBEDDINGS.contains(m.provider())) {
                kinds.putIfAbsent(m.name(), ModelKind.CHAT); // unknown to the catalog, yet chat all the same
            }
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

    /**
     * The pipeline that serves {@code name}: its own entry under {@code pipelines}; else, for an alias, the pipeline
     * of what it names (an alias is another name for the same model or group, so it gets the same fallbacks, retries,
     * timeout and reasoning cap); else the {@code defaults}. A group without an entry of its own gets the defaults:
     * its members are its fallbacks, and each member's {@link #reasoningCap} still applies when it is called.
     *
     * @param name the name a caller sent
     * @return the pipeline, or empty if the name is unknown
     */
    public Optional<Pipeline> pipeline(String name) {
        Optional<String> entry = entryOf(name);
        if (entry.isPresent()) {
            return Optional.of(config.pipelines().get(entry.get()));
        }
        return isTarget(name) ? Optional.of(config.defaults()) : Optional.empty();
    }

    /** @return {@code true} if {@code name} (or, for an alias, what it names) has a pipeline entry, routes and all */
    public boolean isPipeline(String name) {
        return entryOf(name).isPresent();
    }

    /**
     * The reasoning cap of a model's own pipeline entry ({@code pipelines.<model>.max_reasoning_effort}): it bounds
     * every call to that model, whichever name, group, route or fallback reached it.
     *
     * @param model a configured model
     * @return the most effort the model may be asked for, or empty if its entry (or the defaults) sets none
     */
    public Optional<ReasoningEffort> reasoningCap(Model model) {
        return config.pipelines().getOrDefault(model.name(), config.defaults()).maxReasoningEffort();
    }

    /**
     * @param name the name a caller sent
     * @return the name whose pipeline entry serves {@code name}: its own, else its alias target's, if any
     */
    public Optional<String> entryOf(String name) {
        String n = name;
        for (int depth = 0; depth <= 8; depth++) {
            if (config.pipelines().containsKey(n)) {
                return Optional.of(n);
            }
            n = config.aliases().get(n);
            if (n == null) {
                return Optional.empty();
            }
        }
        return Optional.empty();
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

    /**
     * Every model a request to {@code name} may be served by: what the name {@link #expand expands} to, then, if its
     * {@link #pipeline} is an entry of {@code pipelines}, the models of its routes, {@code default_route},
     * {@code fallbacks} and {@code context_window_fallback}. A routing pipeline such as {@code auto} reaches the models
     * its routes name.
     *
     * @param name a callable name
     * @return the models, each once, in that order; unmodifiable
     */
    public List<Model> reachable(String name) {
        Set<Model> out = new LinkedHashSet<>(expand(name));
        entryOf(name).map(config.pipelines()::get).ifPresent(p -> {
            p.routes().forEach(r -> out.addAll(expand(r.model())));
            p.defaultRoute().ifPresent(d -> out.addAll(expand(d)));
            p.fallbacks().forEach(f -> out.addAll(expand(f)));
            p.contextWindowFallback().ifPresent(c -> out.addAll(expand(c)));
        });
        return List.copyOf(out);
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
