package dev.costwise.planner.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import dev.costwise.llm.routing.RouteConditions;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one pipeline of a gateway configuration file ({@code costwise serve --config}) into the planner's
 * {@link PipelineSpec}, so a replay can plan for exactly what the gateway would run.
 *
 * <p>Mapped: {@code models} (name → catalog model by {@code model} or {@code name}), {@code aliases}, {@code groups}
 * (first model, the rest as fallbacks), {@code defaults.cache} and {@code defaults.retry}, {@code pipelines.NAME} with
 * {@code routes} (conditions {@code complexity}, {@code min_chars}, {@code max_chars}, {@code keywords}, {@code
 * budget_utilization_below}, {@code rate_limit_headroom_above}: a trace has no rate-limit headers, so every model
 * counts as full), {@code default_route}, {@code fallbacks}, {@code cache}, {@code retry} (fallbacks, cache
 * and retry inherited from {@code defaults} as the gateway inherits them; {@code cache: false} turns the cache off),
 * {@code max_reasoning_effort} (the pipeline's, else the defaults': a request's reasoning is lowered to it before its
 * cache key is taken, as the gateway keys it); a pipeline without routes sends every request to its {@code
 * default_route}, as the gateway does, or without one to the model of its own name. Every {@code budgets} entry becomes
 * a budget of its {@code scope}, in the configuration's order, with its {@code window} (a UTC day or month, the month
 * by default, as the gateway counts them) and {@code on_exhausted: downgrade} → {@code downgrade_to}, followed by each
 * of {@code keys} with a {@code budget} of its own; a key's {@code tags.team} is its team. A model's {@code
 * service_tier} and {@code prompt_caching} go with its call sites. A pipeline's {@code context_window_fallback} (else
 * the defaults') is where a prompt too long for its model goes, as in the gateway. A {@code workflow: true} pipeline
 * becomes a {@link Target.Workflow}: its routes' models are the executors, its {@code default_route} the orchestrator,
 * with its {@code validate} and {@code baseline}. A key whose {@code models} list does not name the pipeline has its
 * requests refused, as the gateway refuses them (403), and with any key listed a request that names no key is refused
 * (401). Not mapped (no effect on cost in the planner): server, ledger, timeouts, a key's rpm and tpm. A {@code
 * ${VAR:-default}} value is read as its default.
 *
 * <p>The file is checked first by the gateway's own rules for the sections the planner reads
 * ({@link GatewayConfigSections}: models, groups, aliases, defaults, pipelines, budgets): a file {@code costwise serve}
 * would refuse for problems there is refused with the gateway's problem lines, every one listed
 * ({@code models[0].prompt_caching: applies to anthropic models only ...}), and a value it accepts
 * ({@code window: Day}, {@code limit: "$5"}) means what it means at the gateway.
 */
public final class GatewayPipelineReader {

    /** The route of a request no rule routes, as the gateway names it. */
    public static final String DEFAULT_ROUTE = "default";

    /** The route of a {@code workflow: true} pipeline; each request is reported as {@code workflow:<complexity>}. */
    public static final String WORKFLOW_ROUTE = "workflow";

