package dev.costwise.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.costwise.core.DurationText;
import dev.costwise.core.EnvReferences;
import dev.costwise.core.Money;
import dev.costwise.core.Utf8Files;
import dev.costwise.gateway.config.GatewayConfig.AlertDef;
import dev.costwise.gateway.config.GatewayConfig.Backoff;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.config.GatewayConfig.CacheScope;
import dev.costwise.gateway.config.GatewayConfig.CacheSettings;
import dev.costwise.gateway.config.GatewayConfig.CircuitSettings;
import dev.costwise.gateway.config.GatewayConfig.Connections;
import dev.costwise.gateway.config.GatewayConfig.KeyDef;
import dev.costwise.gateway.config.GatewayConfig.MetricsAccess;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.OnExhausted;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.RedisSettings;
import dev.costwise.gateway.config.GatewayConfig.RetrySettings;
import dev.costwise.gateway.config.GatewayConfig.RouteRule;
import dev.costwise.gateway.config.GatewayConfig.RouteTest;
import dev.costwise.gateway.config.GatewayConfig.Server;
import dev.costwise.gateway.pipeline.Caller;
import dev.costwise.gateway.pipeline.RouteSelector;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.ModelNames;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.orchestration.Complexity;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import dev.costwise.llm.provider.http.SafeUrls;
import dev.costwise.redis.RedisOptions;
import dev.costwise.store.SpendLedgers;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a gateway configuration from YAML, substitutes {@code ${ENV}} references, checks every field and every
 * cross-reference, and either returns the config or throws one {@link ConfigException} listing every problem with its
 * path in the file.
 *
 * <p>Thread-safe; holds no state but the environment lookup.
 */
