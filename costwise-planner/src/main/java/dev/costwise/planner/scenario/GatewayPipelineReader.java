package dev.costwise.planner.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.costwise.core.Money;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import dev.costwise.llm.routing.RouteConditions;
import java.math.BigDecimal;
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
 * <p>Mapped: {@code models} (name → catalog model by {@code model} or {@code name}), {@code aliases},
 * {@code groups} (first model, the rest as fallbacks), {@code defaults.cache} and {@code defaults.retry},
 * {@code pipelines.NAME} with {@code routes} (conditions {@code complexity}, {@code min_chars}, {@code max_chars},
 * {@code keywords}, {@code budget_utilization_below}), {@code default_route}, {@code fallbacks}, {@code cache},
 * {@code retry}; a pipeline without routes sends every request to its {@code default_route}, as the gateway does,
 * or without one to the model of its own name. Every {@code budgets} entry with scope {@code global} or {@code model}
 * becomes a budget, in the configuration's order, with its {@code window} (a UTC day or month, the month by default,
 * as the gateway counts them) and {@code on_exhausted: downgrade} → {@code downgrade_to}. A model's
 * {@code service_tier} and {@code prompt_caching} go with its call sites. A pipeline's {@code context_window_fallback}
 * (else the defaults') is where a prompt too long for its model goes, as in the gateway. A {@code workflow: true}
 * pipeline becomes a {@link Target.Workflow}: its routes' models are the executors, its {@code default_route} the
 * orchestrator, with its {@code validate} and {@code baseline}. Not mapped (no effect on cost
 * in the planner): server, ledger, keys, timeouts, cache scope, and key, team and user budgets (a trace
 * does not name the caller). A {@code ${VAR:-default}} value is read as its default.
 */
public final class GatewayPipelineReader {

    /** The route of a {@code workflow: true} pipeline; each request is reported as {@code workflow:<complexity>}. */
    public static final String WORKFLOW_ROUTE = "workflow";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
            ModelCatalog priced = pricedCatalog(root);
            return new Priced(pipeline(root, pipelineName, priced), priced);
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

    private ModelCatalog pricedCatalog(JsonNode root) {
        ModelCatalogs.Builder b = ModelCatalogs.builder().from(catalog);
        Map<String, ModelInfo> configured = new HashMap<>();
        for (JsonNode m : root.path("models")) {
            if (!m.has("price")) {
                // a renamed deployment is served at its upstream model's catalog price, as the gateway does
                String name = text(m.path("name"));
                Optional<ModelInfo> upstream = catalog.find(m.has("model") ? text(m.get("model")) : name);
                if (catalog.find(name).isEmpty() && upstream.isPresent()) {
                    configured.put(name, renamed(upstream.get(), name, Set.of()));
                    b.replace(configured.get(name));
                }
                continue;
            }
            String name = text(m.path("name"));
            String path = "models." + name + ".price";
            Pricing pricing = pricing(m.get("price"), path, "anthropic".equals(text(m.path("provider"))));
            for (ServiceTier tier : List.of(ServiceTier.FLEX, ServiceTier.PRIORITY)) {
                if (m.get("price").has(tier.wireName())) {
                    pricing = pricing.withServiceTier(tier, pricing(m.get("price").get(tier.wireName()),
                            path + "." + tier.wireName(), false));
                }
            }
            Optional<ModelInfo> own = catalog.find(name);
            Optional<ModelInfo> base = own.or(() -> catalog.find(m.has("model") ? text(m.get("model")) : name));
            String upstream = m.has("model") ? text(m.get("model")) : name;
            int window = m.has("context_window") ? m.get("context_window").asInt()
                    : base.map(ModelInfo::contextWindow).orElse(128_000);
            int maxOut = m.has("max_output_tokens") ? m.get("max_output_tokens").asInt()
                    : base.map(ModelInfo::maxOutputTokens).orElse(4096);
            ModelInfo entry = new ModelInfo(own.map(ModelInfo::name).orElse(name), text(m.path("provider")), upstream,
                    base.map(ModelInfo::kind).orElse(ModelKind.CHAT), Optional.of(pricing), window, maxOut,
                    base.map(ModelInfo::capabilities).orElse(Set.of()), Optional.empty(),
                    base.map(ModelInfo::tier).orElse(2), own.map(ModelInfo::aliases).orElse(Set.of()),
                    "gateway config", LocalDate.now(ZoneOffset.UTC));
            configured.put(name, entry);
            b.replace(entry);
        }
        aliasesToCatalog(root, configured, b);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("models: " + e.getMessage(), e);
        }
    }

    /**
     * Makes each alias of the configuration a catalog alias of the model it calls (through further aliases and a
     * group's first member), so a trace line naming it is priced as the gateway serves it. An alias that is also a
     * catalog name keeps the catalog's meaning.
     */
    private void aliasesToCatalog(JsonNode root, Map<String, ModelInfo> configured, ModelCatalogs.Builder b) {
        Map<String, String> aliases = new HashMap<>();
        root.path("aliases").properties().forEach(e -> aliases.put(e.getKey(), text(e.getValue())));
        for (String alias : aliases.keySet()) {
            String n = alias;
            for (int depth = 0; depth < 8 && aliases.containsKey(n); depth++) {
                n = aliases.get(n);
                JsonNode group = root.path("groups").path(n);
                if (group.isArray() && !group.isEmpty()) {
                    n = text(group.get(0));
                }
            }
            String called = n;
            Optional<ModelInfo> target = Optional.ofNullable(configured.get(called))
                    .or(() -> catalog.find(called)).filter(t -> catalog.find(alias).isEmpty());
            if (target.isPresent()) {
                Set<String> names = new java.util.HashSet<>(target.get().aliases());
                names.add(alias);
                ModelInfo entry = renamed(target.get(), target.get().name(), names);
                configured.put(entry.name(), entry);
                b.replace(entry);
            }
        }
    }

    /** @return {@code m} under another name and aliases, priced as it is */
    private static ModelInfo renamed(ModelInfo m, String name, Set<String> aliases) {
        return new ModelInfo(name, m.provider(), m.upstreamModel(), m.kind(), m.pricing(), m.contextWindow(),
                m.maxOutputTokens(), m.capabilities(), m.freeTier(), m.tier(), aliases, m.priceSource(),
                m.priceAsOf(), m.retiresOn());
    }

    /** A {@code price} mapping, with the gateway's defaults for what it leaves out. */
    private static Pricing pricing(JsonNode n, String path, boolean anthropic) {
        Money input = money(n, "input", path);
        Money cached = n.has("cached_input") ? money(n, "cached_input", path)
                : anthropic ? input.times(new BigDecimal("0.1")) : input;
        Money write5m = anthropic ? input.times(new BigDecimal("1.25")) : input;
        Money write1h = anthropic ? input.times(2) : input;
        return new Pricing(input, cached, write5m, write1h, money(n, "output", path), Optional.empty());
    }

    private static Money money(JsonNode n, String field, String path) {
        if (!n.hasNonNull(field)) {
            throw new ScenarioException(path + ": missing '" + field + "' ($ per 1M tokens)");
        }
        try {
            Money m = Money.of(text(n.get(field)));
            ScenarioException.require(!m.isNegative(), "%s.%s: cannot be negative, was %s", path, field,
                    n.get(field).asText());
            return m;
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(path + "." + field + ": expected dollars such as \"2.50\", was '"
                    + n.get(field).asText() + "'", e);
        }
    }

    private PipelineSpec pipeline(JsonNode root, String name, ModelCatalog priced) {
        Names names = new Names(root, priced);
        PipelineSpec routed = routed(root, name, names);
        // a pipeline's own context_window_fallback, else the defaults' one, as the gateway inherits it
        JsonNode p = root.path("pipelines").path(name);
        String path = p.has("context_window_fallback") ? "pipelines." + name + ".context_window_fallback"
                : "defaults.context_window_fallback";
        JsonNode larger = p.has("context_window_fallback") ? p.get("context_window_fallback")
                : root.path("defaults").path("context_window_fallback");
        if (!larger.isValueNode() || text(larger).isEmpty()) {
            return routed;
        }
        return routed.withContextWindowFallback(names.members(text(larger)).stream().map(m -> names.site(m, path))
                .toList());
    }

    private PipelineSpec routed(JsonNode root, String name, Names names) {
        JsonNode p = root.path("pipelines").path(name);
        JsonNode defaults = root.path("defaults");
        Optional<CacheSpec> cache = cache(defaults.path("cache"), Optional.empty(), "defaults.cache");
        if (p.has("cache")) {
            cache = cache(p.get("cache"), cache, "pipelines." + name + ".cache");
        }
        Optional<RetrySpec> retry = retry(p.has("retry") ? p.get("retry") : defaults.path("retry"));
        List<CallSite> fallbacks = new ArrayList<>();
        p.path("fallbacks").forEach(f -> fallbacks.add(names.site(text(f), "fallbacks")));
        Map<String, Target> downgrades = new LinkedHashMap<>();
        List<BudgetSpec> budgets = budgets(root, names, downgrades);
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
            if (!budgets.isEmpty()) {
                Map<String, Target> routes = new LinkedHashMap<>();
                routes.put(name, new Target.Single(primary));
                routes.putAll(downgrades);
                return new PipelineSpec(cache, Optional.of(new RouterSpec(routes, List.of(), name)), Optional.empty(),
                        retry, fallbacks, budgets, List.of());
            }
            return new PipelineSpec(cache, Optional.empty(), Optional.of(new Target.Single(primary)),
                    retry, fallbacks, Optional.empty());
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
            when.path("keywords").forEach(k -> keywords.add(k.asText()));
            rules.add(RouteRule.ofGateway(routeName, new RouteConditions(optInt(when, "min_chars"),
                    optInt(when, "max_chars"), keywords, Optional.ofNullable(when.path("complexity").textValue()),
                    share(when, "budget_utilization_below"), share(when, "budget_utilization_above"))));
        }
        CallSite defaultSite = names.site(p.path("default_route").asText(name), "pipelines." + name + ".default_route");
        routes.putIfAbsent("default", new Target.Single(defaultSite));
        routes.putAll(downgrades);
        return new PipelineSpec(cache, Optional.of(new RouterSpec(routes, rules, "default")), Optional.empty(), retry,
                fallbacks, budgets, List.of());
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
                CallSite site = names.site(member, at);
                if (executors.stream().noneMatch(e -> e.model().equals(site.model()))) {
                    executors.add(site);
                }
            }
        }
        String orchestrator = names.members(text(p.get("default_route"))).getFirst();
        JsonNode baseline = p.has("baseline") ? p.get("baseline") : root.path("defaults").path("baseline");
        String baselinePath = p.has("baseline") ? path + ".baseline" : "defaults.baseline";
        CallSite orchestratorSite = names.site(orchestrator, path + ".default_route");
        return new Target.Workflow(executors, orchestratorSite, baseline.isValueNode()
                ? names.model(names.members(text(baseline)).getFirst(), baselinePath) : orchestratorSite.model(),
                p.path("validate").asBoolean(false));
    }

    /**
     * The budgets that hold every request in the gateway, in its order (that of {@code budgets}): each
     * {@code scope: global} one, and each {@code scope: model} one (counted per model). Key, team and user budgets
     * depend on the caller, which a trace does not name, so they are left out. A downgrading budget's
     * {@code downgrade_to} becomes a route of {@code downgrades}: {@code budget-downgrade} for the first model
     * downgraded to, {@code budget-downgrade:NAME} for each other.
     */
    private static List<BudgetSpec> budgets(JsonNode root, Names names, Map<String, Target> downgrades) {
        List<BudgetSpec> budgets = new ArrayList<>();
        Map<String, String> routeOf = new HashMap<>();
        int index = 0;
        for (JsonNode b : root.path("budgets")) {
            String path = "budgets[" + index++ + "]";
            String scope = b.path("scope").asText("global");
            if (!"global".equals(scope) && !"model".equals(scope)) {
                continue;
            }
            Optional<String> route = Optional.empty();
            List<CallSite> downgradeRest = List.of();
            if ("downgrade".equals(b.path("on_exhausted").asText("reject")) && b.has("downgrade_to")) {
                String to = text(b.get("downgrade_to"));
                CallSite site = names.site(to, path + ".downgrade_to");
                route = Optional.of(routeOf.computeIfAbsent(to, t -> routeOf.isEmpty() ? "budget-downgrade"
                        : "budget-downgrade:" + t));
                downgrades.putIfAbsent(route.get(), new Target.Single(site));
                // the gateway then calls downgrade_to's models only: a group's rest, not the pipeline's fallbacks
                downgradeRest = names.groupRest(to).stream().map(CallSite::of).toList();
            }
            budgets.add(new BudgetSpec(Money.of(text(b.path("limit"))), window(b, path), List.of(), route,
                    downgradeRest, "model".equals(scope)));
        }
        return budgets;
    }

    /**
     * A budget's {@code window} as the gateway counts it: a UTC day or calendar month, the month when it names none.
     */
    private static BudgetWindow window(JsonNode budget, String path) {
        String window = text(budget.path("window")).toLowerCase(Locale.ROOT);
        return switch (window.isEmpty() ? "month" : window) {
            case "day" -> BudgetWindow.daily(ZoneOffset.UTC);
            case "month" -> BudgetWindow.monthly(ZoneOffset.UTC);
            default -> throw new ScenarioException(path + ".window: expected day or month, was '" + window + "'");
        };
    }

    /** A model's {@code prompt_caching}, as the gateway reads it: {@code none} (the default) or tools_and_system. */
    private static AnthropicPromptCaching promptCaching(JsonNode model, String path) {
        String value = text(model.path("prompt_caching"));
        return switch (value) {
            case "", "none" -> AnthropicPromptCaching.NONE;
            case "tools_and_system" -> AnthropicPromptCaching.TOOLS_AND_SYSTEM;
            default -> throw new ScenarioException(path + ": expected none or tools_and_system, was '" + value + "'");
        };
    }

    private static Optional<Double> share(JsonNode when, String field) {
        return when.has(field) ? Optional.of(when.get(field).asDouble()) : Optional.empty();
    }

    private static Optional<CacheSpec> cache(JsonNode c, Optional<CacheSpec> base, String path) {
        if (c.isMissingNode() || !c.path("enabled").asBoolean(true)) {
            return c.isMissingNode() ? base : Optional.empty();
        }
        Duration ttl = c.has("ttl") ? ScenarioReader.duration(text(c.get("ttl")))
                : base.map(CacheSpec::ttl).orElse(CacheSpec.DEFAULT_TTL);
        long size = c.has("max_entries") ? c.get("max_entries").asLong()
                : base.map(CacheSpec::maxSize).orElse(CacheSpec.DEFAULT_MAX_SIZE);
        try {
            return Optional.of(new CacheSpec(ttl, size));
        } catch (ScenarioException e) {
            throw new ScenarioException(path + ": " + e.getMessage(), e);
        }
    }

    private static Optional<RetrySpec> retry(JsonNode r) {
        if (r.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new RetrySpec(r.path("max_retries").asInt(2),
                r.has("initial_delay") ? ScenarioReader.duration(text(r.get("initial_delay"))) : Duration.ofMillis(200),
                r.has("max_delay") ? ScenarioReader.duration(text(r.get("max_delay"))) : Duration.ofSeconds(5)));
    }

    private static Optional<Integer> optInt(JsonNode n, String field) {
        return n.has(field) ? Optional.of(n.get(field).asInt()) : Optional.empty();
    }

    /** The text of a scalar, a {@code ${VAR:-default}} read as its default. */
    private static String text(JsonNode n) {
        String s = n.asText("");
        if (s.startsWith("${") && s.endsWith("}")) {
            int d = s.indexOf(":-");
            return d < 0 ? "" : s.substring(d + 2, s.length() - 1);
        }
        return s;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Resolves gateway model names, aliases and groups to catalog models. */
    private final class Names {
        private final Map<String, String> deployed = new HashMap<>();
        /** Deployed models configured on a service tier ({@code service_tier: flex}). */
        private final Map<String, ServiceTier> tiers = new HashMap<>();
        /** Deployed models that mark Anthropic's prompt cache ({@code prompt_caching: tools_and_system}). */
        private final Map<String, AnthropicPromptCaching> caching = new HashMap<>();
        private final Map<String, String> aliases = new HashMap<>();
        private final Map<String, List<String>> groups = new HashMap<>();

        private final ModelCatalog catalog;

        Names(JsonNode root, ModelCatalog priced) {
            this.catalog = priced;
            for (JsonNode m : root.path("models")) {
                String name = text(m.path("name"));
                String upstream = m.has("model") ? text(m.get("model")) : name;
                // a priced deployment is the entry of its own name; otherwise the catalog's upstream model
                Optional<ModelInfo> info = m.has("price") ? catalog.find(name)
                        : catalog.find(upstream).or(() -> catalog.find(name));
                deployed.put(name, info.map(ModelInfo::name).orElseThrow(() -> new ScenarioException("models."
                        + name + ": model '" + upstream + "' is not in the catalog, so the planner cannot price it;"
                        + " give it a price: {input, output}")));
                ServiceTier.fromWireName(text(m.path("service_tier"))).ifPresent(t -> tiers.put(name, t));
                caching.put(name, promptCaching(m, "models." + name + ".prompt_caching"));
            }
            root.path("aliases").properties().forEach(e -> aliases.put(e.getKey(), text(e.getValue())));
            root.path("groups").properties().forEach(e -> {
                List<String> members = new ArrayList<>();
                e.getValue().forEach(x -> members.add(text(x)));
                groups.put(e.getKey(), members);
            });
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
            String n = unaliased(name);
            if (groups.containsKey(n) && !groups.get(n).isEmpty()) {
                n = groups.get(n).getFirst();
            }
            if (deployed.containsKey(n)) {
                return deployed.get(n);
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
            String deployment = deployment(name);
            return CallSite.of(model(name, path)).withServiceTier(Optional.ofNullable(tiers.get(deployment)))
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