    /** Refuses a key written twice, as the gateway does: the second would silently replace the first. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private final ModelCatalog catalog;

    /**
     * @param catalog the catalog model names resolve against
     */
    public GatewayPipelineReader(ModelCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    /**
     * @param yaml the gateway configuration
     * @param pipelineName the pipeline (the model name callers send, such as {@code auto})
     * @param source the file name, for messages
     * @return the pipeline
     * @throws ScenarioException if the file or the pipeline cannot be mapped, naming the path and value
     */
    public PipelineSpec read(String yaml, String pipelineName, String source) {
        return readPriced(yaml, pipelineName, source).pipeline();
    }

    /**
     * Reads a pipeline and the catalog priced as the gateway prices: a configured model's {@code price}
     * ({@code input}, {@code output}, optional {@code cached_input}, {@code flex} and {@code priority}) replaces the
     * catalog's, under the configured name (the catalog entry of that name, else a new entry named so, based on the
     * catalog's entry for its upstream model or, for a model the catalog lacks, on the configured
     * {@code context_window} and {@code max_output_tokens}). Models without a price keep the catalog's; a renamed one
     * is added under its name at its upstream model's price, and each alias names the model it calls, so trace lines
     * may name what callers sent the gateway.
     *
     * @param yaml the gateway configuration
     * @param pipelineName the pipeline (the model name callers send, such as {@code auto})
     * @param source the file name, for messages
     * @return the pipeline, its models named in the returned catalog
     * @throws ScenarioException if the file or the pipeline cannot be mapped, naming the path and value
     */
    public Priced readPriced(String yaml, String pipelineName, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ScenarioException(source + ": malformed YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ScenarioException(source + ": expected a YAML mapping at the top level");
        }
        try {
            GatewayConfigSections sections = GatewayConfigSections.read(root);
            ModelCatalog priced = pricedCatalog(root, sections);
            return new Priced(pipeline(root, pipelineName, new Names(sections, priced)), priced);
        } catch (ScenarioException e) {
            throw new ScenarioException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * A gateway pipeline and the catalog that prices it.
     *
     * @param pipeline the pipeline
     * @param catalog the catalog with the configuration's prices; replay on it
     */
    public record Priced(PipelineSpec pipeline, ModelCatalog catalog) {
        public Priced {
            Objects.requireNonNull(pipeline, "pipeline");
            Objects.requireNonNull(catalog, "catalog");
        }
    }

    private ModelCatalog pricedCatalog(JsonNode root, GatewayConfigSections sections) {
        ModelCatalogs.Builder b = ModelCatalogs.builder().from(catalog);
        Map<String, ModelInfo> configured = new HashMap<>();
        for (GatewayConfigSections.Deployment m : sections.models()) {
            String name = m.name();
            if (m.price().isEmpty() && m.ownLimits()) {
                // as the gateway: its own context_window and max_output_tokens, at its upstream model's price
                Optional<ModelInfo> base = catalog.find(m.upstream()).or(() -> catalog.find(name));
                base.ifPresent(info -> {
                    ModelInfo own = limited(renamed(info, catalog.find(name).map(ModelInfo::name).orElse(name),
                            catalog.find(name).map(ModelInfo::aliases).orElse(Set.of())), m);
                    configured.put(name, own);
                    b.replace(own);
                });
                continue;
            }
            if (m.price().isEmpty()) {
                // a renamed deployment is served at its upstream model's catalog price, as the gateway does
                Optional<ModelInfo> upstream = catalog.find(m.upstream());
                if (catalog.find(name).isEmpty() && upstream.isPresent()) {
                    configured.put(name, renamed(upstream.get(), name, Set.of()));
                    b.replace(configured.get(name));
                }
                continue;
            }
            Optional<ModelInfo> own = catalog.find(name);
            Optional<ModelInfo> base = own.or(() -> catalog.find(m.upstream()));
            int window = m.contextWindow().orElseGet(() -> base.map(ModelInfo::contextWindow).orElse(128_000));
            int maxOut = m.maxOutputTokens().orElseGet(() -> base.map(ModelInfo::maxOutputTokens).orElse(4096));
            ModelInfo entry = new ModelInfo(own.map(ModelInfo::name).orElse(name), m.provider(), m.upstream(),
                    base.map(ModelInfo::kind).orElse(ModelKind.CHAT), m.price(), window, maxOut,
                    base.map(ModelInfo::capabilities).orElse(Set.of()), Optional.empty(),
                    base.map(ModelInfo::tier).orElse(2), own.map(ModelInfo::aliases).orElse(Set.of()),
                    "gateway config", LocalDate.now(ZoneOffset.UTC));
            configured.put(name, entry);
            b.replace(entry);
        }
        aliasesToCatalog(root, sections, configured, b);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("models: " + e.getMessage(), e);
        }
    }

    /**
     * Makes each alias of the configuration a catalog alias of the model it calls (through further aliases and a
     * group's first member), so a trace line naming it is priced as the gateway serves it; likewise each group (as its
     * first member) and each pipeline whose name is no model (as its {@code baseline}, the pipeline's or the
     * defaults', else the model its {@code default_route} calls first), so a log of the gateway's own traffic, which
     * names {@code auto} or {@code mini-pool}, can be replayed, its before-cost on that model. A name that is also a
     * catalog name keeps the catalog's meaning.
     */
    private void aliasesToCatalog(JsonNode root, GatewayConfigSections sections, Map<String, ModelInfo> configured,
            ModelCatalogs.Builder b) {
        Map<String, String> names = new LinkedHashMap<>(sections.aliases());
        sections.groups().forEach((group, members) -> names.putIfAbsent(group, members.getFirst()));
        JsonNode defaults = root.path("defaults");
        root.path("pipelines").properties().forEach(e -> {
            JsonNode p = e.getValue();
            JsonNode stand = p.hasNonNull("baseline") ? p.get("baseline") : defaults.hasNonNull("baseline")
                    ? defaults.get("baseline") : p.path("default_route");
            if (stand.isValueNode() && !text(stand).isEmpty() && !sections.targets().contains(e.getKey())) {
                names.putIfAbsent(e.getKey(), text(stand));
            }
        });
        for (String name : names.keySet()) {
            String called = called(name, names, sections.groups());
            Optional<ModelInfo> target = Optional.ofNullable(configured.get(called))
                    .or(() -> catalog.find(called)).filter(t -> catalog.find(name).isEmpty());
            if (target.isPresent()) {
                Set<String> aliases = new java.util.HashSet<>(target.get().aliases());
                aliases.add(name);
                ModelInfo entry = renamed(target.get(), target.get().name(), aliases);
                configured.put(entry.name(), entry);
                b.replace(entry);
            }
        }
    }

    /** @return the configured model {@code name} calls first, through {@code names} and groups' first members */
    private static String called(String name, Map<String, String> names, Map<String, List<String>> groups) {
        String n = name;
        for (int depth = 0; depth < 8 && names.containsKey(n); depth++) {
            n = names.get(n);
            List<String> group = groups.getOrDefault(n, List.of());
            if (!group.isEmpty()) {
                n = group.getFirst();
            }
        }
        return n;
    }

    /** @return {@code m} with the deployment's own context window and output limit, where it configures them */
    private static ModelInfo limited(ModelInfo m, GatewayConfigSections.Deployment d) {
        return new ModelInfo(m.name(), m.provider(), m.upstreamModel(), m.kind(), m.pricing(),
                d.contextWindow().orElse(m.contextWindow()), d.maxOutputTokens().orElse(m.maxOutputTokens()),
                m.capabilities(), m.freeTier(), m.tier(), m.aliases(), m.priceSource(), m.priceAsOf(), m.retiresOn());
    }

    /** @return {@code m} under another name and aliases, priced as it is */
    private static ModelInfo renamed(ModelInfo m, String name, Set<String> aliases) {
        return new ModelInfo(name, m.provider(), m.upstreamModel(), m.kind(), m.pricing(), m.contextWindow(),
                m.maxOutputTokens(), m.capabilities(), m.freeTier(), m.tier(), aliases, m.priceSource(),
                m.priceAsOf(), m.retiresOn());
    }

    private PipelineSpec pipeline(JsonNode root, String name, Names names) {
        PipelineSpec routed = routed(root, name, names);
        // a pipeline's own context_window_fallback, else the defaults' one, as the gateway inherits it
        JsonNode p = root.path("pipelines").path(name);
        String path = p.has("context_window_fallback") ? "pipelines." + name + ".context_window_fallback"
                : "defaults.context_window_fallback";
        JsonNode larger = p.has("context_window_fallback") ? p.get("context_window_fallback")
                : root.path("defaults").path("context_window_fallback");
        Map<String, String> teams = new HashMap<>();
        names.sections.keys().forEach(k -> k.team().ifPresent(t -> teams.put(k.id(), t)));
        // as the gateway: a key whose models list does not name the model requested (the pipeline) is refused
        Map<String, List<String>> refused = new HashMap<>();
        names.sections.keys().stream().filter(k -> !k.allows(name)).forEach(k -> refused.put(k.id(), k.models()));
        routed = routed.withTeams(teams).withRefusedKeys(refused)
                .withMaxReasoningEffort(names.sections.settings(name).maxReasoningEffort());
        if (!names.sections.keys().isEmpty()) { // as the gateway: keys in the file close it to a caller without one
            routed = routed.withKeyRequired();
        }
        if (!larger.isValueNode() || text(larger).isEmpty()) {
            return routed;
        }
        return routed.withContextWindowFallback(names.members(text(larger)).stream()
                .map(m -> names.site(m, path)).toList());
    }

    private PipelineSpec routed(JsonNode root, String name, Names names) {
        JsonNode p = root.path("pipelines").path(name);
        JsonNode defaults = root.path("defaults");
        // as the gateway: its default cache, then the defaults' settings over it, then the pipeline's
        CacheSettings cacheSettings = CacheSettings.GATEWAY_DEFAULT.with(defaults.path("cache"), "defaults.cache");
        if (p.has("cache")) {
            cacheSettings = cacheSettings.with(p.get("cache"), "pipelines." + name + ".cache");
        }
        Optional<CacheSpec> cache = cacheSettings.spec();
        Optional<RetrySpec> retry = Optional.of(names.sections.settings(name).retry());
        List<CallSite> fallbacks = new ArrayList<>();
        // the pipeline's own fallbacks, else the defaults', as the gateway inherits them
        String fallbacksPath = p.has("fallbacks") ? "pipelines." + name + ".fallbacks" : "defaults.fallbacks";
        List<String> fallbackNames = p.has("fallbacks") ? GatewayConfigRules.stringList(p.get("fallbacks"),
                fallbacksPath) : defaults.has("fallbacks") ? GatewayConfigRules.stringList(defaults.get("fallbacks"),
                fallbacksPath) : List.of();
        for (int i = 0; i < fallbackNames.size(); i++) {
            fallbacks.add(names.site(fallbackNames.get(i), fallbacksPath + "[" + i + "]"));
        }
        Map<String, Target> downgrades = new LinkedHashMap<>();
        List<BudgetSpec> budgets = budgets(names, downgrades);
        if (p.path("workflow").asBoolean(false)) {
            if (!p.path("routes").isArray() || p.get("routes").isEmpty()) {
                throw new ScenarioException("pipelines." + name + ".workflow: the multi-model workflow needs routes"
                        + " naming the executor models");
            }
            Map<String, Target> routes = new LinkedHashMap<>();
            routes.put(WORKFLOW_ROUTE, workflow(root, name, names));
            routes.putAll(downgrades);
            return new PipelineSpec(cache, Optional.of(new RouterSpec(routes, List.of(), WORKFLOW_ROUTE)),
                    Optional.empty(), retry, fallbacks, budgets, List.of());
        }
        if (!p.has("routes")) {
            if (p.isMissingNode() && !names.known(name)) {
                throw new ScenarioException("pipelines: no pipeline or model named '" + name + "'; pipelines are "
                        + fieldNames(root.path("pipelines")));
            }
            // as the gateway does: with no route matching, the default_route serves; without one, the model named
            String target = p.has("default_route") ? text(p.get("default_route")) : name;
            if (!p.has("default_route") && !names.known(name)) {
                throw new ScenarioException("pipelines." + name + ": has neither routes nor a default_route, and '"
                        + name + "' is no configured model, alias or group: no model serves its requests (the"
                        + " gateway tries only the fallbacks, if any); add a default_route");
            }
            CallSite primary = names.site(target, "pipelines." + name + (p.has("default_route") ? ".default_route"
                    : ""));
            names.groupRest(target).forEach(m -> fallbacks.add(CallSite.of(m)));
            // the gateway's route name for a request no rule routes
            Map<String, Target> routes = new LinkedHashMap<>();
            routes.put(DEFAULT_ROUTE, new Target.Single(primary));
            routes.putAll(downgrades);
            return new PipelineSpec(cache, Optional.of(new RouterSpec(routes, List.of(), DEFAULT_ROUTE)),
                    Optional.empty(), retry, fallbacks, budgets, List.of());
        }
        Map<String, Target> routes = new LinkedHashMap<>();
        List<RouteRule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : p.get("routes")) {
            String path = "pipelines." + name + ".routes[" + i++ + "]";
            String routeName = r.path("name").asText(path);
            routes.put(routeName, new Target.Single(names.site(text(r.path("model")), path + ".model")));
            JsonNode when = r.path("when");
            List<String> keywords = new ArrayList<>();
            if (when.has("keywords")) {
                keywords.addAll(GatewayConfigRules.stringList(when.get("keywords"), path + ".when.keywords"));
            }
            String w = path + ".when.";
            rules.add(RouteRule.ofGateway(routeName, new RouteConditions(
                    GatewayConfigRules.optInt(when, "min_chars", w + "min_chars", 0, Integer.MAX_VALUE),
                    GatewayConfigRules.optInt(when, "max_chars", w + "max_chars", 0, Integer.MAX_VALUE), keywords,
                    GatewayConfigRules.optString(when, "complexity", w + "complexity"),
                    GatewayConfigRules.optShare(when, "budget_utilization_below", w + "budget_utilization_below"),
                    GatewayConfigRules.optShare(when, "budget_utilization_above", w + "budget_utilization_above"),
                    GatewayConfigRules.optShare(when, "rate_limit_headroom_above",
                            w + "rate_limit_headroom_above"))));
        }
        CallSite defaultSite = names.site(p.path("default_route").asText(name), "pipelines." + name + ".default_route");
        routes.putIfAbsent(DEFAULT_ROUTE, new Target.Single(defaultSite));
        routes.putAll(downgrades);
        return new PipelineSpec(cache, Optional.of(new RouterSpec(routes, rules, DEFAULT_ROUTE)), Optional.empty(),
                retry, fallbacks, budgets, List.of());
    }

    /**
     * A {@code workflow: true} pipeline as the gateway runs it: the routes' models (a group's or alias's every
     * member) are the executors, their conditions ignored; {@code default_route} is the orchestrator; the savings are
     * measured against {@code baseline} (the pipeline's, else the defaults'), else the orchestrator.
     */
    private static Target.Workflow workflow(JsonNode root, String name, Names names) {
        JsonNode p = root.path("pipelines").path(name);
        String path = "pipelines." + name;
        if (!p.hasNonNull("default_route")) {
            throw new ScenarioException(path + ".default_route: the multi-model workflow needs default_route: the"
                    + " orchestrator (premium) model");
        }
        List<CallSite> executors = new ArrayList<>();
        int i = 0;
        for (JsonNode r : p.get("routes")) {
            String at = path + ".routes[" + i++ + "].model";
            for (String member : names.members(text(r.path("model")))) {
                CallSite site = names.rankedSite(member, at);
                if (executors.stream().noneMatch(e -> e.model().equals(site.model()))) {
                    executors.add(site);
                }
            }
        }
        String orchestrator = names.members(text(p.get("default_route"))).getFirst();
        JsonNode baseline = p.has("baseline") ? p.get("baseline") : root.path("defaults").path("baseline");
        String baselinePath = p.has("baseline") ? path + ".baseline" : "defaults.baseline";
        CallSite orchestratorSite = names.rankedSite(orchestrator, path + ".default_route");
        return new Target.Workflow(executors, orchestratorSite, baseline.isValueNode()
                ? names.rankedModel(names.members(text(baseline)).getFirst(), baselinePath)
                : orchestratorSite.model(),
                p.path("validate").asBoolean(false));
    }

    /**
     * The gateway's budgets, in its order: each of {@code budgets} with its scope (a key, team or user one holds only
     * the requests whose caller names one, see {@link BudgetSpec.Scope}), then each key's own. A downgrading budget's
     * {@code downgrade_to} becomes a route of {@code downgrades}, named as the gateway names it: {@code
     * downgrade:<budget name>}.
     */
    private static List<BudgetSpec> budgets(Names names, Map<String, Target> downgrades) {
        List<BudgetSpec> budgets = new ArrayList<>();
        for (GatewayConfigSections.Budget b : names.sections.budgets()) {
            Optional<String> route = Optional.empty();
            List<CallSite> downgradeRest = List.of();
            if (b.downgradeTo().isPresent()) {
                String to = b.downgradeTo().get();
                CallSite site = names.site(to, b.path() + ".downgrade_to");
                route = Optional.of("downgrade:" + b.name());
                downgrades.putIfAbsent(route.get(), new Target.Single(site));
                // the gateway then calls downgrade_to's models only: a group's rest, not the pipeline's fallbacks
                downgradeRest = names.groupRest(to).stream().map(CallSite::of).toList();
            }
            budgets.add(new BudgetSpec(b.limit(), window(b.window()), List.of(), route, downgradeRest,
                    BudgetSpec.Scope.valueOf(b.scope().toUpperCase(Locale.ROOT)), Optional.empty()));
        }
        // as the gateway: a key's own budget holds that key's requests, after every configured budget
        for (GatewayConfigSections.Key k : names.sections.keys()) {
            k.budget().ifPresent(limit -> budgets.add(new BudgetSpec(limit, window(k.window()), List.of(),
                    Optional.empty(), List.of(), BudgetSpec.Scope.KEY, Optional.of(k.id()))));
        }
        return budgets;
    }

    /** A budget's {@code window} as the gateway counts it: a UTC day or calendar month. */
    private static BudgetWindow window(String window) {
        return "day".equals(window) ? BudgetWindow.daily(ZoneOffset.UTC) : BudgetWindow.monthly(ZoneOffset.UTC);
    }

    /**
     * A pipeline's response cache settings as the gateway reads them, each block over the one it inherits: {@code
     * true} / {@code false} turns the inherited cache on or off; a mapping sets the fields it names ({@code enabled}
     * true unless it says otherwise).
     */
    private record CacheSettings(boolean enabled, boolean perKey, Duration ttl, long maxEntries) {
        /** The gateway's default: on, per key, an hour, 10,000 entries. */
        static final CacheSettings GATEWAY_DEFAULT = new CacheSettings(true, true, Duration.ofHours(1), 10_000);

        CacheSettings with(JsonNode c, String path) {
            if (c.isMissingNode() || c.isNull()) {
                return this;
            }
            if (c.isBoolean()) {
                return new CacheSettings(c.asBoolean(), perKey, ttl, maxEntries);
            }
            boolean on = GatewayConfigRules.optBoolean(c, "enabled", path + ".enabled").orElse(true);
            boolean keyed = GatewayConfigRules.optString(c, "scope", path + ".scope")
                    .map(s -> !s.equalsIgnoreCase("shared")).orElse(perKey);
            Duration t = GatewayConfigRules.optDuration(c, "ttl", path + ".ttl").orElse(ttl);
            long max = GatewayConfigRules.optInt(c, "max_entries", path + ".max_entries", 1, Integer.MAX_VALUE)
                    .map(Integer::longValue).orElse(maxEntries);
            try {
                return new CacheSettings(on, keyed, t, max).checked();
            } catch (ScenarioException e) {
                throw new ScenarioException(path + ": " + e.getMessage(), e);
            }
        }

        private CacheSettings checked() {
            spec();
            return this;
        }

        Optional<CacheSpec> spec() {
            return enabled ? Optional.of(new CacheSpec(ttl, maxEntries, perKey)) : Optional.empty();
        }
    }

    /** The text of a scalar, trimmed, each {@code ${VAR:-default}} read as its default. */
    private static String text(JsonNode n) {
        return n.isValueNode() ? GatewayConfigRules.substitute(n.asText("")).trim() : "";
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Resolves gateway model names, aliases and groups to catalog models. */
    private final class Names {
        /**
         * Each deployment's entry in the priced catalog: its own name, as the gateway names it in its headers,
         * ledger and per-model budgets, when it has a price or limits of its own or a name the catalog lacks (an
         * entry of that name holds its upstream model's price); else the catalog model of its upstream id.
         */
        private final Map<String, String> deployed = new HashMap<>();
        /**
         * Each deployment's entry as a multi-model workflow names it: as {@link #deployed}, but an unpriced
         * deployment is its catalog model, as the gateway's workflow ranks and names it.
         */
        private final Map<String, String> ranked = new HashMap<>();
        /** Deployed models configured on a service tier ({@code service_tier: flex}). */
        private final Map<String, ServiceTier> tiers = new HashMap<>();
        /** Deployed models that mark Anthropic's prompt cache ({@code prompt_caching: tools_and_system}). */
        private final Map<String, AnthropicPromptCaching> caching = new HashMap<>();
        private final Map<String, String> aliases = new HashMap<>();
        private final Map<String, List<String>> groups = new HashMap<>();

        private final ModelCatalog catalog;
        private final GatewayConfigSections sections;

        Names(GatewayConfigSections sections, ModelCatalog priced) {
            this.catalog = priced;
            this.sections = sections;
            for (GatewayConfigSections.Deployment m : sections.models()) {
                String name = m.name();
                // a priced deployment is the entry of its own name; otherwise the catalog's upstream model
                Optional<ModelInfo> info = m.price().isPresent() || m.ownLimits() ? catalog.find(name)
                        : catalog.find(m.upstream()).or(() -> catalog.find(name));
                ranked.put(name, info.map(ModelInfo::name).orElseThrow(() -> new ScenarioException("models."
                        + name + ": model '" + m.upstream() + "' is not in the catalog, so the planner cannot price"
                        + " it; give it a price: {input, output}")));
                boolean renamed = GatewayPipelineReader.this.catalog.find(name).isEmpty()
                        && catalog.find(name).filter(i -> i.name().equals(name)).isPresent();
                deployed.put(name, renamed ? name : ranked.get(name));
                m.tier().ifPresent(t -> tiers.put(name, t));
                caching.put(name, m.caching());
            }
            aliases.putAll(sections.aliases());
            groups.putAll(sections.groups());
        }

        boolean known(String name) {
            return deployed.containsKey(name) || aliases.containsKey(name) || groups.containsKey(name)
                    || catalog.find(name).isPresent();
        }

        /** @return what an alias (or a chain of them) names; {@code name} itself if it is no alias */
        String unaliased(String name) {
            String n = name;
            for (int depth = 0; depth < 8 && aliases.containsKey(n); depth++) {
                n = aliases.get(n);
            }
            return n;
        }

        String model(String name, String path) {
            return model(name, path, deployed);
        }

        /** @return the model a name calls, as a multi-model workflow names it */
        String rankedModel(String name, String path) {
            return model(name, path, ranked);
        }

        private String model(String name, String path, Map<String, String> naming) {
            String n = unaliased(name);
            if (groups.containsKey(n) && !groups.get(n).isEmpty()) {
                n = groups.get(n).getFirst();
            }
            if (naming.containsKey(n)) {
                return naming.get(n);
            }
            String target = n;
            return catalog.find(n).map(ModelInfo::name).orElseThrow(() -> new ScenarioException(path + ": '" + name
                    + "' is neither a configured model, alias or group nor a catalog model" + (target.equals(name)
                    ? "" : " (resolved to '" + target + "')")));
        }

        /**
         * @return the site a configured name calls: its catalog model, on the deployment's tier if it has one, marking
         *     the prompt cache as the deployment does
         */
        CallSite site(String name, String path) {
            return siteOf(name, model(name, path));
        }

        /** @return the site a configured name calls in a multi-model workflow, its model named as the workflow does */
        CallSite rankedSite(String name, String path) {
            return siteOf(name, rankedModel(name, path));
        }

        private CallSite siteOf(String name, String model) {
            String deployment = deployment(name);
            return CallSite.of(model).withServiceTier(Optional.ofNullable(tiers.get(deployment)))
                    .withPromptCaching(caching.getOrDefault(deployment, AnthropicPromptCaching.NONE));
        }

        /** @return the deployment a name calls first: itself, what its alias names, or its group's first member */
        private String deployment(String name) {
            String n = unaliased(name);
            return groups.containsKey(n) && !groups.get(n).isEmpty() ? unaliased(groups.get(n).getFirst()) : n;
        }

        /** @return the deployments a name calls, in order: a group's members, else the name itself */
        List<String> members(String name) {
            String n = unaliased(name);
            return groups.containsKey(n) && !groups.get(n).isEmpty() ? groups.get(n) : List.of(name);
        }

        List<String> groupRest(String name) {
            List<String> g = groups.getOrDefault(aliases.getOrDefault(name, name), List.of());
            return g.size() <= 1 ? List.of() : g.subList(1, g.size()).stream().map(m -> model(m, "groups." + name))
                    .toList();
        }
    }
}
