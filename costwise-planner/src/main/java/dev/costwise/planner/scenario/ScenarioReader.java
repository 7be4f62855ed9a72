package dev.costwise.planner.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.sim.SimulatedFailure;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads scenario and pipeline YAML. Every error names the source, the field path and the value, for example
 * {@code pattern1.yaml: after.router.routes.mini.model: unknown model 'gpt-4o-mni' (did you mean gpt-4o-mini?)}.
 *
 * <p>Thread-safe.
 */
public final class ScenarioReader {
    private static final Set<String> SITE_FIELDS =
            Set.of("model", "inputTokens", "outputTokens", "cache", "label", "serviceTier");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> PIPELINE_FIELDS = Set.of("cache", "router", "model", "steps", "retry",
            "fallbacks", "budget");
    private static final Set<String> SCENARIO_FIELDS = Set.of("name", "title", "description", "seed", "daysPerMonth",
            "traffic", "models", "beforeModels", "afterModels", "before", "after", "monthlyBudget", "claims",
            "failureSampling");
    private static final Set<String> TRAFFIC_FIELDS = Set.of("requestsPerDay", "promptTokens", "outputTokens",
            "classes", "repetition");

    private final ModelCatalog catalog;

    private ScenarioReader(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * A reader that checks model names against {@code catalog}.
     *
     * @param catalog the catalog
     * @return the reader
     */
    public static ScenarioReader of(ModelCatalog catalog) {
        return new ScenarioReader(Objects.requireNonNull(catalog, "catalog"));
    }

    /**
     * Parses a scenario.
     *
     * @param yaml the YAML text
     * @param source the file or resource name, for messages
     * @return the scenario
     * @throws ScenarioException if the YAML is malformed or a field is missing or wrong: every problem found, one a
     *     line with its path ({@code t.yaml: 2 problems:}), as the gateway lists a configuration's
     */
    public Scenario readScenario(String yaml, String source) {
        JsonNode root = parse(yaml, source);
        ConfigProblems problems = new ConfigProblems();
        return complete(problems.check(() -> scenario(new At(root, ""), problems)), problems, source);
    }

    /**
     * Parses a pipeline on its own (for {@code replay --pipeline FILE}).
     *
     * @param yaml the YAML text, the pipeline fields at the top level or under {@code pipeline:}
     * @param source the file name, for messages
     * @return the pipeline
     * @throws ScenarioException if a field is missing or wrong: every problem found, one a line with its path
     */
    public PipelineSpec readPipeline(String yaml, String source) {
        JsonNode root = parse(yaml, source);
        ConfigProblems problems = new ConfigProblems();
        At at = new At(root, "");
        return complete(problems.check(() -> pipeline(root.has("pipeline") ? at.get("pipeline") : at, problems)),
                problems, source);
    }

    /** @return what was read, if no problem was found; else fails with every problem, naming the source */
    private static <T> T complete(Optional<T> read, ConfigProblems problems, String source) {
        try {
            problems.throwIfAny();
        } catch (ScenarioException e) {
            throw new ScenarioException(source + ": " + e.getMessage(), e);
        }
        return read.orElseThrow();
    }

    private static JsonNode parse(String yaml, String source) {
        try {
            JsonNode root = YAML.readTree(yaml);
            if (root == null || !root.isObject()) {
                throw new ScenarioException(source + ": expected a YAML mapping at the top level");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ScenarioException(source + ": malformed YAML: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Each part of a scenario is checked on its own, so every problem is listed; the scenario is built when none was
     * found (the same holds for each part read from parts).
     */
    private Scenario scenario(At at, ConfigProblems problems) {
        int mark = problems.mark();
        at.requireFieldsIn(SCENARIO_FIELDS, problems);
        Optional<String> name = problems.check(() -> at.text("name"));
        Optional<String> title = problems.checkOptional(() -> at.optText("title"));
        Optional<String> description = problems.checkOptional(() -> at.optText("description"));
        Optional<Long> seed = problems.check(() -> at.optLong("seed").orElse(42));
        Optional<Integer> days = problems.check(() -> daysPerMonth(at));
        Optional<Money> budget = problems.checkOptional(() -> at.opt("monthlyBudget").map(b -> Money.of(b.decimal())));
        Optional<String> failureSampling = problems.check(() -> sampling(at, "failureSampling"));
        Optional<TrafficSpec> traffic = problems.check(() -> traffic(at.get("traffic"), problems));
        Map<String, ModelSettings> models = modelMap(at, "models", problems);
        Map<String, ModelSettings> beforeModels = modelMap(at, "beforeModels", problems);
        Map<String, ModelSettings> afterModels = modelMap(at, "afterModels", problems);
        Optional<PipelineSpec> before = problems.check(() -> pipeline(at.get("before"), problems));
        Optional<PipelineSpec> after = problems.check(() -> pipeline(at.get("after"), problems));
        List<Claim> claims = new ArrayList<>();
        problems.check(() -> at.opt("claims").ifPresent(c -> c.elements().forEach(e -> problems.check(() ->
                claims.add(new Claim(e.text("label"), e.text("metric"), e.decimal("spec"),
                        e.opt("max").map(At::decimal), e.optText("note").orElse("")))))));
        problems.throwIfAnySince(mark);
        return new Scenario(name.orElseThrow(), title.orElse(name.orElseThrow()), description.orElse(""),
                seed.orElseThrow(), days.orElseThrow(), traffic.orElseThrow(), models, beforeModels, afterModels,
                before.orElseThrow(), after.orElseThrow(), budget, claims,
                "stratified".equals(failureSampling.orElseThrow()));
    }

    /** A sampling mode: {@code stratified} (the default) or {@code random}; anything else is refused. */
    private static String sampling(At at, String field) {
        String value = at.optText(field).orElse("stratified");
        if (!value.equals("stratified") && !value.equals("random")) {
            throw at.get(field).error("must be stratified or random, was '" + value + "'");
        }
        return value;
    }

    /** The days per month, refused (not truncated to an int) when out of range. */
    private static int daysPerMonth(At at) {
        long days = at.optLong("daysPerMonth").orElse(30);
        ScenarioException.require(days >= 1 && days <= Scenario.MAX_DAYS_PER_MONTH,
                "daysPerMonth must be between 1 and %s, was %s", Scenario.MAX_DAYS_PER_MONTH, days);
        return (int) days;
    }

    /** @return the field's models and their settings, each checked on its own; empty with a problem */
    private Map<String, ModelSettings> modelMap(At at, String field, ConfigProblems problems) {
        Map<String, ModelSettings> models = new LinkedHashMap<>();
        problems.check(() -> at.opt(field).ifPresent(m -> m.fields().forEach(e -> {
            Optional<String> model = problems.check(() -> model(e.getKey(), e.path()));
            Optional<ModelSettings> settings = problems.check(() -> modelSettings(e.at(), problems));
            model.ifPresent(name -> settings.ifPresent(set -> models.put(name, set)));
        })));
        return models;
    }

    private TrafficSpec traffic(At at, ConfigProblems problems) {
        int mark = problems.mark();
        at.requireFieldsIn(TRAFFIC_FIELDS, problems);
        Map<String, Double> classes = new LinkedHashMap<>();
        problems.check(() -> at.opt("classes").ifPresentOrElse(c -> c.fields().forEach(e -> problems.check(() ->
                classes.put(e.getKey(), e.number()))), () -> classes.put("default", 1.0)));
        Optional<Repetition> repetition = problems.check(() -> at.opt("repetition").map(r -> repetition(r, problems))
                .orElse(Repetition.none()));
        Optional<Long> requests = problems.check(() -> at.get("requestsPerDay").longValue());
        Optional<TokenDistribution> prompt = problems.check(() -> tokens(at.get("promptTokens")));
        Optional<TokenDistribution> output = problems.check(() -> tokens(at.get("outputTokens")));
        problems.throwIfAnySince(mark);
        return new TrafficSpec(requests.orElseThrow(), prompt.orElseThrow(), output.orElseThrow(),
                repetition.orElseThrow(), classes);
    }

    private static Repetition repetition(At at, ConfigProblems problems) {
        int mark = problems.mark();
        at.requireFieldsIn(Set.of("zipf"), problems);
        At zipf = at.get("zipf");
        zipf.requireFieldsIn(Set.of("s", "poolSize", "targetHitRate", "sampling"), problems);
        Optional<Double> s = problems.check(() -> zipf.optDouble("s").orElse(1.0));
        Optional<OptionalLong> pool = problems.check(() -> zipf.optLong("poolSize"));
        Optional<OptionalDouble> hitRate = problems.check(() -> zipf.optDouble("targetHitRate"));
        Optional<String> sampling = problems.check(() -> sampling(zipf, "sampling"));
        problems.throwIfAnySince(mark);
        return new Repetition(s.orElseThrow(), pool.orElseThrow(), hitRate.orElseThrow(),
                "stratified".equals(sampling.orElseThrow()));
    }

    private ModelSettings modelSettings(At at, ConfigProblems problems) {
        int mark = problems.mark();
        Map<SimulatedFailure, Double> failures = new EnumMap<>(SimulatedFailure.class);
        problems.check(() -> at.opt("failures").ifPresent(f -> f.fields().forEach(e -> problems.check(() -> {
            SimulatedFailure kind;
            try {
                kind = SimulatedFailure.valueOf(e.getKey().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw e.error("unknown failure kind '" + e.getKey() + "'; kinds are "
                        + java.util.Arrays.toString(SimulatedFailure.values()));
            }
            double rate = e.number();
            if (!(rate >= 0 && rate <= 1)) {
                throw e.error("failure rate must be in [0, 1], was " + rate);
            }
            failures.put(kind, rate);
        }))));
        Optional<Boolean> billTimeouts = problems.check(() -> at.optBoolean("billTimeouts").orElse(false));
        problems.throwIfAnySince(mark);
        return new ModelSettings(failures, billTimeouts.orElseThrow());
    }

    private PipelineSpec pipeline(At at, ConfigProblems problems) {
        int mark = problems.mark();
        at.requireFieldsIn(PIPELINE_FIELDS, problems);
        if (at.has("router") == (at.has("model") || at.has("steps"))) {
            problems.add(at.error("needs exactly one of 'router' or 'model'/'steps'"));
        }
        Optional<RouterSpec> router = problems.checkOptional(() -> at.opt("router").map(r -> router(r, problems)));
        Optional<Target> target = problems.checkOptional(() -> at.has("model")
                ? Optional.of(target(at.get("model"), problems))
                : at.has("steps") ? Optional.of(target(at, problems)) : Optional.empty());
        List<CallSite> fallbacks = new ArrayList<>();
        problems.check(() -> at.opt("fallbacks").ifPresent(f -> f.elements().forEach(e -> problems.check(() ->
                fallbacks.add(site(e, problems))))));
        Optional<RetrySpec> retry = problems.checkOptional(() -> at.opt("retry").map(r -> retry(r, problems)));
        Optional<CacheSpec> cache = problems.checkOptional(() -> at.opt("cache").map(ScenarioReader::cache));
        Optional<BudgetSpec> budget = problems.checkOptional(() -> at.opt("budget").map(b -> budget(b, problems)));
        problems.throwIfAnySince(mark);
        try {
            return new PipelineSpec(cache, router, target, retry, fallbacks, budget);
        } catch (ScenarioException e) {
            throw at.error(e.getMessage());
        }
    }

    private static RetrySpec retry(At at, ConfigProblems problems) {
        int mark = problems.mark();
        Optional<Integer> max = problems.check(() -> maxRetries(at.get("maxRetries")));
        Optional<Duration> initial = problems.check(() -> at.optDuration("initialDelay")
                .orElse(Duration.ofSeconds(1)));
        Optional<Duration> most = problems.check(() -> at.optDuration("maxDelay").orElse(Duration.ofSeconds(30)));
        problems.throwIfAnySince(mark);
        return new RetrySpec(max.orElseThrow(), initial.orElseThrow(), most.orElseThrow());
    }

    private static BudgetSpec budget(At at, ConfigProblems problems) {
        int mark = problems.mark();
        List<BudgetSpec.Tier> tiers = new ArrayList<>();
        problems.check(() -> at.opt("tiers").ifPresent(t -> t.elements().forEach(e -> problems.check(() -> {
            double below = e.number("below"); // its errors name their path already
            String route = e.text("route");
            try {
                tiers.add(new BudgetSpec.Tier(below, route));
            } catch (ScenarioException x) {
                throw e.error(x.getMessage());
            }
        }))));
        Optional<Money> daily = problems.check(() -> {
            Money limit = Money.of(at.decimal("daily"));
            if (!limit.isPositive()) {
                throw at.get("daily").error("must be positive, was " + limit);
            }
            return limit;
        });
        Optional<String> exhausted = problems.checkOptional(() -> at.optText("exhausted"));
        problems.throwIfAnySince(mark);
        return BudgetSpec.daily(daily.orElseThrow(), tiers, exhausted);
    }

    private RouterSpec router(At at, ConfigProblems problems) {
        int mark = problems.mark();
        Map<String, Target> routes = new LinkedHashMap<>();
        problems.check(() -> at.get("routes").fields().forEach(e -> problems.check(() ->
                routes.put(e.getKey(), target(e.at(), problems)))));
        List<RouteRule> rules = new ArrayList<>();
        problems.check(() -> at.opt("rules").ifPresent(r -> r.elements().forEach(e -> problems.check(() -> {
            List<String> keywords = new ArrayList<>();
            e.opt("keywords").ifPresent(k -> k.elements().forEach(w -> keywords.add(w.node.asText())));
            OptionalInt max = e.optLong("maxPromptChars").stream().mapToInt(Math::toIntExact).findFirst();
            try {
                OptionalInt min = e.optLong("minPromptChars").stream().mapToInt(Math::toIntExact).findFirst();
                rules.add(new RouteRule(e.optText("class"), max, keywords, e.text("route"), min,
                        e.optDouble("budgetUtilizationBelow"), e.optDouble("budgetUtilizationAbove")));
            } catch (ScenarioException x) {
                throw e.error(x.getMessage());
            }
        }))));
        Optional<String> defaultRoute = problems.checkOptional(() -> at.optText("default"));
        problems.throwIfAnySince(mark);
        String fallbackDefault = routes.isEmpty() ? "" : routes.keySet().iterator().next();
        try {
            return new RouterSpec(routes, rules, defaultRoute.orElse(fallbackDefault));
        } catch (ScenarioException e) {
            throw at.error(e.getMessage());
        }
    }

    private Target target(At at, ConfigProblems problems) {
        if (at.node.isTextual()) {
            return new Target.Single(site(at, problems));
        }
        if (at.has("steps")) {
            int mark = problems.mark();
            List<CallSite> steps = new ArrayList<>();
            at.get("steps").elements().forEach(e -> problems.check(() -> steps.add(site(e, problems))));
            problems.throwIfAnySince(mark);
            return new Target.Steps(steps);
        }
        return new Target.Single(site(at, problems));
    }

    private CallSite site(At at, ConfigProblems problems) {
        if (at.node.isTextual()) {
            return CallSite.of(model(at.node.asText(), at.path));
        }
        int mark = problems.mark();
        at.requireFieldsIn(SITE_FIELDS, problems);
        Optional<String> model = problems.check(() -> model(at.text("model"), at.path + ".model"));
        Optional<TokenDistribution> in = problems.checkOptional(() -> at.opt("inputTokens")
                .map(ScenarioReader::tokens));
        Optional<TokenDistribution> out = problems.checkOptional(() -> at.opt("outputTokens")
                .map(ScenarioReader::tokens));
        Optional<CacheSpec> cache = problems.checkOptional(() -> at.opt("cache").map(ScenarioReader::cache));
        Optional<String> label = problems.checkOptional(() -> at.optText("label"));
        Optional<ServiceTier> tier = problems.checkOptional(() -> serviceTier(at, model));
        problems.throwIfAnySince(mark);
        return new CallSite(model.orElseThrow(), in, out, cache, label.orElse(model.orElseThrow()), tier);
    }

    /** A site's {@code serviceTier}: one the catalog prices the model on, so the plan's figures mean something. */
    private Optional<ServiceTier> serviceTier(At at, Optional<String> model) {
        Optional<String> name = at.optText("serviceTier");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        String path = at.path + ".serviceTier";
        ServiceTier tier = ServiceTier.fromWireName(name.get()).orElseThrow(() -> new ScenarioException(path
                + ": expected default, flex or priority, was '" + name.get() + "'"));
        if (model.isEmpty()) {
            return Optional.of(tier); // whether the catalog prices it on the tier is asked of a known model only
        }
        boolean priced = catalog.require(model.get()).pricing().map(p -> p.sells(tier)).orElse(false);
        if (!priced) {
            throw new ScenarioException(path + ": the catalog has no " + tier.wireName() + " prices for '"
                    + model.get() + "' (OpenAI sells flex and priority for some of its models only)");
        }
        return Optional.of(tier);
    }

    private String model(String name, String path) {
        try {
            return catalog.require(name).name();
        } catch (UnknownModelException e) {
            throw new ScenarioException(path + ": " + e.getMessage(), e);
        }
    }

    private static int maxRetries(At at) {
        long n = at.longValue();
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw at.error("must be a whole number >= 0, was " + at.node.asText());
        }
        return (int) n;
    }

    private static CacheSpec cache(At at) {
        if (at.node.isBoolean()) {
            return new CacheSpec(CacheSpec.DEFAULT_TTL, CacheSpec.DEFAULT_MAX_SIZE);
        }
        Optional<Duration> ttl = at.optDuration("ttl");
        if (ttl.isPresent() && (ttl.get().isZero() || ttl.get().isNegative())) {
            throw at.get("ttl").error("must be positive, was '" + at.get("ttl").node.asText() + "'");
        }
        try {
            return new CacheSpec(at.optDuration("ttl").orElse(CacheSpec.DEFAULT_TTL),
                    at.optLong("maxSize").orElse(CacheSpec.DEFAULT_MAX_SIZE));
        } catch (ScenarioException e) {
            throw at.error(e.getMessage());
        }
    }

    static TokenDistribution tokens(At at) {
        try {
            if (at.node.isNumber()) {
                return new TokenDistribution.Fixed(at.node.longValue());
            }
            if (at.has("fixed")) {
                return new TokenDistribution.Fixed(at.get("fixed").longValue());
            }
            if (at.has("uniform")) {
                At u = at.get("uniform");
                return new TokenDistribution.Uniform(u.get("min").longValue(), u.get("max").longValue());
            }
            if (at.has("normal")) {
                At n = at.get("normal");
                return new TokenDistribution.Normal(n.number("mean"), n.number("stdDev"));
            }
            if (at.has("lognormal")) {
                At n = at.get("lognormal");
                return new TokenDistribution.LogNormal(n.number("median"), n.number("sigma"));
            }
        } catch (ScenarioException e) {
            throw at.error(e.getMessage());
        }
        throw at.error("expected a token count or one of fixed, uniform, normal, lognormal; was " + at.node);
    }

    /**
     * Reads a duration: {@code 90} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}.
     *
     * @param text the text
     * @return the duration
     * @throws ScenarioException if the text is not a duration
     */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.replaceAll("[smhd]$", ""));
            return switch (t.charAt(t.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException e) {
            throw new ScenarioException("expected a duration such as 30s, 5m or 1h, was '" + text + "'", e);
        }
    }

    /** A node and its path, for messages. */
    record At(JsonNode node, String path) {

        At get(String field) {
            JsonNode child = node.get(field);
            if (child == null || child.isNull()) {
                throw error("missing field '" + field + "'");
            }
            return new At(child, join(field));
        }

        boolean has(String field) {
            return node.isObject() && node.hasNonNull(field);
        }

        Optional<At> opt(String field) {
            return has(field) ? Optional.of(get(field)) : Optional.empty();
        }

        String text(String field) {
            At a = get(field);
            if (!a.node.isValueNode()) {
                throw a.error("expected text, was " + a.node);
            }
            return a.node.asText();
        }

        Optional<String> optText(String field) {
            return has(field) ? Optional.of(text(field)) : Optional.empty();
        }

        long longValue() {
            if (!node.canConvertToLong() || !node.isIntegralNumber()) {
                throw error("expected a whole number, was " + node);
            }
            return node.longValue();
        }

        OptionalLong optLong(String field) {
            return has(field) ? OptionalLong.of(get(field).longValue()) : OptionalLong.empty();
        }

        double number() {
            if (!node.isNumber()) {
                throw error("expected a number, was " + node);
            }
            return node.doubleValue();
        }

        double number(String field) {
            return get(field).number();
        }

        OptionalDouble optDouble(String field) {
            return has(field) ? OptionalDouble.of(get(field).number()) : OptionalDouble.empty();
        }

        Optional<Boolean> optBoolean(String field) {
            if (!has(field)) {
                return Optional.empty();
            }
            At a = get(field);
            if (!a.node.isBoolean()) {
                throw a.error("expected true or false, was " + a.node);
            }
            return Optional.of(a.node.booleanValue());
        }

        BigDecimal decimal() {
            if (!node.isNumber() && !node.isTextual()) {
                throw error("expected an amount, was " + node);
            }
            try {
                return new BigDecimal(node.asText());
            } catch (NumberFormatException e) {
                throw error("expected an amount, was '" + node.asText() + "'");
            }
        }

        BigDecimal decimal(String field) {
            return get(field).decimal();
        }

        Optional<Duration> optDuration(String field) {
            if (!has(field)) {
                return Optional.empty();
            }
            At a = get(field);
            try {
                return Optional.of(a.node.isNumber() ? Duration.ofSeconds(a.node.longValue()) : duration(a.node.asText()));
            } catch (ScenarioException e) {
                throw a.error(e.getMessage());
            }
        }

        /**
         * Keeps a problem for each field not in {@code allowed}.
         *
         * @throws ScenarioException if the node is no mapping
         */
        void requireFieldsIn(Set<String> allowed, ConfigProblems problems) {
            if (!node.isObject()) {
                throw error("expected a mapping, was " + node);
            }
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!allowed.contains(n)) {
                    problems.add(error("unknown field '" + n + "'; fields are " + new java.util.TreeSet<>(allowed)));
                }
            }
        }

        Iterable<At> elementsIterable() {
            List<At> list = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                list.add(new At(node.get(i), path + "[" + i + "]"));
            }
            return list;
        }

        java.util.stream.Stream<At> elementStream() {
            if (!node.isArray()) {
                throw error("expected a list, was " + node);
            }
            List<At> list = new ArrayList<>();
            elementsIterable().forEach(list::add);
            return list.stream();
        }

        Elements elements() {
            return new Elements(elementStream().toList());
        }

        Fields fields() {
            if (!node.isObject()) {
                throw error("expected a mapping, was " + node);
            }
            List<Map.Entry<String, At>> list = new ArrayList<>();
            node.fieldNames().forEachRemaining(n -> list.add(Map.entry(n, new At(node.get(n), join(n)))));
            return new Fields(list);
        }

        ScenarioException error(String message) {
            return new ScenarioException((path.isEmpty() ? "(top level)" : path) + ": " + message);
        }

        private String join(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }
    }

    /** List elements of a node. */
    record Elements(List<At> list) {
        void forEach(java.util.function.Consumer<At> action) {
            list.forEach(action);
        }
    }

    /** Fields of a mapping node, in order. */
    record Fields(List<Map.Entry<String, At>> list) {
        void forEach(java.util.function.Consumer<FieldAt> action) {
            list.forEach(e -> action.accept(new FieldAt(e.getKey(), e.getValue())));
        }
    }

    /** A field's name and node. */
    record FieldAt(String getKey, At at) {
        String path() {
            return at.path;
        }

        double number() {
            return at.number();
        }

        ScenarioException error(String message) {
            return at.error(message);
        }
    }
}