public final class ConfigLoader {
    private static final String HOST_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    /** A host name (RFC 1123): labels of letters, digits and inner hyphens, dotted; an IPv4 address is one too. */
    private static final Pattern HOST_NAME = Pattern.compile(HOST_LABEL + "(\\." + HOST_LABEL + ")*");
    /** A URL's user info, where passwords go, with or without a scheme before it ({@code user:pw@host/v1}). */
    private static final String USER_INFO = "(^|//)[^@/?#]*@";
    /** A PostgreSQL URL, with {@code jdbc:} or as libpq writes it. */
    private static final Pattern POSTGRES_URL = Pattern.compile("(?i)(jdbc:)?postgres(ql)?://.*", Pattern.DOTALL);
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb)?", Pattern.CASE_INSENSITIVE);
    private static final Set<String> TOP_LEVEL = Set.of("server", "master_key", "ledger", "models", "aliases",
            "groups", "defaults", "pipelines", "keys", "budgets", "alerts", "tests", "throttles", "redis");
    private static final Set<String> PRICE_FIELDS =
            Set.of("input", "cached_input", "cache_write_5m", "cache_write_1h", "output");
    private static final Set<String> PRICE_FIELDS_WITH_TIERS =
            Set.of("input", "cached_input", "cache_write_5m", "cache_write_1h", "output", "flex", "priority");
    /** Providers that sell flex and priority tiers, so a model on them may be configured with one. */
    private static final Set<String> TIERED_PROVIDERS = Set.of("openai", "openai-compatible", "gemini");
    private static final Set<String> COMPLEXITIES = Set.of("simple", "moderate", "complex");
    private static final Set<String> ALERT_METRICS = Set.of("spend", "error_rate", "cache_hit_rate",
            "budget_utilization");

    /** The fewest characters a key set in the config may have: a short one can be guessed. */
    public static final int MIN_KEY_LENGTH = 16;
    /** The environment variable that holds the master key when the file sets no {@code master_key}. */
    public static final String MASTER_KEY_ENV = "COSTWISE_MASTER_KEY";

    private final Function<String, String> env;

    /** @param env looks up environment variables (pass {@code System::getenv}; tests pass a map) */
    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    /**
     * Reads and checks a YAML file.
     *
     * @param file the file
     * @return the config
     * @throws ConfigException listing every problem, if the file cannot be read or has any
     */
    public GatewayConfig load(Path file) {
        String text;
        try {
            text = Utf8Files.read(file); // says where a byte is not UTF-8, where the JDK says 'Input length = 1'
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(text, file.toString());
    }

    /**
     * Reads and checks YAML text.
     *
     * @param yaml the text
     * @param source names the text in messages (a file name)
     * @return the config
     * @throws ConfigException listing every problem
     */
    public GatewayConfig parse(String yaml, String source) {
        // A key written twice would silently drop the first block: refuse it, every one at once.
        List<String> shape = YamlShape.problems(yaml);
        if (!shape.isEmpty()) {
            throw new ConfigException(source, shape);
        }
        JsonNode root;
        try {
            root = new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of(YamlShape.syntaxError(e))); // what the check above missed
        }
        Reader r = new Reader();
        GatewayConfig config = r.root(root == null || root.isMissingNode() || root.isNull()
                ? new ObjectMapper().createObjectNode() : root);
        if (!r.problems.isEmpty()) {
            throw new ConfigException(source, r.problems);
        }
        return config;
    }

    /** @return hex SHA-256 of {@code key}, as {@code keys[].key_sha256} expects */
    public static String sha256Hex(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * Parses a duration written as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or {@code 1d}.
     *
     * @param text the text
     * @return the duration, or empty if the text is not one
     */
    public static Optional<Duration> parseDuration(String text) {
        return DurationText.parse(text); // the syntax the planner reads a configuration by too
    }

    /** @return the port of a URL whose authority has one that is not a number, as in {@code host:notaport} */
    private static Optional<String> badPort(java.net.URI uri) {
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return Optional.empty();
        }
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || hostPort.endsWith("]")) {
            return Optional.empty();
        }
        String port = hostPort.substring(colon + 1);
        return port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65535 ? Optional.empty() : Optional.of(port);
    }

    /** @return a URL fit for an error message: no query string and no user info, where passwords go */
    private static String withoutCredentials(String url) {
        int query = url.indexOf('?');
        return (query < 0 ? url : url.substring(0, query) + "?…").replaceAll(USER_INFO, "$1…@");
    }

    /**
     * Whether an {@code api_key_env} holds what cannot be a variable's name, or looks like a key (written there
     * directly, or put there by a {@code ${OPENAI_API_KEY}} reference meant for {@code api_key}).
     */
    private static boolean looksLikeAKey(String value) {
        return !EnvReferences.isVariableName(value)
                || value.length() >= 20 && value.chars().anyMatch(Character::isLowerCase)
                        && value.chars().anyMatch(Character::isUpperCase) && value.chars().anyMatch(Character::isDigit);
    }

    /**
     * @return whether {@code host} is written as an address to listen on can be: an IPv4 or IPv6 address, or a host
     *     name of letters, digits and hyphens (nothing is looked up)
     */
    private static boolean isHostSyntax(String host) {
        if (host.indexOf(':') >= 0) {
            try { // an IPv6 literal: parsed, never looked up
                return host.matches("[0-9A-Fa-f:.]+(%[\\w.-]+)?") && java.net.InetAddress.getByName(host) != null;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return host.length() <= 253 && HOST_NAME.matcher(host).matches();
    }

    /**
     * A master key must be long enough not to be guessed once other machines can reach the gateway: a short one, as
     * a local test may use, is refused then, with the failed logins no slower than the successful ones.
     *
     * @param host the host the gateway listens on
     * @param masterKey the master key, if any
     * @param path where the key was set ({@code master_key}, or the environment variable)
     * @return why the key cannot be used there, or empty when it can
     */
    public static Optional<String> masterKeyProblem(String host, Optional<String> masterKey, String path) {
        if (masterKey.isEmpty() || masterKey.get().length() >= MIN_KEY_LENGTH || isLoopback(host)) {
            return Optional.empty();
        }
        return Optional.of(path + ": must be at least " + MIN_KEY_LENGTH + " characters while server.host ("
                + host + ") lets other machines reach the gateway, as a shorter one can be guessed; was "
                + masterKey.get().length());
    }

    /**
     * The warning for a master key short enough to pass only on loopback ({@link #masterKeyProblem} refuses it
     * beyond), as {@code serve} logs it and {@code config check} prints it.
     *
     * @param masterKey the master key, if any
     * @return the warning, or empty when there is no key or it is long enough
     */
    public static Optional<String> masterKeyWarning(Optional<String> masterKey) {
        return masterKey.filter(k -> k.length() < MIN_KEY_LENGTH).map(k -> "the master key is shorter than "
                + MIN_KEY_LENGTH + " characters: enough on this machine only; the gateway refuses it when it listens"
                + " beyond (server.host, --host)");
    }

    /** @return whether {@code host} is this machine's loopback: localhost, 127.x.x.x or ::1 */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")
                || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    /** @return whether {@code url} parses as an absolute {@code http} or {@code https} URL with a host */
    private static boolean isAbsoluteHttpUrl(String url) {
        try {
            java.net.URI uri = new java.net.URI(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Walks the tree, collecting every problem instead of stopping at the first. */
    private final class Reader {
        final List<String> problems = new ArrayList<>();
        final EnvValues envValues = new EnvValues();

        /** Records a problem; a value from the environment is never shown in it (it may be a secret). */
        void problem(String path, String message) {
            problems.add(path + ": " + envValues.hide(path, message));
        }

        GatewayConfig root(JsonNode root) {
            if (!root.isObject()) {
                problem("(root)", "expected a mapping of sections (server, models, …), found " + kind(root));
                return null;
            }
            unknownFields(root, "", TOP_LEVEL);
            Server server = server(root.path("server"));
            // A file without master_key still honours the variable that the start log and the 403 name.
            Optional<String> masterKey = optString(root, "master_key", "master_key")
                    .or(() -> Optional.ofNullable(env.apply(MASTER_KEY_ENV)).map(String::trim)
                            .filter(k -> !k.isEmpty()));
            masterKeyProblem(server.host(), masterKey, root.has("master_key") ? "master_key" : MASTER_KEY_ENV)
                    .ifPresent(problems::add);
            MetricsAccess metrics = server.metrics();
            if (metrics.keyRequired() && masterKey.isEmpty() && metrics.metricsKey().isEmpty()) {
                problem("server.metrics_auth", "master_key needs a master key (master_key, or " + MASTER_KEY_ENV
                        + ") or server.metrics_key: without one nothing could read /metrics");
            }
            JsonNode ledgerNode = root.path("ledger");
            if (!ledgerNode.isMissingNode() && !ledgerNode.isObject()) {
                // Not kind(): it would quote the value, and a database URL may hold a password.
                problem("ledger", "expected a mapping with url and retention, found "
                        + (ledgerNode.isTextual() ? "text" : kind(ledgerNode)));
            }
            unknownFields(ledgerNode, "ledger", Set.of("url", "retention"));
            Optional<String> ledger = optString(ledgerNode, "url", "ledger.url").flatMap(this::ledgerJdbcUrl)
                    .or(() -> Optional.of(EmbeddedDefaults.LEDGER_URL));
            ledger.ifPresent(u -> {
                if (!u.startsWith("jdbc:sqlite:") && !u.startsWith("jdbc:postgresql:")) {
                    problem("ledger.url", "expected a jdbc:sqlite: or jdbc:postgresql: URL, was "
                            + shownUrl(ledgerNode, "url", "ledger.url", u, ConfigLoader::withoutCredentials));
                }
            });
            Optional<Duration> ledgerRetention = ledgerRetention(ledgerNode);
            List<Model> models = models(root.path("models"));
            Set<String> modelNames = new LinkedHashSet<>();
            models.forEach(m -> modelNames.add(m.name()));
            Map<String, List<String>> groups = groups(root.path("groups"), modelNames);
            Set<String> targets = new LinkedHashSet<>(modelNames);
            targets.addAll(groups.keySet());
            Map<String, String> aliases = aliases(root.path("aliases"), targets);
            targets.addAll(aliases.keySet());
            Pipeline defaults = root.has("defaults") ? pipeline(root.path("defaults"), "defaults", targets,
                    Pipeline.ofDefaults()) : Pipeline.ofDefaults();
            Map<String, Pipeline> pipelines = new LinkedHashMap<>();
            JsonNode ps = root.path("pipelines");
            if (!ps.isMissingNode() && !ps.isNull()) {
                if (!ps.isObject()) {
                    problem("pipelines", "expected a mapping of model name → pipeline, found " + kind(ps));
                } else {
                    for (Map.Entry<String, JsonNode> e : ps.properties()) {
                        Pipeline pipeline = pipeline(e.getValue(), "pipelines." + e.getKey(), targets, defaults);
                        pipelines.put(e.getKey(), pipeline);
                        if (e.getValue().has("fallbacks")) { // not the defaults' list it inherits
                            selfFallback(e.getKey(), pipeline.fallbacks(), aliases);
                        }
                        nameNeeded(e.getKey(), e.getValue(), targets);
                        defaultRouteNeeded(e.getKey(), pipeline, targets);
                    }
                }
            }
            pipelines.forEach((name, p) -> workflowCatalogNames(p, "pipelines." + name, models, groups, aliases));
            Set<String> callable = new LinkedHashSet<>(targets);
            callable.addAll(pipelines.keySet());
            List<KeyDef> keys = keys(root.path("keys"), callable);
            List<BudgetDef> budgets = budgets(root.path("budgets"), targets);
            List<AlertDef> alerts = alerts(root.path("alerts"));
            List<RouteTest> tests = tests(root.path("tests"), pipelines);
            Map<String, Integer> throttles = new LinkedHashMap<>();
            JsonNode th = root.path("throttles");
            if (!th.isMissingNode() && !th.isNull()) {
                if (!th.isObject()) {
                    problem("throttles", "expected a mapping of provider → most calls in flight, found " + kind(th));
                } else {
                    th.fieldNames().forEachRemaining(provider -> {
                        if (Providers.find(provider).isEmpty()) {
                            problem("throttles." + provider, "unknown provider '" + provider + "' (known: "
                                    + Providers.knownIds() + ")");
                        }
                        optInt(th, provider, "throttles." + provider, 1, 100_000)
                                .ifPresent(n -> throttles.put(provider, n));
                    });
                }
            }
            Optional<RedisSettings> redis = redis(root.path("redis"));
            if (models.isEmpty() && problems.isEmpty()) {
                problem("models", "at least one model is required");
            }
            if (!problems.isEmpty()) {
                return null;
            }
            boolean simulated = models.stream().allMatch(m -> m.provider().equals(Providers.SIM));
            return new GatewayConfig(server, masterKey, ledger, ledgerRetention, models, aliases, groups, defaults,
                    pipelines, keys, budgets, alerts, tests, simulated, throttles, redis);
        }

        /**
         * A URL for a message, without what {@code mask} drops (user info, query); one that a variable put (part of)
         * in the file is shown as the file writes it ({@code the value of ${PROXY_URL}}), as the variable may hold a
         * password where the mask would not see it.
         */
        String shownUrl(JsonNode n, String field, String p, String url, UnaryOperator<String> mask) {
            if (!envValues.cameFromEnv(p)) {
                return "'" + mask.apply(url) + "'";
            }
            String written = n.path(field).asText().trim();
            return EnvReferences.whole(written).isPresent() ? "the value of " + written
                    : "the value of '" + mask.apply(written) + "'";
        }

        /**
         * A pipeline configures how its name is served: one under a name that is no model, alias or group, without
         * routes or a default_route of its own, is most likely a misspelt model, which would silently lose the
         * pipeline's settings while the misspelling became a name callers could send.
         */
        void nameNeeded(String name, JsonNode n, Set<String> targets) {
            // as written: a route refused for its own problem still shows the name was meant as one of its own
            if (targets.contains(name) || !n.isObject() || n.path("routes").size() > 0
                    || n.hasNonNull("default_route")) {
                return;
            }
            List<String> near = ModelNames.closest(name, List.copyOf(targets));
            problem("pipelines." + name, "no model, alias or group is named '" + name + "'"
                    + (near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)")
                    + "; a pipeline of a name of its own needs routes or a default_route");
        }

        /**
         * A routed pipeline under a name of its own (not a model, alias or group) needs a model for the requests none
         * of its routes takes: without {@code default_route} or fallbacks, the gateway could only answer them 404.
         */
        void defaultRouteNeeded(String name, Pipeline p, Set<String> targets) {
            if (targets.contains(name) || p.routes().isEmpty() || p.defaultRoute().isPresent() || p.workflow()
                    || !p.fallbacks().isEmpty() || p.routes().stream().anyMatch(RouteRule::unconditional)) {
                return;
            }
            problem("pipelines." + name + ".default_route", "is required: '" + name + "' is not a model, alias or "
                    + "group, so a request none of its routes takes would have no model to go to (the gateway would "
                    + "answer it 404); name the model for them, e.g. default_route: " + p.routes().getLast().model());
        }

        /** A pipeline that falls back to itself (or to an alias of the same name) would call one model twice. */
        void selfFallback(String name, List<String> fallbacks, Map<String, String> aliases) {
            for (int i = 0; i < fallbacks.size(); i++) {
                String f = fallbacks.get(i);
                if (f.equals(name) || f.equals(aliases.get(name)) || name.equals(aliases.get(f))) {
                    problem("pipelines." + name + ".fallbacks[" + i + "]", "'" + f + "' is the pipeline's own "
                            + "model: a fallback must be another model");
                }
            }
        }

        /** Says that {@code api_key_env} takes a name, never showing what it was given (most likely a key). */
        void keyEnvProblem(String raw, String p, Optional<Providers.Known> provider) {
            String example = provider.map(Providers.Known::keyEnv).filter(s -> !s.isEmpty()).orElse("OPENAI_API_KEY");
            String fix = EnvReferences.whole(raw.trim()).filter(ref -> ref.fallback().isEmpty())
                    .map(ref -> "; write api_key_env: " + ref.variable() + " (the name, without ${})").orElse("");
            problem(p, "api_key_env takes the NAME of an environment variable (e.g. " + example + "), not the key"
                    + fix);
        }

        /**
         * {@code ledger.url} as the database's driver takes it: a libpq-style {@code user:password@host} moved into
         * parameters, so the ledger, the key store and stored responses all open it.
         *
         * @return the URL; empty, with a problem, for a PostgreSQL URL that gives its user or password twice
         */
        Optional<String> ledgerJdbcUrl(String url) {
            if (!POSTGRES_URL.matcher(url).matches()) {
                return Optional.of(url); // any other is checked as written
            }
            try {
                return Optional.of(SpendLedgers.jdbcUrl(url));
            } catch (IllegalArgumentException e) {
                problem("ledger.url", e.getMessage());
                return Optional.empty();
            }
        }

        /** {@code ledger.retention}: a duration of at least a day, or {@code forever}; default 90 days. */
        Optional<Duration> ledgerRetention(JsonNode ledger) {
            Optional<String> text = optString(ledger, "retention", "ledger.retention");
            if (text.isEmpty()) {
                return Optional.of(GatewayConfig.DEFAULT_LEDGER_RETENTION);
            }
            if (text.get().equals("forever")) {
                return Optional.empty();
            }
            Optional<Duration> retention = optDuration(ledger, "retention", "ledger.retention");
            if (retention.isPresent() && retention.get().compareTo(Duration.ofDays(1)) < 0) {
                problem("ledger.retention", "must be at least 1d (records of whole days are rolled up), or forever;"
                        + " was '" + text.get() + "'");
            }
            return retention;
        }

        /**
         * {@code redis: { url, key_prefix, local_share, timeout, max_entry_size }}; absent or without a url: no
         * sharing.
         */
        Optional<RedisSettings> redis(JsonNode n) {
            if (n.isMissingNode() || n.isNull()) {
                return Optional.empty();
            }
            if (!n.isObject()) {
                problem("redis", "expected a mapping (url, key_prefix, local_share, timeout, max_entry_size), found "
                        + kind(n));
                return Optional.empty();
            }
            unknownFields(n, "redis", Set.of("url", "key_prefix", "local_share", "timeout", "max_entry_size"));
            Optional<String> url = optString(n, "url", "redis.url");
            url.ifPresent(u -> {
                String shown = shownUrl(n, "url", "redis.url", u, text -> text.replaceAll(USER_INFO, "$1***@"));
                try {
                    java.net.URI uri = new java.net.URI(u);
                    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                        problem("redis.url", "expected redis://host:port or rediss://host:port, was " + shown);
                    } else if (uri.getHost() == null) {
                        problem("redis.url", badPort(uri).map(port -> "has a bad port '" + port
                                + "' (expected a number from 1 to 65535)").orElse("has no host") + ", was "
                                + shown);
                    }
                } catch (java.net.URISyntaxException e) {
                    problem("redis.url", "is not a valid URL, was " + shown);
                }
            });
            String prefix = optString(n, "key_prefix", "redis.key_prefix").orElse("costwise");
            try {
                // The Redis module's own rule, so the config accepts exactly the prefixes the store accepts.
                RedisOptions.builder().keyPrefix(prefix);
            } catch (IllegalArgumentException e) {
                problem("redis.key_prefix", "expected letters, digits, '-', '_', '.' or ':' (at most one ':' at the"
                        + " end), was '" + prefix + "'");
            }
            double share = 0.5;
            Optional<String> shareText = optString(n, "local_share", "redis.local_share");
            if (shareText.isPresent()) {
                try {
                    share = Double.parseDouble(shareText.get());
                } catch (NumberFormatException e) {
                    share = Double.NaN;
                }
                if (!(share > 0 && share <= 1)) {
                    problem("redis.local_share", "expected a share in (0, 1] (1 / replicas), was '"
                            + shareText.get() + "'");
                }
            }
            Duration timeout = optPositiveDuration(n, "timeout", "redis.timeout", "every command would time out")
                    .orElse(Duration.ofMillis(200));
            long maxEntry = optSize(n, "max_entry_size", "redis.max_entry_size")
                    .orElse(RedisSettings.DEFAULT_MAX_ENTRY);
            if (maxEntry > Server.MAX_ANSWER_LIMIT) {
                problem("redis.max_entry_size", "must be below 2GB (an entry's answer is read into one array), was '"
                        + n.path("max_entry_size").asText() + "'");
                maxEntry = RedisSettings.DEFAULT_MAX_ENTRY;
            }
            if (url.isEmpty() && n.has("url") && !n.path("url").isContainerNode()) {
                return Optional.empty(); // url: ${REDIS_URL:-} left empty turns sharing off
            }
            if (url.isEmpty()) {
                problem("redis.url", "is required (redis://host:port), or remove the redis section");
                return Optional.empty();
            }
            return Optional.of(new RedisSettings(url.get(), prefix, share, timeout, maxEntry));
        }

        Server server(JsonNode n) {
            Server d = Server.ofDefaults();
            if (n.isMissingNode() || n.isNull()) {
                return d;
            }
            if (!n.isObject()) {
                problem("server", "expected a mapping, found " + kind(n));
                return d;
            }
            unknownFields(n, "server", Set.of("host", "port", "max_body_size", "shutdown_grace", "request_timeout",
                    "cache_memory", "responses_ttl", "max_answer_size", "answer_memory", "stream_keepalive",
                    "header_timeout", "idle_timeout", "max_connections", "metrics_auth", "metrics_key"));
            String host = optString(n, "host", "server.host").orElse(d.host());
            if (!isHostSyntax(host)) {
                problem("server.host", "expected an IP address or a host name (such as 127.0.0.1, 0.0.0.0 or "
                        + "localhost), was '" + host + "'");
                host = d.host();
            }
            int port = optInt(n, "port", "server.port", 0, 65535).orElse(d.port());
            long maxBody = optSize(n, "max_body_size", "server.max_body_size").orElse(d.maxBodyBytes());
            Duration grace = optDuration(n, "shutdown_grace", "server.shutdown_grace").orElse(d.shutdownGrace());
            Duration timeout = optPositiveDuration(n, "request_timeout", "server.request_timeout",
                    "every request would time out before any model is called").orElse(d.requestTimeout());
            long cacheMemory = optSize(n, "cache_memory", "server.cache_memory").orElse(d.cacheMemoryBytes());
            Duration responsesTtl = optDuration(n, "responses_ttl", "server.responses_ttl").orElse(d.responsesTtl());
            if (responsesTtl.compareTo(Duration.ofMinutes(1)) < 0) {
                problem("server.responses_ttl", "must be at least 1m (a conversation must outlive its next turn), was "
                        + n.path("responses_ttl").asText());
                responsesTtl = d.responsesTtl();
            }
            long maxAnswer = optSize(n, "max_answer_size", "server.max_answer_size").orElse(d.maxAnswerBytes());
            if (maxAnswer > Server.MAX_ANSWER_LIMIT) {
                problem("server.max_answer_size", "must be below 2GB (an answer is read into one array), was '"
                        + n.path("max_answer_size").asText() + "'");
                maxAnswer = d.maxAnswerBytes();
            }
            long answerMemory = optSize(n, "answer_memory", "server.answer_memory").orElse(d.answerMemoryBytes());
            if (answerMemory > 0 && answerMemory < maxAnswer) {
                problem("server.answer_memory", "must be at least server.max_answer_size (" + maxAnswer
                        + " bytes), or no answer that large could ever be read, was '"
                        + n.path("answer_memory").asText() + "'");
                answerMemory = d.answerMemoryBytes();
            }
            Duration keepAlive = optDuration(n, "stream_keepalive", "server.stream_keepalive")
                    .orElse(d.streamKeepAlive());
            return new Server(host, port, maxBody, grace, timeout, cacheMemory, responsesTtl, maxAnswer,
                    answerMemory, keepAlive, connections(n, d.connections()), metricsAccess(n));
        }

        MetricsAccess metricsAccess(JsonNode n) {
            Optional<String> auth = optString(n, "metrics_auth", "server.metrics_auth");
            Optional<String> key = optString(n, "metrics_key", "server.metrics_key");
            boolean required = auth.isPresent() && auth.get().equals("master_key");
            if (auth.isPresent() && !required && !auth.get().equals("open")) {
                problem("server.metrics_auth", "expected open (anyone may read /metrics) or master_key (it needs "
                        + "the master key or server.metrics_key), was '" + auth.get() + "'");
                return MetricsAccess.OPEN;
            }
            if (key.isPresent() && !required) {
                problem("server.metrics_key", "is only used with metrics_auth: master_key; /metrics is open");
                return MetricsAccess.OPEN;
            }
            if (key.isPresent() && key.get().length() < MIN_KEY_LENGTH) {
                problem("server.metrics_key", "must be at least " + MIN_KEY_LENGTH + " characters, was "
                        + key.get().length());
            }
            return new MetricsAccess(required, key);
        }

        Connections connections(JsonNode n, Connections d) {
            Duration header = optPositiveDuration(n, "header_timeout", "server.header_timeout",
                    "every connection would be closed before its request arrives").orElse(d.headerTimeout());
            Duration idle = optPositiveDuration(n, "idle_timeout", "server.idle_timeout",
                    "every connection would be closed after its first answer").orElse(d.idleTimeout());
            OptionalInt max = optInt(n, "max_connections", "server.max_connections", 1, 1_000_000)
                    .map(OptionalInt::of).orElse(d.maxConnections());
            return new Connections(header, idle, max);
        }

        List<Model> models(JsonNode n) {
            List<Model> out = new ArrayList<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isArray()) {
                problem("models", "expected a list of models, found " + kind(n));
                return out;
            }
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < n.size(); i++) {
                String p = "models[" + i + "]";
                JsonNode m = n.get(i);
                if (!m.isObject()) {
                    problem(p, "expected a mapping with name and provider, found " + kind(m));
                    continue;
                }
                unknownFields(m, p, Set.of("name", "provider", "model", "api_key", "api_key_env", "base_url",
                        "price", "context_window", "max_output_tokens", "circuit_breaker", "prompt_caching",
                        "service_tier", "first_token_timeout"));
                Optional<String> name = reqHeaderSafe(m, "name", p + ".name", "x-costwise-model-used");
                name.ifPresent(nm -> {
                    if (!seen.add(nm)) {
                        problem(p + ".name", "duplicate model name '" + nm + "'");
                    }
                });
                Optional<String> provider = reqString(m, "provider", p + ".provider");
                Optional<Providers.Known> known = provider.flatMap(Providers::find);
                if (provider.isPresent() && known.isEmpty()) {
                    problem(p + ".provider", "unknown provider '" + provider.get() + "' (known: "
                            + Providers.knownIds() + ")");
                }
                String upstream = optString(m, "model", p + ".model").orElse(name.orElse(""));
                Optional<String> keyEnvGiven = optString(m, "api_key_env", p + ".api_key_env");
                boolean keyNotName = keyEnvGiven.filter(ConfigLoader::looksLikeAKey).isPresent();
                if (keyNotName) {
                    keyEnvProblem(m.path("api_key_env").asText(), p + ".api_key_env", known);
                }
                Optional<String> keyEnv = keyEnvGiven.filter(v -> !keyNotName)
                        .or(() -> known.map(Providers.Known::keyEnv).filter(s -> !s.isEmpty()));
                Optional<String> apiKey = optString(m, "api_key", p + ".api_key");
                if (apiKey.isEmpty() && keyEnv.isPresent() && !keyNotName) {
                    apiKey = Optional.ofNullable(env.apply(keyEnv.get())).filter(s -> !s.isBlank());
                    if (apiKey.isEmpty() && m.has("api_key_env")) {
                        problem(p + ".api_key_env", "environment variable " + keyEnv.get() + " is not set");
                    }
                }
                if (apiKey.isEmpty() && !keyNotName && known.isPresent()
                        && Providers.NATIVE.contains(known.get().id())) {
                    problem(p + ".api_key_env", "provider '" + known.get().id() + "' needs an API key: set "
                            + keyEnv.orElse("api_key_env") + " or api_key");
                }
                String baseUrl = optString(m, "base_url", p + ".base_url")
                        .orElse(known.map(Providers.Known::defaultBaseUrl).orElse(""));
                if (known.isPresent() && !known.get().id().equals(Providers.SIM)) {
                    if (baseUrl.isEmpty()) {
                        problem(p + ".base_url", "provider '" + known.get().id() + "' needs a base_url");
                    } else if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
                        problem(p + ".base_url", "expected an http(s) URL, was "
                                + shownUrl(m, "base_url", p + ".base_url", baseUrl, SafeUrls::withoutSecrets));
                    }
                }
                Optional<Pricing> price = m.has("price") ? price(m.path("price"), p + ".price", provider)
                        : Optional.empty();
                // the simulator bills nothing real; any other model without a price would be billed $0
                if (!m.has("price") && known.isPresent() && !known.get().id().equals(Providers.SIM)
                        && EmbeddedDefaults.knownPrice(provider.get(), upstream).isEmpty()) {
                    problem(p + ".price", "no price is known for '" + upstream + "' (" + provider.get() + "), so its "
                            + "calls could not be billed or held to a budget: set price: {input: \"...\", output: "
                            + "\"...\"} in dollars per 1M tokens (\"0\" for a free model)");
                }
                // The catalog's limits when it knows the model: a reservation must cover the longest answer the
                // model can give a request that sets no max_tokens, or a hard budget could be passed.
                Optional<ModelInfo> info = EmbeddedDefaults.catalog().find(upstream);
                int window = optInt(m, "context_window", p + ".context_window", 1, Integer.MAX_VALUE)
                        .orElse(info.map(ModelInfo::contextWindow).filter(w -> w > 0).orElse(128_000));
                int maxOut = optInt(m, "max_output_tokens", p + ".max_output_tokens", 1, Integer.MAX_VALUE)
                        .orElse(info.map(ModelInfo::maxOutputTokens).filter(o -> o > 0).orElse(4096));
                // every embeddings request to it would fail: said now, not by a 400 blaming each caller
                if (info.filter(catalogued -> catalogued.kind() == ModelKind.EMBEDDING).isPresent()
                        && provider.filter(Providers.WITHOUT_EMBEDDINGS::contains).isPresent()) {
                    problem(p + ".provider", "'" + upstream + "' is an embedding model, and provider '"
                            + provider.get() + "' has no embeddings API: name the provider that serves it");
                }
                CircuitSettings circuit = circuit(m.path("circuit_breaker"), p + ".circuit_breaker");
                AnthropicPromptCaching caching = promptCaching(m, p + ".prompt_caching", provider);
                Optional<ServiceTier> tier = serviceTier(m, p + ".service_tier", provider);
                Optional<Duration> firstToken = optPositiveDuration(m, "first_token_timeout",
                        p + ".first_token_timeout", "every stream would time out before its first token");
                if (name.isPresent() && provider.isPresent()) {
                    out.add(new Model(name.get(), provider.get(), upstream, apiKey, keyEnv,
                            baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl, price,
                            window, maxOut, circuit, caching, tier, firstToken));
                }
            }
            return out;
        }

        /**
         * A model's {@code service_tier}: {@code default}, {@code flex} or {@code priority}, for the providers that
         * sell those tiers (OpenAI, an OpenAI-compatible server that may stand in front of it, and Gemini).
         */
        Optional<ServiceTier> serviceTier(JsonNode m, String p, Optional<String> provider) {
            Optional<String> value = optString(m, "service_tier", p);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            if (provider.isPresent() && !TIERED_PROVIDERS.contains(provider.get())) {
                problem(p, "applies to openai, openai-compatible and gemini models only (the providers that sell "
                        + "flex and priority tiers); this model's provider is '" + provider.get() + "'");
                return Optional.empty();
            }
            Optional<ServiceTier> tier = ServiceTier.fromWireName(value.get());
            if (tier.isEmpty()) {
                problem(p, "expected default, flex or priority, was '" + value.get() + "'");
            }
            return tier;
        }

        /**
         * A model's {@code prompt_caching}: {@code none} (the default) or {@code tools_and_system}, for Anthropic
         * models, the only provider that caches nothing unless told where.
         */
        AnthropicPromptCaching promptCaching(JsonNode m, String p, Optional<String> provider) {
            Optional<String> value = optString(m, "prompt_caching", p);
            if (value.isEmpty()) {
                return AnthropicPromptCaching.NONE;
            }
            if (provider.isPresent() && !provider.get().equals("anthropic")) {
                problem(p, "applies to anthropic models only (OpenAI, Gemini and DeepSeek cache prompts on their "
                        + "own); this model's provider is '" + provider.get() + "'");
                return AnthropicPromptCaching.NONE;
            }
            return switch (value.get()) {
                case "none" -> AnthropicPromptCaching.NONE;
                case "tools_and_system" -> AnthropicPromptCaching.TOOLS_AND_SYSTEM;
                default -> {
                    problem(p, "expected none or tools_and_system, was '" + value.get() + "'");
                    yield AnthropicPromptCaching.NONE;
                }
            };
        }

        /**
         * A model's {@code price}, $ per 1M tokens, with its {@code flex} and {@code priority} prices if it is sold
         * on OpenAI's service tiers (a tier left out is billed at these prices). Prompt-cache prices left out follow
         * the provider's published rule: Anthropic reads at 0.1×, five-minute writes at 1.25× and one-hour writes at
         * 2× the input price; any other provider at the input price.
         */
        Optional<Pricing> price(JsonNode n, String p, Optional<String> provider) {
            Optional<Pricing> standard = tierPrice(n, p, provider, true);
            boolean complete = standard.isPresent();
            for (ServiceTier tier : List.of(ServiceTier.FLEX, ServiceTier.PRIORITY)) {
                JsonNode t = n.path(tier.wireName());
                if (t.isMissingNode()) {
                    continue;
                }
                // every tier is read, so that each of its problems is listed
                Optional<Pricing> prices = tierPrice(t, p + "." + tier.wireName(), provider, false);
                complete &= prices.isPresent();
                if (complete) {
                    standard = Optional.of(standard.get().withServiceTier(tier, prices.get()));
                }
            }
            return complete ? standard : Optional.empty();
        }

        private Optional<Pricing> tierPrice(JsonNode n, String p, Optional<String> provider, boolean mayHoldTiers) {
            if (!n.isObject()) {
                problem(p, "expected a mapping with input and output ($ per 1M tokens), found " + kind(n));
                return Optional.empty();
            }
            unknownFields(n, p, mayHoldTiers ? PRICE_FIELDS_WITH_TIERS : PRICE_FIELDS);
            Optional<Money> in = reqMoney(n, "input", p + ".input");
            Optional<Money> out = reqMoney(n, "output", p + ".output");
            Optional<Money> cached = optMoney(n, "cached_input", p + ".cached_input");
            Optional<Money> write5m = optMoney(n, "cache_write_5m", p + ".cache_write_5m");
            Optional<Money> write1h = optMoney(n, "cache_write_1h", p + ".cache_write_1h");
            if (in.isEmpty() || out.isEmpty()) {
                return Optional.empty();
            }
            Money input = in.get();
            boolean anthropic = provider.filter("anthropic"::equals).isPresent();
            return Optional.of(new Pricing(input,
                    cached.orElse(anthropic ? input.times(new BigDecimal("0.1")) : input),
                    write5m.orElse(anthropic ? input.times(new BigDecimal("1.25")) : input),
                    write1h.orElse(anthropic ? input.times(2) : input), out.get(), Optional.empty()));
        }

        Map<String, List<String>> groups(JsonNode n, Set<String> models) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isObject()) {
                problem("groups", "expected a mapping of group name → list of models, found " + kind(n));
                return out;
            }
            n.properties().forEach(e -> {
                String p = "groups." + e.getKey();
                if (models.contains(e.getKey())) {
                    problem(p, "group name '" + e.getKey() + "' is already a model name");
                }
                List<String> members = stringList(e.getValue(), p);
                for (int i = 0; i < members.size(); i++) {
                    if (!models.contains(members.get(i))) {
                        problem(p + "[" + i + "]", "unknown model '" + members.get(i) + "' (known: "
                                + String.join(", ", models) + ")");
                    }
                }
                if (members.isEmpty()) {
                    problem(p, "a group needs at least one model");
                }
                repeated(members, p, "a member is tried once");
                out.put(e.getKey(), members);
            });
            return out;
        }

        Map<String, String> aliases(JsonNode n, Set<String> targets) {
            Map<String, String> out = new LinkedHashMap<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isObject()) {
                problem("aliases", "expected a mapping of alias → model or group, found " + kind(n));
                return out;
            }
            n.properties().forEach(e -> {
                String p = "aliases." + e.getKey();
                if (!e.getValue().isTextual()) {
                    problem(p, "expected a model name, found " + kind(e.getValue()));
                    return;
                }
                String target = substitute(e.getValue().asText(), p);
                if (!targets.contains(target) && n.path(target).isTextual()) {
                    problem(p, aliasOfAlias(n, e.getKey(), target, targets));
                } else if (!targets.contains(target)) {
                    problem(p, "unknown model or group '" + target + "' (known: " + String.join(", ", targets) + ")");
                }
                if (targets.contains(e.getKey())) {
                    problem(p, "alias '" + e.getKey() + "' is already a model or group name");
                }
                out.put(e.getKey(), target);
            });
            return out;
        }

        /**
         * Why alias {@code alias} naming alias {@code target} is refused: the chain it starts, when it comes back (a
         * cycle), else the model or group at its end, which the alias should name.
         */
        private static String aliasOfAlias(JsonNode aliases, String alias, String target, Set<String> targets) {
            List<String> chain = new ArrayList<>(List.of(alias, target));
            String at = target;
            while (aliases.path(at).isTextual() && chain.size() <= aliases.size() + 1) {
                at = aliases.path(at).asText();
                chain.add(at);
                if (at.equals(alias)) {
                    return "'" + target + "' is an alias, in a cycle (" + String.join(" → ", chain) + "): an alias "
                            + "must name a model or group (known: " + String.join(", ", targets) + ")";
                }
            }
            String end = targets.contains(at) ? "; name the one it stands for, " + at : "";
            return "'" + target + "' is an alias: an alias must name a model or group (known: "
                    + String.join(", ", targets) + ")" + end;
        }

        Pipeline pipeline(JsonNode n, String p, Set<String> targets, Pipeline base) {
            if (!n.isObject()) {
                problem(p, "expected a mapping, found " + kind(n));
                return base;
            }
            unknownFields(n, p, Set.of("cache", "routes", "default_route", "fallbacks", "context_window_fallback",
                    "retry", "timeout", "workflow", "validate", "baseline", "max_reasoning_effort"));
            CacheSettings cache = n.has("cache") ? cache(n.path("cache"), p + ".cache", base.cache()) : base.cache();
            List<RouteRule> routes = new ArrayList<>();
            JsonNode rs = n.path("routes");
            if (!rs.isMissingNode() && !rs.isNull()) {
                if (!rs.isArray()) {
                    problem(p + ".routes", "expected a list of route rules, found " + kind(rs));
                } else {
                    Set<String> names = new LinkedHashSet<>();
                    Optional<String> takesAll = Optional.empty(); // an earlier route without conditions
                    boolean conditionsApply = !n.path("workflow").asBoolean(false); // a workflow ignores them
                    for (int i = 0; i < rs.size(); i++) {
                        String rp = p + ".routes[" + i + "]";
                        RouteRule rule = route(rs.get(i), rp, targets);
                        if (rule != null && !names.add(rule.name())) {
                            problem(rp + ".name", "duplicate route name '" + rule.name() + "'");
                        }
                        if (rule == null) {
                            continue;
                        }
                        takesAll.ifPresent(all -> problem(rp, "can never match: " + all
                                + " before it has no conditions and takes every request"));
                        if (rule.unconditional() && takesAll.isEmpty() && conditionsApply) {
                            takesAll = Optional.of("route '" + rule.name() + "'");
                        }
                        routes.add(rule);
                    }
                }
            }
            Optional<String> defaultRoute = optString(n, "default_route", p + ".default_route");
            defaultRoute.ifPresent(t -> requireTarget(t, p + ".default_route", targets));
            List<String> fallbacks = n.has("fallbacks") ? stringList(n.path("fallbacks"), p + ".fallbacks")
                    : base.fallbacks();
            for (int i = 0; i < fallbacks.size(); i++) {
                requireTarget(fallbacks.get(i), p + ".fallbacks[" + i + "]", targets);
            }
            if (n.has("fallbacks")) { // the defaults' list it inherits is checked where it is written
                repeated(fallbacks, p + ".fallbacks", "a fallback is tried once");
            }
            Optional<String> cwf = optString(n, "context_window_fallback", p + ".context_window_fallback")
                    .or(base::contextWindowFallback);
            cwf.ifPresent(t -> requireTarget(t, p + ".context_window_fallback", targets));
            RetrySettings retry = n.has("retry") ? retry(n.path("retry"), p + ".retry", base.retry()) : base.retry();
            Duration timeout = optPositiveDuration(n, "timeout", p + ".timeout",
                    "every attempt would time out before the model answers").orElse(base.timeout());
            boolean workflow = optBoolean(n, "workflow", p + ".workflow").orElse(false);
            if (workflow && routes.isEmpty()) {
                problem(p + ".workflow", "the multi-model workflow needs routes naming the executor models");
            }
            if (workflow && defaultRoute.isEmpty()) {
                problem(p + ".default_route", "the multi-model workflow needs default_route: the orchestrator "
                        + "(premium) model");
            }
            boolean validate = optBoolean(n, "validate", p + ".validate").orElse(false);
            if (validate && !workflow) {
                problem(p + ".validate", "validation is a step of the multi-model workflow: set workflow: true");
            }
            Optional<String> baseline = optString(n, "baseline", p + ".baseline").or(base::baseline);
            baseline.ifPresent(t -> requireTarget(t, p + ".baseline", targets));
            Optional<ReasoningEffort> maxEffort = optString(n, "max_reasoning_effort", p + ".max_reasoning_effort")
                    .flatMap(name -> reasoningEffort(name, p + ".max_reasoning_effort"))
                    .or(base::maxReasoningEffort);
            return new Pipeline(cache, routes, defaultRoute, fallbacks, cwf, retry, timeout, workflow, validate,
                    baseline, maxEffort);
        }

        /** A workflow ranks its models by the catalog's tiers and capabilities: each must be one the catalog knows. */
        void workflowCatalogNames(Pipeline pipeline, String p, List<Model> models, Map<String, List<String>> groups,
                Map<String, String> aliases) {
            if (!pipeline.workflow()) {
                return;
            }
            Map<String, Model> byName = new LinkedHashMap<>();
            models.forEach(m -> byName.put(m.name(), m));
            Map<String, String> named = new LinkedHashMap<>();
            for (int i = 0; i < pipeline.routes().size(); i++) {
                named.put(p + ".routes[" + i + "].model", pipeline.routes().get(i).model());
            }
            pipeline.defaultRoute().ifPresent(t -> named.put(p + ".default_route", t));
            pipeline.baseline().ifPresent(t -> named.put(p + ".baseline", t));
            named.forEach((path, target) -> {
                String t = aliases.getOrDefault(target, target);
                for (String n : groups.getOrDefault(t, List.of(t))) {
                    Model m = byName.get(n);
                    if (m != null && EmbeddedDefaults.workflowEntry(m.name(), m.upstreamModel()).isEmpty()) {
                        problem(path, "the multi-model workflow ranks its models by the catalog's tiers, and the "
                                + "catalog knows neither the name '" + m.name() + "' nor the upstream id '"
                                + m.upstreamModel() + "': name the model after a catalog model (costwise models)");
                    }
                }
            });
        }

        Optional<ReasoningEffort> reasoningEffort(String name, String p) {
            Optional<ReasoningEffort> effort = ReasoningEffort.fromWireName(name);
            if (effort.isEmpty()) {
                problem(p, "unknown effort '" + name + "' (known: " + ReasoningEffort.wireNames() + ")");
            }
            return effort;
        }

        CacheSettings cache(JsonNode n, String p, CacheSettings base) {
            if (n.isBoolean()) {
                return new CacheSettings(n.asBoolean(), base.scope(), base.ttl(), base.maxEntries());
            }
            if (!n.isObject()) {
                problem(p, "expected a mapping (enabled, scope, ttl, max_entries) or true/false, found " + kind(n));
                return base;
            }
            unknownFields(n, p, Set.of("enabled", "scope", "ttl", "max_entries"));
            boolean enabled = optBoolean(n, "enabled", p + ".enabled").orElse(true);
            CacheScope scope = optEnum(n, "scope", p + ".scope", CacheScope.class).orElse(base.scope());
            Duration ttl = optPositiveDuration(n, "ttl", p + ".ttl", "no answer would be kept; to turn the "
                    + "cache off, set enabled: false").orElse(base.ttl());
            long max = optInt(n, "max_entries", p + ".max_entries", 1, Integer.MAX_VALUE)
                    .map(Integer::longValue).orElse(base.maxEntries());
            return new CacheSettings(enabled, scope, ttl, max);
        }

        RouteRule route(JsonNode n, String p, Set<String> targets) {
            if (!n.isObject()) {
                problem(p, "expected a mapping with name, model and when, found " + kind(n));
                return null;
            }
            unknownFields(n, p, Set.of("name", "model", "when", "max_reasoning_effort"));
            Optional<String> name = reqHeaderSafe(n, "name", p + ".name", "x-costwise-route");
            if (name.filter(RouteSelector.DEFAULT_ROUTE::equals).isPresent()) {
                // a test expecting 'default' would pass whichever of the two took the request
                problem(p + ".name", "'" + RouteSelector.DEFAULT_ROUTE + "' names the route taken when no rule "
                        + "matches: give this rule another name");
            }
            Optional<String> model = reqString(n, "model", p + ".model");
            model.ifPresent(t -> requireTarget(t, p + ".model", targets));
            JsonNode w = n.path("when");
            String wp = p + ".when";
            Optional<Integer> minChars = Optional.empty();
            Optional<Integer> maxChars = Optional.empty();
            List<String> keywords = List.of();
            Optional<String> complexity = Optional.empty();
            Optional<Double> maxUtil = Optional.empty();
            Optional<Double> minUtil = Optional.empty();
            Optional<Double> headroom = Optional.empty();
            if (!w.isMissingNode() && !w.isNull()) {
                if (!w.isObject()) {
                    problem(wp, "expected a mapping of conditions, found " + kind(w));
                } else {
                    unknownFields(w, wp, Set.of("min_chars", "max_chars", "keywords", "complexity",
                            "budget_utilization_below", "budget_utilization_above", "rate_limit_headroom_above"));
                    minChars = optInt(w, "min_chars", wp + ".min_chars", 0, Integer.MAX_VALUE);
                    maxChars = optInt(w, "max_chars", wp + ".max_chars", 0, Integer.MAX_VALUE);
                    keywords = w.has("keywords") ? keywords(w.path("keywords"), wp + ".keywords") : List.of();
                    complexity = optString(w, "complexity", wp + ".complexity");
                    complexity.ifPresent(c -> {
                        if (!COMPLEXITIES.contains(c)) {
                            problem(wp + ".complexity", "unknown complexity '" + c + "' (known: simple, moderate, "
                                    + "complex)");
                        }
                    });
                    maxUtil = optShare(w, "budget_utilization_below", wp + ".budget_utilization_below");
                    minUtil = optShare(w, "budget_utilization_above", wp + ".budget_utilization_above");
                    headroom = headroomAbove(w, wp + ".rate_limit_headroom_above");
                    if (minChars.isPresent() && maxChars.isPresent() && minChars.get() > maxChars.get()) {
                        problem(wp, "can never match: min_chars (" + minChars.get() + ") is above max_chars ("
                                + maxChars.get() + ")");
                    }
                    if (maxUtil.isPresent() && minUtil.isPresent() && maxUtil.get() <= minUtil.get()) {
                        problem(wp, "can never match: budget_utilization_below (" + w.path("budget_utilization_below")
                                .asText() + ") must be above budget_utilization_above ("
                                + w.path("budget_utilization_above").asText() + ")");
                    }
                }
            }
            Optional<ReasoningEffort> maxEffort = optString(n, "max_reasoning_effort", p + ".max_reasoning_effort")
                    .flatMap(e -> reasoningEffort(e, p + ".max_reasoning_effort"));
            // a rule whose keywords were emptied, or whose headroom is invalid, is refused, not read as one without
            // conditions (which takes all)
            if (name.isEmpty() || model.isEmpty() || w.has("keywords") && keywords.isEmpty()
                    || w.has("rate_limit_headroom_above") && headroom.isEmpty()) {
                return null;
            }
            RouteRule rule = new RouteRule(name.get(), model.get(), minChars, maxChars,
                    keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList(), complexity, maxUtil, minUtil,
                    maxEffort, headroom);
            // so is one whose every condition was refused: its problems are reported, and it does not take all
            boolean refusedWhen = !w.isMissingNode() && !w.isNull() && (!w.isObject() || !w.isEmpty());
            return refusedWhen && rule.unconditional() ? null : rule;
        }

        /**
         * A route's {@code rate_limit_headroom_above}: a share in [0, 1); a model never has more than all of its
         * limit left, so 1 would never match.
         */
        Optional<Double> headroomAbove(JsonNode w, String p) {
            Optional<Double> share = optShare(w, "rate_limit_headroom_above", p);
            if (share.filter(v -> v >= 1).isPresent()) {
                problem(p, "can never match: a model never has more than all (1) of its rate limit left; give a share"
                        + " below 1, such as 0.2 to take the route while its model has more than 20% left");
                return Optional.empty();
            }
            return share;
        }

        /**
         * A route's keywords: at least one, none blank. An empty list sets no condition, so the route would take
         * every request (most likely a list emptied while editing); a blank keyword would never match.
         */
        List<String> keywords(JsonNode n, String p) {
            List<String> keywords = stringList(n, p);
            if (keywords.isEmpty() && n.isArray()) {
                problem(p, "is empty, so the route would take every request: list at least one keyword, or remove "
                        + "keywords");
            }
            for (int i = 0; i < keywords.size(); i++) {
                if (keywords.get(i).isBlank()) {
                    problem(p + "[" + i + "]", "is blank, so it never matches: remove it");
                }
            }
            return keywords;
        }

        /** A model's {@code circuit_breaker}: absent for the default, {@code off}, or a mapping of overrides. */
        CircuitSettings circuit(JsonNode n, String p) {
            if (n.isMissingNode() || n.isNull()) {
                return CircuitSettings.DEFAULT;
            }
            if (n.isBoolean() || n.isTextual() && Set.of("off", "on").contains(n.asText())) {
                // YAML reads a bare off/on as a boolean
                return n.asText().equals("off") || n.isBoolean() && !n.asBoolean() ? CircuitSettings.OFF
                        : CircuitSettings.DEFAULT;
            }
            if (!n.isObject()) {
                problem(p, "expected off, or a mapping (failures_in_a_row, failure_rate, window, minimum_calls, "
                        + "open_for), found " + kind(n));
                return CircuitSettings.DEFAULT;
            }
            unknownFields(n, p, Set.of("failures_in_a_row", "failure_rate", "window", "minimum_calls", "open_for"));
            CircuitSettings d = CircuitSettings.DEFAULT;
            int inARow = optInt(n, "failures_in_a_row", p + ".failures_in_a_row", 1, 1000).orElse(d.failuresInARow());
            double rate = optShare(n, "failure_rate", p + ".failure_rate").orElse(d.failureRate());
            if (rate == 0) {
                problem(p + ".failure_rate", "must be above 0: a rate of 0 would open the circuit with no failure");
            }
            int window = optInt(n, "window", p + ".window", 1, 10_000).orElse(d.window());
            int minimum = optInt(n, "minimum_calls", p + ".minimum_calls", 1, 10_000)
                    .orElse(Math.min(d.minimumCalls(), window));
            if (minimum > window) {
                problem(p + ".minimum_calls", "must be <= window (" + window + "), was " + minimum);
            }
            Duration openFor = optDuration(n, "open_for", p + ".open_for").orElse(d.openFor());
            if (openFor.isZero()) {
                problem(p + ".open_for", "must be above 0");
            }
            return new CircuitSettings(true, inARow, rate, window, minimum, openFor);
        }

        RetrySettings retry(JsonNode n, String p, RetrySettings base) {
            if (!n.isObject()) {
                problem(p, "expected a mapping (max_retries, backoff, initial_delay, max_delay, budget_ratio, "
                        + "budget_min_per_second), found " + kind(n));
                return base;
            }
            unknownFields(n, p, Set.of("max_retries", "backoff", "initial_delay", "max_delay", "budget_ratio",
                    "budget_min_per_second"));
            int max = optInt(n, "max_retries", p + ".max_retries", 0, 10).orElse(base.maxRetries());
            Backoff backoff = optEnum(n, "backoff", p + ".backoff", Backoff.class).orElse(base.backoff());
            Duration initial = optDuration(n, "initial_delay", p + ".initial_delay").orElse(base.initialDelay());
            Duration maxDelay = optDuration(n, "max_delay", p + ".max_delay").orElse(base.maxDelay());
            if (maxDelay.compareTo(initial) < 0) {
                problem(p + ".max_delay", "must be >= initial_delay (" + DurationText.format(initial) + "), was "
                        + DurationText.format(maxDelay));
            }
            double ratio = optShare(n, "budget_ratio", p + ".budget_ratio").orElse(base.budgetRatio());
            int minPerSecond = optInt(n, "budget_min_per_second", p + ".budget_min_per_second", 0, 100_000)
                    .orElse(base.budgetMinPerSecond());
            return new RetrySettings(max, backoff, initial, maxDelay, ratio, minPerSecond);
        }

        List<KeyDef> keys(JsonNode n, Set<String> callable) {
            List<KeyDef> out = new ArrayList<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isArray()) {
                problem("keys", "expected a list of virtual keys, found " + kind(n));
                return out;
            }
            Set<String> ids = new LinkedHashSet<>();
            Map<String, String> keyOwners = new HashMap<>(); // sha256 → the keys[i] that holds it
            for (int i = 0; i < n.size(); i++) {
                String p = "keys[" + i + "]";
                JsonNode k = n.get(i);
                if (!k.isObject()) {
                    problem(p, "expected a mapping with id and key_sha256, found " + kind(k));
                    continue;
                }
                unknownFields(k, p, Set.of("id", "key", "key_sha256", "models", "budget", "budget_window", "rpm",
                        "tpm", "tags"));
                Optional<String> id = reqString(k, "id", p + ".id");
                id.ifPresent(v -> {
                    if (Caller.RESERVED_KEY_IDS.contains(v)) {
                        problem(p + ".id", "'" + v + "' is reserved for the gateway's own callers (master: the "
                                + "master key, anonymous: no key), whose spend rows and stored responses a key with "
                                + "it would share; choose another id");
                    } else if (PrintableText.hasControl(v)) { // logged and ledgered: no line breaks or escapes
                        problem(p + ".id", "must not contain control characters, was \"" + PrintableText.escaped(v)
                                + "\"");
                    } else if (!ids.add(v)) {
                        problem(p + ".id", "duplicate key id '" + v + "'");
                    }
                });
                Optional<String> hash = optString(k, "key_sha256", p + ".key_sha256");
                Optional<String> plain = optString(k, "key", p + ".key");
                if (hash.isPresent() && !hash.get().matches("[0-9a-fA-F]{64}")) {
                    problem(p + ".key_sha256", "expected 64 hex digits (sha256sum of the key), found "
                            + hash.get().length() + " characters");
                } else if (hash.isEmpty() && plain.isEmpty()) {
                    problem(p, "needs key_sha256 (preferred) or key (from ${ENV})");
                }
                String sha = hash.map(h -> h.toLowerCase(Locale.ROOT)).orElseGet(() -> plain.map(
                        ConfigLoader::sha256Hex).orElse(""));
                String owner = sha.isEmpty() ? null : keyOwners.putIfAbsent(sha, p);
                if (owner != null) {
                    // one secret can authenticate as one key only: the other's settings would be unreachable
                    problem(p + (hash.isPresent() ? ".key_sha256" : ".key"), "the same key as " + owner
                            + ": each virtual key needs its own secret");
                }
                List<String> models = k.has("models") ? stringList(k.path("models"), p + ".models") : List.of();
                for (int j = 0; j < models.size(); j++) {
                    if (!callable.contains(models.get(j))) {
                        problem(p + ".models[" + j + "]", "unknown model '" + models.get(j) + "' (known: "
                                + String.join(", ", callable) + ")");
                    }
                }
                Optional<Money> budget = optMoney(k, "budget", p + ".budget");
                BudgetWindow window = optEnum(k, "budget_window", p + ".budget_window", BudgetWindow.class)
                        .orElse(BudgetWindow.MONTH);
                if (!k.hasNonNull("budget") && k.hasNonNull("budget_window")) {
                    problem(p + ".budget_window", "is the window of the key's budget, and the key has none: set "
                            + "budget, or remove budget_window");
                }
                Optional<Integer> rpm = optInt(k, "rpm", p + ".rpm", 1, Integer.MAX_VALUE);
                Optional<Integer> tpm = optInt(k, "tpm", p + ".tpm", 1, Integer.MAX_VALUE);
                Map<String, String> tags = stringMap(k.path("tags"), p + ".tags");
                tags.forEach((name, value) -> TagRules.keyTagProblem(name, value)
                        .ifPresent(problem -> problem(p + ".tags." + TagRules.clip(name), problem)));
                id.ifPresent(v -> out.add(new KeyDef(v, sha, models, budget, window, rpm, tpm, tags)));
            }
            return out;
        }

        List<BudgetDef> budgets(JsonNode n, Set<String> targets) {
            List<BudgetDef> out = new ArrayList<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isArray()) {
                problem("budgets", "expected a list of budgets, found " + kind(n));
                return out;
            }
            Set<String> budgetNames = new LinkedHashSet<>();
            for (int i = 0; i < n.size(); i++) {
                String p = "budgets[" + i + "]";
                JsonNode b = n.get(i);
                if (!b.isObject()) {
                    problem(p, "expected a mapping with name, limit and window, found " + kind(b));
                    continue;
                }
                unknownFields(b, p, Set.of("name", "scope", "window", "limit", "on_exhausted", "downgrade_to",
                        "alert_at"));
                Optional<String> name = reqHeaderSafe(b, "name", p + ".name", "x-costwise-route");
                name.filter(bn -> !budgetNames.add(bn))
                        .ifPresent(bn -> problem(p + ".name", "duplicate budget name '" + bn + "'"));
                BudgetScope scope = optEnum(b, "scope", p + ".scope", BudgetScope.class).orElse(BudgetScope.GLOBAL);
                BudgetWindow window = optEnum(b, "window", p + ".window", BudgetWindow.class)
                        .orElse(BudgetWindow.MONTH);
                Optional<Money> limit = reqMoney(b, "limit", p + ".limit");
                OnExhausted on = optEnum(b, "on_exhausted", p + ".on_exhausted", OnExhausted.class)
                        .orElse(OnExhausted.REJECT);
                Optional<String> downgrade = optString(b, "downgrade_to", p + ".downgrade_to");
                downgrade.ifPresent(t -> requireTarget(t, p + ".downgrade_to", targets));
                if (on == OnExhausted.DOWNGRADE && downgrade.isEmpty()) {
                    problem(p + ".downgrade_to", "on_exhausted: downgrade needs downgrade_to (a free or cheap model)");
                }
                if (on != OnExhausted.DOWNGRADE && downgrade.isPresent()) {
                    problem(p + ".downgrade_to", "is used only with on_exhausted: downgrade; this budget has "
                            + "on_exhausted: " + on.name().toLowerCase(Locale.ROOT) + " and would never downgrade");
                }
                List<Double> alertAt = new ArrayList<>();
                JsonNode a = b.path("alert_at");
                if (!a.isMissingNode()) {
                    if (!a.isArray()) {
                        problem(p + ".alert_at", "expected a list of shares such as [0.5, 0.8], found " + kind(a));
                    } else {
                        for (int j = 0; j < a.size(); j++) {
                            if (!a.get(j).isNumber() || a.get(j).asDouble() <= 0 || a.get(j).asDouble() > 1) {
                                problem(p + ".alert_at[" + j + "]", "expected a share in (0, 1], was " + a.get(j));
                            } else {
                                alertAt.add(a.get(j).asDouble());
                            }
                        }
                    }
                }
                if (name.isPresent() && limit.isPresent()) {
                    out.add(new BudgetDef(name.get(), scope, window, limit.get(), on, downgrade, alertAt));
                }
            }
            return out;
        }

        List<AlertDef> alerts(JsonNode n) {
            List<AlertDef> out = new ArrayList<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isArray()) {
                problem("alerts", "expected a list of alert rules, found " + kind(n));
                return out;
            }
            Set<String> alertNames = new LinkedHashSet<>();
            for (int i = 0; i < n.size(); i++) {
                String p = "alerts[" + i + "]";
                JsonNode a = n.get(i);
                if (!a.isObject()) {
                    problem(p, "expected a mapping with name, metric and above, found " + kind(a));
                    continue;
                }
                unknownFields(a, p, Set.of("name", "metric", "above", "below", "window", "webhook", "cooldown"));
                Optional<String> name = reqString(a, "name", p + ".name");
                name.ifPresent(an -> {
                    if (!alertNames.add(an)) {
                        problem(p + ".name", "duplicate alert name '" + an + "'");
                    }
                });
                Optional<String> metric = reqString(a, "metric", p + ".metric");
                metric.ifPresent(m -> {
                    if (!ALERT_METRICS.contains(m)) {
                        problem(p + ".metric", "unknown metric '" + m + "' (known: " + String.join(", ",
                                ALERT_METRICS.stream().sorted().toList()) + ")");
                    }
                });
                String side = metric.filter(m -> m.equals("cache_hit_rate")).isPresent() ? "below" : "above";
                if (a.has("above") && a.has("below")) {
                    problem(p, "has both above and below; set the one its metric uses (below for cache_hit_rate, "
                            + "above for the others)");
                }
                JsonNode above = a.path(side);
                if (above.isNumber() && above.asDouble() < 0) {
                    problem(p + "." + side, "cannot be negative, was " + above.asText());
                } else if (!above.isNumber() && !(above.isTextual() && above.asText().matches("[0-9.]+"))) {
                    problem(p + "." + side, "expected a number, found " + kind(above));
                } else if (metric.filter(m -> m.equals("budget_utilization")).isPresent()
                        && !(above.asDouble() > 0 && above.asDouble() <= 1)) {
                    problem(p + ".above", "expected a share in (0, 1] for budget_utilization, was " + above.asText());
                } else if (!side.equals("above") || metric.filter(m -> !m.equals("spend")).isPresent()) {
                    if (above.asDouble() < 0 || above.asDouble() > 1) {
                        problem(p + "." + side, "expected a share in [0, 1] for " + metric.orElse("?") + ", was "
                                + above.asText());
                    }
                }
                Duration window = optPositiveDuration(a, "window", p + ".window", "a rule over no time sees nothing")
                        .orElse(Duration.ofHours(1));
                Optional<String> webhook = optString(a, "webhook", p + ".webhook");
                webhook.filter(url -> !isAbsoluteHttpUrl(url)).ifPresent(url ->
                        // the URL is not echoed: a Slack webhook's path is its secret
                        problem(p + ".webhook", "must be an absolute http(s) URL"));
                Duration cooldown = optDuration(a, "cooldown", p + ".cooldown").orElse(Duration.ofMinutes(15));
                if (name.isPresent() && metric.isPresent()) {
                    out.add(new AlertDef(name.get(), metric.get(), above.asDouble(), window, webhook, cooldown));
                }
            }
            return out;
        }

        List<RouteTest> tests(JsonNode n, Map<String, Pipeline> pipelines) {
            List<RouteTest> out = new ArrayList<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isArray()) {
                problem("tests", "expected a list of routing tests, found " + kind(n));
                return out;
            }
            for (int i = 0; i < n.size(); i++) {
                String p = "tests[" + i + "]";
                JsonNode t = n.get(i);
                if (!t.isObject()) {
                    problem(p, "expected a mapping with input and expect_route, found " + kind(t));
                    continue;
                }
                unknownFields(t, p, Set.of("input", "model", "expect_route"));
                Optional<String> input = reqString(t, "input", p + ".input");
                Optional<String> model = optString(t, "model", p + ".model");
                model.ifPresent(m -> {
                    if (!pipelines.containsKey(m)) {
                        problem(p + ".model", "no pipeline named '" + m + "' (known: "
                                + String.join(", ", pipelines.keySet()) + ")");
                    }
                });
                Optional<String> expect = reqString(t, "expect_route", p + ".expect_route");
                if (input.isPresent() && expect.isPresent()) {
                    RouteTest test = new RouteTest(input.get(), model, expect.get());
                    RouteTests.pipelineOf(test, pipelines).ifPresent(tested -> {
                        if (tested.workflow()) {
                            workflowExpectation(test, p, RouteTests.pipelineNameOf(test, pipelines));
                            return;
                        }
                        Set<String> routes = new LinkedHashSet<>();
                        tested.routes().forEach(r -> routes.add(r.name()));
                        routes.add(RouteSelector.DEFAULT_ROUTE);
                        if (!routes.contains(test.expectRoute())) {
                            problem(p + ".expect_route", "no route '" + test.expectRoute() + "' in its pipeline "
                                    + "(known: " + String.join(", ", routes) + ")");
                        }
                    });
                    out.add(test);
                }
            }
            return out;
        }

        /** A workflow pipeline takes route {@code workflow:<complexity>} whatever its routes' conditions say. */
        private void workflowExpectation(RouteTest test, String p, String pipeline) {
            List<String> levels = Arrays.stream(Complexity.values())
                    .map(c -> "workflow:" + c.name().toLowerCase(Locale.ROOT)).toList();
            if (!levels.contains(test.expectRoute())) {
                problem(p + ".expect_route", "can never match: pipeline '" + pipeline + "' runs the workflow "
                        + "(workflow: true), which ignores its routes' conditions and takes route "
                        + "workflow:<complexity>; expect one of " + String.join(", ", levels));
            }
        }

        // ---- scalars ------------------------------------------------------------------------------------------

        /** Each name a list repeats, at its path, with the earlier place and why it is said once. */
        void repeated(List<String> names, String p, String why) {
            for (int i = 0; i < names.size(); i++) {
                int first = names.indexOf(names.get(i));
                if (first < i) {
                    problem(p + "[" + i + "]", "'" + names.get(i) + "' is already " + p + "[" + first + "]: " + why);
                }
            }
        }

        void requireTarget(String name, String p, Set<String> targets) {
            if (!targets.contains(name)) {
                problem(p, "unknown model '" + name + "' (known: " + String.join(", ", targets) + ")");
            }
        }

        void unknownFields(JsonNode n, String p, Set<String> known) {
            n.fieldNames().forEachRemaining(f -> {
                if (!known.contains(f)) {
                    problem(p.isEmpty() ? f : p + "." + f, "unknown field (known: "
                            + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            });
        }

        String substitute(String text, String p) {
            return EnvReferences.substitute(text, ref -> {
                String value = env.apply(ref.variable());
                if (value != null) {
                    envValues.record(p, ref.variable(), value);
                    return value;
                }
                if (ref.fallback().isEmpty()) {
                    problem(p, "environment variable " + ref.variable() + " is not set (write ${" + ref.variable()
                            + ":-default} to give a default)");
                }
                return ref.fallback().orElse("");
            });
        }

        Optional<String> optString(JsonNode n, String field, String p) {
            JsonNode v = n.path(field);
            if (v.isMissingNode() || v.isNull()) {
                return Optional.empty();
            }
            if (!v.isValueNode() || v.isBoolean()) {
                problem(p, "expected text, found " + kind(v));
                return Optional.empty();
            }
            String s = substitute(v.asText(), p);
            return s.isBlank() ? Optional.empty() : Optional.of(s.trim());
        }

        Optional<String> reqString(JsonNode n, String field, String p) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty() && (n.path(field).isMissingNode() || n.path(field).isNull()
                    || n.path(field).isValueNode())) {
                problem(p, "is required");
            }
            return s;
        }

        /**
         * A required name the gateway sends back in a response header: the server does not validate the headers it
         * writes (the gateway writes only its own values), so a name that could break a header is refused here.
         */
        Optional<String> reqHeaderSafe(JsonNode n, String field, String p, String header) {
            Optional<String> s = reqString(n, field, p);
            if (s.isPresent() && s.get().chars().anyMatch(c -> c < 0x20 || c == 0x7f || c > 0xff)) {
                // shown with '?' for each control character, so the hiding of values from the environment would
                // miss it: such a value is not shown at all
                String shown = envValues.cameFromEnv(p) ? "its value (from the environment)"
                        : "'" + s.get().replaceAll("\\p{Cntrl}", "?") + "'";
                problem(p, shown + " contains a control character or a character outside Latin-1; it is sent in the "
                        + header + " header");
                return Optional.empty();
            }
            return s;
        }

        Optional<Integer> optInt(JsonNode n, String field, String p, int min, int max) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            try {
                int v = Integer.parseInt(s.get());
                if (v < min || v > max) {
                    problem(p, "must be in [" + min + ", " + max + "], was " + v);
                    return Optional.empty();
                }
                return Optional.of(v);
            } catch (NumberFormatException e) {
                problem(p, "expected a whole number in [" + min + ", " + max + "], was '" + s.get() + "'");
                return Optional.empty();
            }
        }

        Optional<Double> optShare(JsonNode n, String field, String p) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            try {
                double v = Double.parseDouble(s.get());
                if (v < 0 || v > 1) {
                    problem(p, "expected a share in [0, 1], was " + v);
                    return Optional.empty();
                }
                return Optional.of(v);
            } catch (NumberFormatException e) {
                problem(p, "expected a share in [0, 1], was '" + s.get() + "'");
                return Optional.empty();
            }
        }

        Optional<Boolean> optBoolean(JsonNode n, String field, String p) {
            JsonNode v = n.path(field);
            if (v.isMissingNode() || v.isNull()) {
                return Optional.empty();
            }
            if (v.isBoolean()) {
                return Optional.of(v.asBoolean());
            }
            problem(p, "expected true or false, found " + kind(v));
            return Optional.empty();
        }

        Optional<Money> optMoney(JsonNode n, String field, String p) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            String text = s.get().startsWith("$") ? s.get().substring(1) : s.get();
            try {
                Money m = Money.of(text);
                if (m.isNegative()) {
                    problem(p, "cannot be negative, was " + s.get());
                    return Optional.empty();
                }
                return Optional.of(m);
            } catch (IllegalArgumentException e) {
                problem(p, "expected a dollar amount such as \"2.50\", was '" + s.get() + "'");
                return Optional.empty();
            }
        }

        Optional<Money> reqMoney(JsonNode n, String field, String p) {
            if (n.path(field).isMissingNode() || n.path(field).isNull()) {
                problem(p, "is required");
                return Optional.empty();
            }
            return optMoney(n, field, p);
        }

        Optional<Duration> optDuration(JsonNode n, String field, String p) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            Optional<Duration> d = parseDuration(s.get());
            if (d.isEmpty()) {
                problem(p, "expected a duration such as 250ms, 30s, 5m, 1h or 1d, was '" + s.get() + "'");
            }
            return d;
        }

        /** A duration that bounds something: at zero it would fail (or never see) everything it bounds. */
        Optional<Duration> optPositiveDuration(JsonNode n, String field, String p, String atZero) {
            Optional<Duration> d = optDuration(n, field, p);
            if (d.filter(Duration::isZero).isPresent()) {
                problem(p, "must be positive (at 0 " + atZero + "), was " + n.path(field).asText().trim());
                return Optional.empty();
            }
            return d;
        }

        Optional<Long> optSize(JsonNode n, String field, String p) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            Matcher m = SIZE.matcher(s.get());
            if (!m.matches()) {
                problem(p, "expected a size such as 512KB or 10MB, was '" + s.get() + "'");
                return Optional.empty();
            }
            long v = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            long mult = switch (unit) {
                case "kb" -> 1024L;
                case "mb" -> 1024L * 1024;
                case "gb" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            if (v < 1) {
                problem(p, "must be at least 1 byte, was '" + s.get() + "'");
                return Optional.empty();
            }
            return Optional.of(v * mult);
        }

        <E extends Enum<E>> Optional<E> optEnum(JsonNode n, String field, String p, Class<E> type) {
            Optional<String> s = optString(n, field, p);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(s.get())) {
                    return Optional.of(e);
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name().toLowerCase(Locale.ROOT));
            }
            problem(p, "unknown value '" + s.get() + "' (known: " + String.join(", ", names) + ")");
            return Optional.empty();
        }

        List<String> stringList(JsonNode n, String p) {
            List<String> out = new ArrayList<>();
            if (n.isTextual()) {
                out.add(substitute(n.asText(), p));
                return out;
            }
            if (!n.isArray()) {
                problem(p, "expected a list of names, found " + kind(n));
                return out;
            }
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isValueNode()) {
                    problem(p + "[" + i + "]", "expected a name, found " + kind(n.get(i)));
                } else {
                    out.add(substitute(n.get(i).asText(), p + "[" + i + "]"));
                }
            }
            return out;
        }

        Map<String, String> stringMap(JsonNode n, String p) {
            Map<String, String> out = new LinkedHashMap<>();
            if (n.isMissingNode() || n.isNull()) {
                return out;
            }
            if (!n.isObject()) {
                problem(p, "expected a mapping of name → value, found " + kind(n));
                return out;
            }
            n.properties().forEach(e -> {
                if (!e.getValue().isValueNode()) {
                    problem(p + "." + e.getKey(), "expected a value, found " + kind(e.getValue()));
                } else {
                    out.put(e.getKey(), substitute(e.getValue().asText(), p + "." + e.getKey()));
                }
            });
            return out;
        }

        String kind(JsonNode n) {
            if (n.isMissingNode() || n.isNull()) {
                return "nothing";
            }
            if (n.isObject()) {
                return "a mapping";
            }
            if (n.isArray()) {
                return "a list";
            }
            return "'" + n.asText() + "'";
        }
    }
}
