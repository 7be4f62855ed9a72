package dev.costwise.planner.scenario;

import static dev.costwise.planner.scenario.GatewayConfigRules.kind;
import static dev.costwise.planner.scenario.GatewayConfigRules.optBoolean;
import static dev.costwise.planner.scenario.GatewayConfigRules.optDuration;
import static dev.costwise.planner.scenario.GatewayConfigRules.optEnum;
import static dev.costwise.planner.scenario.GatewayConfigRules.optInt;
import static dev.costwise.planner.scenario.GatewayConfigRules.optShare;
import static dev.costwise.planner.scenario.GatewayConfigRules.optString;
import static dev.costwise.planner.scenario.GatewayConfigRules.problem;
import static dev.costwise.planner.scenario.GatewayConfigRules.reqHeaderSafe;
import static dev.costwise.planner.scenario.GatewayConfigRules.reqMoney;
import static dev.costwise.planner.scenario.GatewayConfigRules.reqString;
import static dev.costwise.planner.scenario.GatewayConfigRules.requireTarget;
import static dev.costwise.planner.scenario.GatewayConfigRules.stringList;
import static dev.costwise.planner.scenario.GatewayConfigRules.unknownFields;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.DurationText;
import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sections of a gateway configuration the planner uses ({@code models}, {@code groups}, {@code aliases},
 * {@code defaults}, {@code pipelines}, {@code keys} and {@code budgets}), read and checked by the gateway's rules
 * ({@link GatewayConfigRules}): a file the gateway refuses for a problem in one of them is refused with the gateway's
 * problem line. Sections that do not change what a request costs (server, ledger, alerts, tests, throttles, redis)
 * and fields the gateway checks against its provider list, the environment or rules of its own (provider ids, API
 * keys and base URLs, a virtual key's secret and tags) are left to {@code costwise config check}.
 *
 * @param models the configured models, in order
 * @param groups each group's members, in order
 * @param aliases each alias and the name it stands for
 * @param targets every name a route, fallback or budget may call: the models, then the groups, then the aliases
 * @param defaults the settings of a model served without a pipeline of its own: the defaults' over the gateway's
 * @param pipelines each pipeline's settings, its own over the {@code defaults}, field by field, in order
 * @param keys the virtual keys, in order
 * @param budgets the budgets, in order
 */
record GatewayConfigSections(List<Deployment> models, Map<String, List<String>> groups, Map<String, String> aliases,
        Set<String> targets, Settings defaults, Map<String, Settings> pipelines, List<Key> keys,
        List<Budget> budgets) {

    private static final List<String> BUDGET_SCOPES = List.of("global", "key", "model", "team", "user");
    private static final List<String> WINDOWS = List.of("day", "month");
    private static final List<String> ON_EXHAUSTED = List.of("reject", "downgrade");
    private static final List<String> CACHE_SCOPES = List.of("key", "shared");
    private static final List<String> BACKOFFS = List.of("constant", "linear", "exponential");
    private static final Set<String> COMPLEXITIES = Set.of("simple", "moderate", "complex");

    GatewayConfigSections {
        models = List.copyOf(models);
        groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        aliases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        targets = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(targets));
        pipelines = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
        keys = List.copyOf(keys);
        budgets = List.copyOf(budgets);
    }

    /**
     * What a pipeline inherits from the {@code defaults} field by field, as the gateway reads it.
     *
     * @param retry its retry
     * @param maxReasoningEffort the most reasoning a request may ask for, if capped: the gateway lowers a request's
     *     reasoning to it before taking the cache key
     */
    record Settings(RetrySpec retry, Optional<ReasoningEffort> maxReasoningEffort) {
        /** The gateway's where a configuration sets none: 2 retries, from 200 ms up to 5 s; no cap. */
        static final Settings GATEWAY = new Settings(new RetrySpec(2, Duration.ofMillis(200), Duration.ofSeconds(5)),
                Optional.empty());
    }

    /**
     * A configured model.
     *
     * @param name what callers send
     * @param provider its provider id
     * @param upstream the provider's model id ({@code model}, else the name)
     * @param price its configured prices, if any
     * @param contextWindow its configured context window, if any
     * @param maxOutputTokens its configured output limit, if any
     * @param caching where its adapter marks Anthropic's prompt cache
     * @param tier the service tier it is configured on, if any
     */
    record Deployment(String name, String provider, String upstream, Optional<Pricing> price,
            Optional<Integer> contextWindow, Optional<Integer> maxOutputTokens, AnthropicPromptCaching caching,
            Optional<ServiceTier> tier) {

        /**
         * @return whether it sets a context window or output limit of its own, which the gateway holds it to whether
         *     or not it has a price of its own
         */
        boolean ownLimits() {
            return contextWindow.isPresent() || maxOutputTokens.isPresent();
        }
    }

    /**
     * A virtual key of the file, as budgets see it.
     *
     * @param id its id
     * @param budget its own limit, if it has one
     * @param window that limit's window: {@code day} or {@code month}
     * @param team its {@code team} tag, which team budgets count it under
     * @param models the model names it may call; empty for every one
     */
    record Key(String id, Optional<Money> budget, String window, Optional<String> team, List<String> models) {

        /** @return whether the gateway lets it call {@code name}, the model name a request sends */
        boolean allows(String name) {
            return models.isEmpty() || models.contains(name);
        }
    }

    /**
     * A configured budget.
     *
     * @param path where it is in the file ({@code budgets[0]})
     * @param name its name
     * @param scope {@code global}, {@code key}, {@code model}, {@code team} or {@code user}
     * @param window {@code day} or {@code month}
     * @param limit its limit
     * @param downgradeTo where {@code on_exhausted: downgrade} sends a request; empty for {@code reject}
     */
    record Budget(String path, String name, String scope, String window, Money limit, Optional<String> downgradeTo) {}

    /**
     * Reads and checks the sections.
     *
     * @param root the configuration
     * @return the sections
     * @throws ScenarioException with the gateway's problem line for each problem found: every model, group, alias,
     *     route, pipeline, key and budget is checked, as the gateway lists every problem at once
     */
    static GatewayConfigSections read(JsonNode root) {
        ConfigProblems problems = new ConfigProblems();
        Set<String> modelNames = new LinkedHashSet<>();
        List<Deployment> models = models(root.path("models"), modelNames, problems);
        Map<String, List<String>> groups = groups(root.path("groups"), modelNames, problems);
        Set<String> targets = new LinkedHashSet<>(modelNames);
        targets.addAll(groups.keySet());
        Map<String, String> aliases = aliases(root.path("aliases"), targets, problems);
        targets.addAll(aliases.keySet());
        Settings defaults = Settings.GATEWAY;
        if (root.has("defaults")) {
            defaults = problems.check(() -> pipeline(root.path("defaults"), "defaults", targets, aliases, null,
                    Settings.GATEWAY, problems)).orElse(Settings.GATEWAY);
        }
        Settings inherited = defaults;
        Map<String, Settings> settings = new LinkedHashMap<>();
        JsonNode ps = root.path("pipelines");
        if (!ps.isMissingNode() && !ps.isNull()) {
            if (!ps.isObject()) {
                problems.add(problem("pipelines", "expected a mapping of model name → pipeline, found " + kind(ps)));
            }
            ps.properties().forEach(e -> problems.check(() -> pipeline(e.getValue(), "pipelines." + e.getKey(),
                    targets, aliases, e.getKey(), inherited, problems)).ifPresent(r -> settings.put(e.getKey(), r)));
        }
        Set<String> callable = new LinkedHashSet<>(targets);
        if (ps.isObject()) {
            ps.fieldNames().forEachRemaining(callable::add);
        }
        List<Key> keys = keys(root.path("keys"), callable, problems);
        List<Budget> budgets = budgets(root.path("budgets"), targets, problems);
        problems.throwIfAny();
        return new GatewayConfigSections(models, groups, aliases, targets, defaults, settings, keys, budgets);
    }

    /**
     * @param names gets every model's name, a model with a problem's too (what refers to it is then no problem)
     */
    private static List<Deployment> models(JsonNode n, Set<String> names, ConfigProblems problems) {
        List<Deployment> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            problems.add(problem("models", "expected a list of models, found " + kind(n)));
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode m = n.get(i);
            String p = "models[" + i + "]";
            Optional<Deployment> d = problems.check(() -> model(m, p, names));
            d.ifPresent(out::add);
            if (d.isEmpty() && m.path("name").isTextual()) { // what refers to it is no further problem
                names.add(GatewayConfigRules.substitute(m.path("name").asText()).trim());
            }
        }
        return out;
    }

    /** @param seen the names of the models before it, to which its own is added */
    private static Deployment model(JsonNode m, String p, Set<String> seen) {
        if (!m.isObject()) {
            throw problem(p, "expected a mapping with name and provider, found " + kind(m));
        }
        String name = reqHeaderSafe(m, "name", p + ".name", "x-costwise-model-used");
        if (!seen.add(name)) {
            throw problem(p + ".name", "duplicate model name '" + name + "'");
        }
        String provider = reqString(m, "provider", p + ".provider");
        String upstream = optString(m, "model", p + ".model").orElse(name);
        Optional<Pricing> price = m.has("price")
                ? Optional.of(GatewayConfigRules.price(m.path("price"), p + ".price", Optional.of(provider)))
                : Optional.empty();
        Optional<Integer> window = optInt(m, "context_window", p + ".context_window", 1, Integer.MAX_VALUE);
        Optional<Integer> maxOut = optInt(m, "max_output_tokens", p + ".max_output_tokens", 1, Integer.MAX_VALUE);
        AnthropicPromptCaching caching = GatewayConfigRules.promptCaching(m, p + ".prompt_caching",
                Optional.of(provider));
        Optional<ServiceTier> tier = GatewayConfigRules.serviceTier(m, p + ".service_tier", Optional.of(provider));
        return new Deployment(name, provider, upstream, price, window, maxOut, caching, tier);
    }

    /** A group with a problem is kept without members: what refers to it is no further problem. */
    private static Map<String, List<String>> groups(JsonNode n, Set<String> models, ConfigProblems problems) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            problems.add(problem("groups", "expected a mapping of group name → list of models, found " + kind(n)));
            return out;
        }
        n.properties().forEach(e -> problems.check(() -> {
            out.put(e.getKey(), List.of());
            String p = "groups." + e.getKey();
            if (models.contains(e.getKey())) {
                throw problem(p, "group name '" + e.getKey() + "' is already a model name");
            }
            List<String> members = stringList(e.getValue(), p);
            for (int i = 0; i < members.size(); i++) {
                if (!models.contains(members.get(i))) {
                    throw problem(p + "[" + i + "]", "unknown model '" + members.get(i) + "' (known: "
                            + String.join(", ", models) + ")");
                }
            }
            if (members.isEmpty()) {
                throw problem(p, "a group needs at least one model");
            }
            out.put(e.getKey(), members);
        }));
        return out;
    }

    /** An alias with a problem is kept, naming nothing: what refers to it is no further problem. */
    private static Map<String, String> aliases(JsonNode n, Set<String> targets, ConfigProblems problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            problems.add(problem("aliases", "expected a mapping of alias → model or group, found " + kind(n)));
            return out;
        }
        n.properties().forEach(e -> problems.check(() -> {
            out.put(e.getKey(), "");
            String p = "aliases." + e.getKey();
            if (!e.getValue().isTextual()) {
                throw problem(p, "expected a model name, found " + kind(e.getValue()));
            }
            String target = GatewayConfigRules.substitute(e.getValue().asText());
            if (!targets.contains(target)) {
                throw problem(p, "unknown model or group '" + target + "' (known: " + String.join(", ", targets)
                        + ")");
            }
            if (targets.contains(e.getKey())) {
                throw problem(p, "alias '" + e.getKey() + "' is already a model or group name");
            }
            out.put(e.getKey(), target);
        }));
        return out;
    }

    /**
     * Checks a pipeline (or the defaults) as the gateway does.
     *
     * @param name the pipeline's name; null for the defaults
     * @param base the settings it inherits
     * @return its settings: each field it sets, else the inherited one's
     */
    private static Settings pipeline(JsonNode n, String p, Set<String> targets, Map<String, String> aliases,
            String name, Settings base, ConfigProblems problems) {
        if (!n.isObject()) {
            throw problem(p, "expected a mapping, found " + kind(n));
        }
        problems.check(() -> unknownFields(n, p, Set.of("cache", "routes", "default_route", "fallbacks",
                "context_window_fallback", "retry", "timeout", "workflow", "validate", "baseline",
                "max_reasoning_effort")));
        if (n.has("cache")) {
            problems.check(() -> cache(n.path("cache"), p + ".cache"));
        }
        JsonNode rs = n.path("routes");
        int routes = 0;
        if (!rs.isMissingNode() && !rs.isNull()) {
            if (!rs.isArray()) {
                throw problem(p + ".routes", "expected a list of route rules, found " + kind(rs));
            }
            Set<String> names = new LinkedHashSet<>();
            for (int i = 0; i < rs.size(); i++) {
                String at = p + ".routes[" + i + "]";
                JsonNode r = rs.get(i);
                problems.check(() -> {
                    String rule = route(r, at, targets);
                    if (!names.add(rule)) {
                        throw problem(at + ".name", "duplicate route name '" + rule + "'");
                    }
                });
            }
            routes = rs.size();
        }
        Optional<String> defaultRoute = optString(n, "default_route", p + ".default_route");
        defaultRoute.ifPresent(t -> requireTarget(t, p + ".default_route", targets));
        List<String> fallbacks = n.has("fallbacks") ? stringList(n.path("fallbacks"), p + ".fallbacks") : List.of();
        for (int i = 0; i < fallbacks.size(); i++) {
            requireTarget(fallbacks.get(i), p + ".fallbacks[" + i + "]", targets);
        }
        optString(n, "context_window_fallback", p + ".context_window_fallback")
                .ifPresent(t -> requireTarget(t, p + ".context_window_fallback", targets));
        RetrySpec retry = n.has("retry") ? retry(n.path("retry"), p + ".retry", base.retry()) : base.retry();
        optDuration(n, "timeout", p + ".timeout");
        boolean workflow = optBoolean(n, "workflow", p + ".workflow").orElse(false);
        if (workflow && routes == 0) {
            throw problem(p + ".workflow", "the multi-model workflow needs routes naming the executor models");
        }
        if (workflow && defaultRoute.isEmpty()) {
            throw problem(p + ".default_route", "the multi-model workflow needs default_route: the orchestrator "
                    + "(premium) model");
        }
        if (optBoolean(n, "validate", p + ".validate").orElse(false) && !workflow) {
            throw problem(p + ".validate", "validation is a step of the multi-model workflow: set workflow: true");
        }
        optString(n, "baseline", p + ".baseline").ifPresent(t -> requireTarget(t, p + ".baseline", targets));
        Optional<ReasoningEffort> maxEffort = optString(n, "max_reasoning_effort", p + ".max_reasoning_effort")
                .map(e -> reasoningEffort(e, p + ".max_reasoning_effort")).or(base::maxReasoningEffort);
        for (int i = 0; name != null && i < fallbacks.size(); i++) {
            String f = fallbacks.get(i);
            if (f.equals(name) || f.equals(aliases.get(name)) || name.equals(aliases.get(f))) {
                throw problem(p + ".fallbacks[" + i + "]", "'" + f + "' is the pipeline's own model: a fallback must"
                        + " be another model");
            }
        }
        return new Settings(retry, maxEffort);
    }

    private static ReasoningEffort reasoningEffort(String effort, String p) {
        return ReasoningEffort.fromWireName(effort).orElseThrow(() -> problem(p, "unknown effort '" + effort
                + "' (known: " + ReasoningEffort.wireNames() + ")"));
    }

    /** @return the route's name */
    private static String route(JsonNode n, String p, Set<String> targets) {
        if (!n.isObject()) {
            throw problem(p, "expected a mapping with name, model and when, found " + kind(n));
        }
        unknownFields(n, p, Set.of("name", "model", "when", "max_reasoning_effort"));
        String name = reqHeaderSafe(n, "name", p + ".name", "x-costwise-route");
        requireTarget(reqString(n, "model", p + ".model"), p + ".model", targets);
        JsonNode w = n.path("when");
        String wp = p + ".when";
        if (!w.isMissingNode() && !w.isNull()) {
            if (!w.isObject()) {
                throw problem(wp, "expected a mapping of conditions, found " + kind(w));
            }
            unknownFields(w, wp, Set.of("min_chars", "max_chars", "keywords", "complexity",
                    "budget_utilization_below", "budget_utilization_above", "rate_limit_headroom_above"));
            optInt(w, "min_chars", wp + ".min_chars", 0, Integer.MAX_VALUE);
            optInt(w, "max_chars", wp + ".max_chars", 0, Integer.MAX_VALUE);
            if (w.has("keywords")) {
                stringList(w.path("keywords"), wp + ".keywords");
            }
            optString(w, "complexity", wp + ".complexity").filter(c -> !COMPLEXITIES.contains(c))
                    .ifPresent(c -> {
                        throw problem(wp + ".complexity", "unknown complexity '" + c + "' (known: simple, "
                                + "moderate, complex)");
                    });
            optShare(w, "budget_utilization_below", wp + ".budget_utilization_below");
            optShare(w, "budget_utilization_above", wp + ".budget_utilization_above");
            optShare(w, "rate_limit_headroom_above", wp + ".rate_limit_headroom_above").filter(v -> v >= 1)
                    .ifPresent(v -> {
                        throw problem(wp + ".rate_limit_headroom_above", "can never match: a model never has more"
                                + " than all (1) of its rate limit left; give a share below 1");
                    });
        }
        optString(n, "max_reasoning_effort", p + ".max_reasoning_effort")
                .ifPresent(e -> reasoningEffort(e, p + ".max_reasoning_effort"));
        return name;
    }

    private static void cache(JsonNode n, String p) {
        if (n.isBoolean()) {
            return;
        }
        if (!n.isObject()) {
            throw problem(p, "expected a mapping (enabled, scope, ttl, max_entries) or true/false, found " + kind(n));
        }
        unknownFields(n, p, Set.of("enabled", "scope", "ttl", "max_entries"));
        optBoolean(n, "enabled", p + ".enabled");
        optEnum(n, "scope", p + ".scope", CACHE_SCOPES);
        optDuration(n, "ttl", p + ".ttl");
        optInt(n, "max_entries", p + ".max_entries", 1, Integer.MAX_VALUE);
    }

    private static RetrySpec retry(JsonNode n, String p, RetrySpec base) {
        if (!n.isObject()) {
            throw problem(p, "expected a mapping (max_retries, backoff, initial_delay, max_delay, budget_ratio, "
                    + "budget_min_per_second), found " + kind(n));
        }
        unknownFields(n, p, Set.of("max_retries", "backoff", "initial_delay", "max_delay", "budget_ratio",
                "budget_min_per_second"));
        int retries = optInt(n, "max_retries", p + ".max_retries", 0, 10).orElse(base.maxRetries());
        optEnum(n, "backoff", p + ".backoff", BACKOFFS);
        Duration initial = optDuration(n, "initial_delay", p + ".initial_delay").orElse(base.initialDelay());
        Duration max = optDuration(n, "max_delay", p + ".max_delay").orElse(base.maxDelay());
        if (max.compareTo(initial) < 0) {
            throw problem(p + ".max_delay", "must be >= initial_delay (" + DurationText.format(initial) + "), was "
                    + DurationText.format(max));
        }
        optShare(n, "budget_ratio", p + ".budget_ratio");
        optInt(n, "budget_min_per_second", p + ".budget_min_per_second", 0, 100_000);
        return new RetrySpec(retries, initial, max);
    }

    private static List<Key> keys(JsonNode n, Set<String> callable, ConfigProblems problems) {
        List<Key> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            problems.add(problem("keys", "expected a list of virtual keys, found " + kind(n)));
            return out;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String p = "keys[" + i + "]";
            JsonNode k = n.get(i);
            problems.check(() -> {
                if (!k.isObject()) {
                    throw problem(p, "expected a mapping with id and key_sha256, found " + kind(k));
                }
                unknownFields(k, p, Set.of("id", "key", "key_sha256", "models", "budget", "budget_window", "rpm",
                        "tpm", "tags"));
                String id = reqString(k, "id", p + ".id");
                if (!ids.add(id)) {
                    throw problem(p + ".id", "duplicate key id '" + id + "'");
                }
                List<String> models = k.has("models") ? stringList(k.path("models"), p + ".models") : List.of();
                for (int j = 0; j < models.size(); j++) {
                    if (!callable.contains(models.get(j))) {
                        throw problem(p + ".models[" + j + "]", "unknown model '" + models.get(j) + "' (known: "
                                + String.join(", ", callable) + ")");
                    }
                }
                Optional<Money> budget = GatewayConfigRules.optMoney(k, "budget", p + ".budget");
                String window = optEnum(k, "budget_window", p + ".budget_window", WINDOWS).orElse("month");
                optInt(k, "rpm", p + ".rpm", 1, Integer.MAX_VALUE);
                optInt(k, "tpm", p + ".tpm", 1, Integer.MAX_VALUE);
                out.add(new Key(id, budget, window, team(k.path("tags"), p + ".tags"), models));
            });
        }
        return out;
    }

    /** @return a key's {@code team} tag, its {@code tags} read as the gateway reads a mapping of name → value */
    private static Optional<String> team(JsonNode n, String p) {
        if (n.isMissingNode() || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw problem(p, "expected a mapping of name → value, found " + kind(n));
        }
        n.properties().forEach(e -> {
            if (!e.getValue().isValueNode()) {
                throw problem(p + "." + e.getKey(), "expected a value, found " + kind(e.getValue()));
            }
        });
        return n.has("team") ? Optional.of(GatewayConfigRules.substitute(n.get("team").asText())) : Optional.empty();
    }

    private static List<Budget> budgets(JsonNode n, Set<String> targets, ConfigProblems problems) {
        List<Budget> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            problems.add(problem("budgets", "expected a list of budgets, found " + kind(n)));
            return out;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String p = "budgets[" + i + "]";
            JsonNode b = n.get(i);
            problems.check(() -> {
                if (!b.isObject()) {
                    throw problem(p, "expected a mapping with name, limit and window, found " + kind(b));
                }
                unknownFields(b, p, Set.of("name", "scope", "window", "limit", "on_exhausted", "downgrade_to",
                        "alert_at"));
                String name = reqHeaderSafe(b, "name", p + ".name", "x-costwise-route");
                if (!names.add(name)) {
                    throw problem(p + ".name", "duplicate budget name '" + name + "'");
                }
                String scope = optEnum(b, "scope", p + ".scope", BUDGET_SCOPES).orElse("global");
                String window = optEnum(b, "window", p + ".window", WINDOWS).orElse("month");
                Money limit = reqMoney(b, "limit", p + ".limit");
                String on = optEnum(b, "on_exhausted", p + ".on_exhausted", ON_EXHAUSTED).orElse("reject");
                Optional<String> downgrade = optString(b, "downgrade_to", p + ".downgrade_to");
                downgrade.ifPresent(t -> requireTarget(t, p + ".downgrade_to", targets));
                if (on.equals("downgrade") && downgrade.isEmpty()) {
                    throw problem(p + ".downgrade_to",
                            "on_exhausted: downgrade needs downgrade_to (a free or cheap model)");
                }
                if (!on.equals("downgrade") && downgrade.isPresent()) {
                    throw problem(p + ".downgrade_to", "is used only with on_exhausted: downgrade; this budget has "
                            + "on_exhausted: " + on + " and would never downgrade");
                }
                alertAt(b.path("alert_at"), p + ".alert_at");
                out.add(new Budget(p, name, scope, window, limit, downgrade));
            });
        }
        return out;
    }

    private static void alertAt(JsonNode a, String p) {
        if (a.isMissingNode()) {
            return;
        }
        if (!a.isArray()) {
            throw problem(p, "expected a list of shares such as [0.5, 0.8], found " + kind(a));
        }
        for (int j = 0; j < a.size(); j++) {
            if (!a.get(j).isNumber() || a.get(j).asDouble() <= 0 || a.get(j).asDouble() > 1) {
                throw problem(p + "[" + j + "]", "expected a share in (0, 1], was " + a.get(j));
            }
        }
    }

    /**
     * @param pipeline a pipeline's name, or a model's that is served without a pipeline of its own
     * @return its settings, as the gateway reads them
     */
    Settings settings(String pipeline) {
        return pipelines.getOrDefault(pipeline, defaults);
    }

    /** @return a configured model by name */
    Optional<Deployment> model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
