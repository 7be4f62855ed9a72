package dev.costwise.gateway.config;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import dev.costwise.llm.provider.http.HttpBodies;
import dev.costwise.llm.provider.http.SafeUrls;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The gateway's whole configuration: server, models, pipelines, keys, budgets, alerts, ledger and routing tests.
 *
 * <p>Immutable. Read from YAML by {@link ConfigLoader}, which checks every field and reports every problem at once, or
 * built by {@link EmbeddedDefaults} from the environment when no file is given.
 *
 * @param server where and how the HTTP server listens
 * @param masterKey the admin key; empty when none is configured
 * @param ledgerUrl the JDBC URL of the spend ledger ({@code jdbc:sqlite:…} or {@code jdbc:postgresql:…}); default
 *     {@code jdbc:sqlite:./costwise-data/ledger.db}; empty (programmatic configs only) keeps it in memory
 * @param ledgerRetention how long the ledger keeps each record before rolling it into its day's totals (reports and
 *     budgets still count it); default {@link #DEFAULT_LEDGER_RETENTION}; empty keeps every record forever
 * @param models the deployable models
 * @param aliases alias name → model or group name
 * @param groups group name → models tried in order (the first is primary, the rest its fallbacks)
 * @param defaults the pipeline every model name gets unless {@code pipelines} names it
 * @param pipelines pipelines by the model name callers send (for example {@code auto})
 * @param keys virtual keys defined in the file
 * @param budgets budget policies
 * @param alerts alert rules
 * @param tests routing test cases that {@code costwise config check} runs
 * @param simulated {@code true} when every model is served by the simulator (the embedded default with no provider key)
 * @param throttles provider id → most calls in flight to it at once (a throttle); absent providers are unbounded
 * @param redis where replicas share cache, budgets and rate limits; empty (the default) keeps them in this process
 */
public record GatewayConfig(Server server, Optional<String> masterKey, Optional<String> ledgerUrl,
        Optional<Duration> ledgerRetention, List<Model> models, Map<String, String> aliases,
        Map<String, List<String>> groups, Pipeline defaults, Map<String, Pipeline> pipelines, List<KeyDef> keys,
        List<BudgetDef> budgets, List<AlertDef> alerts, List<RouteTest> tests, boolean simulated,
        Map<String, Integer> throttles, Optional<RedisSettings> redis) {

    /** How long the ledger keeps records unless the config says otherwise. */
    public static final Duration DEFAULT_LEDGER_RETENTION = Duration.ofDays(90);

    public GatewayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(ledgerUrl, "ledgerUrl");
        Objects.requireNonNull(ledgerRetention, "ledgerRetention");
        models = List.copyOf(models);
        aliases = Map.copyOf(aliases);
        groups = Map.copyOf(groups);
        Objects.requireNonNull(defaults, "defaults");
        pipelines = Map.copyOf(pipelines);
        keys = List.copyOf(keys);
        budgets = List.copyOf(budgets);
        alerts = List.copyOf(alerts);
        tests = List.copyOf(tests);
        throttles = Map.copyOf(throttles);
        Objects.requireNonNull(redis, "redis");
    }

    /** A configuration without Redis: every counter and the cache stay in this process. */
    public GatewayConfig(Server server, Optional<String> masterKey, Optional<String> ledgerUrl,
            Optional<Duration> ledgerRetention, List<Model> models, Map<String, String> aliases,
            Map<String, List<String>> groups, Pipeline defaults, Map<String, Pipeline> pipelines, List<KeyDef> keys,
            List<BudgetDef> budgets, List<AlertDef> alerts, List<RouteTest> tests, boolean simulated,
            Map<String, Integer> throttles) {
        this(server, masterKey, ledgerUrl, ledgerRetention, models, aliases, groups, defaults, pipelines, keys,
                budgets, alerts, tests, simulated, throttles, Optional.empty());
    }

    /**
     * Where gateway replicas share their response cache, budget counters and rate-limit windows.
     *
     * @param url {@code redis://[user:password@]host:port[/db]}; its password is never printed
     * @param keyPrefix prefix of every key written; replicas that share state use the same one; default
     *     {@code costwise}
     * @param localShare the share of each budget and rate limit one replica may use alone while Redis is down
     *     (set it to 1 / replicas); default 0.5
     * @param timeout how long connecting or one command may take before Redis counts as down; default 200 ms
     * @param maxEntryBytes the largest answer the shared response cache stores ({@code max_entry_size}); default
     *     {@link #DEFAULT_MAX_ENTRY}. Each replica that reads an entry back holds it whole, beside its compressed
     *     form, so it must fit every replica's heap; a larger answer is served but not cached
     */
    public record RedisSettings(String url, String keyPrefix, double localShare, Duration timeout,
            long maxEntryBytes) {
        /** Default largest shared cache entry: 8 MB, which a gateway on the launcher's 96 MB heap reads back. */
        public static final long DEFAULT_MAX_ENTRY = 8L * 1024 * 1024;

        public RedisSettings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            Objects.requireNonNull(timeout, "timeout");
            if (maxEntryBytes < 1 || maxEntryBytes > Server.MAX_ANSWER_LIMIT) {
                throw new IllegalArgumentException("maxEntryBytes must be between 1 and " + Server.MAX_ANSWER_LIMIT
                        + ": " + maxEntryBytes);
            }
        }

        /** Settings whose largest shared cache entry is the default, {@link #DEFAULT_MAX_ENTRY}. */
        public RedisSettings(String url, String keyPrefix, double localShare, Duration timeout) {
            this(url, keyPrefix, localShare, timeout, DEFAULT_MAX_ENTRY);
        }

        /** @return the URL with any password replaced by {@code ***} */
        public String safeUrl() {
            return url.replaceAll("//[^@/]*@", "//***@");
        }

        @Override
        public String toString() {
            return "RedisSettings[url=" + safeUrl() + ", keyPrefix=" + keyPrefix + ", localShare=" + localShare
                    + ", timeout=" + timeout + ", maxEntryBytes=" + maxEntryBytes + "]";
        }
    }

    /** @return the model with that configured name, if any */
    public Optional<Model> model(String name) {
        for (Model m : models) {
            if (m.name().equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** @return a copy listening elsewhere (command-line {@code --host}/{@code --port} win over the file) */
    public GatewayConfig withServer(Server newServer) {
        return new GatewayConfig(newServer, masterKey, ledgerUrl, ledgerRetention, models, aliases, groups, defaults,
                pipelines, keys, budgets, alerts, tests, simulated, throttles, redis);
    }

    /** @return a copy keeping its ledger at {@code url} (a JDBC URL) */
    public GatewayConfig withLedgerUrl(String url) {
        return new GatewayConfig(server, masterKey, Optional.of(url), ledgerRetention, models, aliases, groups,
                defaults, pipelines, keys, budgets, alerts, tests, simulated, throttles, redis);
    }

    /**
     * Where and how the server listens.
     *
     * @param host interface to bind; default {@code 127.0.0.1}
     * @param port TCP port; default 4000; 0 picks a free one
     * @param maxBodyBytes largest request body accepted; default 10 MB
     * @param shutdownGrace how long a stop waits for in-flight requests; default 10 s
     * @param requestTimeout the deadline of one request end to end; default 120 s
     * @param cacheMemoryBytes the most bytes the response caches of every pipeline hold together; 0 (default) means a
     *        quarter of the JVM's maximum heap
     * @param responsesTtl how long the Responses API keeps a stored response for {@code previous_response_id} and
     *        {@code GET}; default 30 days, as OpenAI keeps them
     * @param maxAnswerBytes the largest upstream answer (or stream event) read; default 16 MB
     * @param answerMemoryBytes the most bytes of upstream answers read whole that are held at once; 0 (default) means
     *        a quarter of the JVM's maximum heap
     * @param streamKeepAlive how long a stream waits in silence before its client is sent a keep-alive for one its
     *        provider sent (the first one starts the response: a failure after it no longer changes the status), and
     *        the least time between two; default 15 s, below the 60 s after which proxies cut idle connections; zero
     *        for none
     * @param connections how long clients may keep a connection waiting, and how many connections are served at once
     * @param metrics who may read {@code /metrics}; default anyone ({@link MetricsAccess#OPEN})
     */
    public record Server(String host, int port, long maxBodyBytes, Duration shutdownGrace, Duration requestTimeout,
            long cacheMemoryBytes, Duration responsesTtl, long maxAnswerBytes, long answerMemoryBytes,
            Duration streamKeepAlive, Connections connections, MetricsAccess metrics) {
        /** Default body limit: 10 MB. */
        public static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
        /** The largest {@code max_answer_size} accepted: an answer is read into one array. */
        public static final long MAX_ANSWER_LIMIT = Integer.MAX_VALUE - 16;
        /** Default stored-response lifetime: 30 days. */
        public static final Duration DEFAULT_RESPONSES_TTL = Duration.ofDays(30);
        /** Default wait before a silent stream's client gets a keep-alive: 15 s. */
        public static final Duration DEFAULT_STREAM_KEEPALIVE = Duration.ofSeconds(15);

        /**
         * A server whose other settings are the defaults: cache and answer memory, answer size, keep-alives,
         * connection limits and {@code /metrics} access.
         */
        public Server(String host, int port, long maxBodyBytes, Duration shutdownGrace, Duration requestTimeout) {
            this(host, port, maxBodyBytes, shutdownGrace, requestTimeout, 0, DEFAULT_RESPONSES_TTL,
                    HttpBodies.DEFAULT_MAX_SIZE, 0, DEFAULT_STREAM_KEEPALIVE, Connections.DEFAULT, MetricsAccess.OPEN);
        }

        public Server {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(connections, "connections");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(responsesTtl, "responsesTtl");
            Objects.requireNonNull(streamKeepAlive, "streamKeepAlive");
            if (streamKeepAlive.isNegative()) {
                throw new IllegalArgumentException("streamKeepAlive cannot be negative: " + streamKeepAlive);
            }
            if (cacheMemoryBytes < 0) {
                throw new IllegalArgumentException("cacheMemoryBytes cannot be negative: " + cacheMemoryBytes);
            }
            if (maxAnswerBytes < 1 || maxAnswerBytes > MAX_ANSWER_LIMIT) {
                throw new IllegalArgumentException("maxAnswerBytes must be between 1 and " + MAX_ANSWER_LIMIT
                        + ": " + maxAnswerBytes);
            }
            if (answerMemoryBytes < 0) {
                throw new IllegalArgumentException("answerMemoryBytes cannot be negative: " + answerMemoryBytes);
            }
            if (responsesTtl.isNegative() || responsesTtl.isZero()) {
                throw new IllegalArgumentException("responsesTtl must be positive: " + responsesTtl);
            }
        }

        /** @return the response caches' byte budget: the configured one, else a quarter of the maximum heap */
        public long effectiveCacheMemory() {
            return cacheMemoryBytes > 0 ? cacheMemoryBytes : Runtime.getRuntime().maxMemory() / 4;
        }

        /**
         * @return the budget of upstream answer bytes held at once: the configured one, else a quarter of the maximum
         *     heap
         */
        public long effectiveAnswerMemory() {
            return answerMemoryBytes > 0 ? answerMemoryBytes : Runtime.getRuntime().maxMemory() / 4;
        }

        /** @return a copy bound elsewhere, other settings kept (the command line's --host and --port win) */
        public Server withAddress(String newHost, int newPort) {
            return new Server(newHost, newPort, maxBodyBytes, shutdownGrace, requestTimeout, cacheMemoryBytes,
                    responsesTtl, maxAnswerBytes, answerMemoryBytes, streamKeepAlive, connections, metrics);
        }

        /** @return 127.0.0.1:4000 with the defaults above */
        public static Server ofDefaults() {
            return new Server("127.0.0.1", 4000, DEFAULT_MAX_BODY, Duration.ofSeconds(10), Duration.ofSeconds(120));
        }
    }

    /**
     * Who may read {@code /metrics} ({@code server.metrics_auth}): it shows spend per model, every model's name, error
     * counts and circuit states, none of them a secret. Open by default, as Prometheus scrape configs expect; with a
     * key required, a scrape must send the master key, or {@code metricsKey} (a key that opens nothing else, for
     * Prometheus' {@code authorization} setting).
     *
     * @param keyRequired whether {@code /metrics} needs a key ({@code metrics_auth: master_key})
     * @param metricsKey a key that reads {@code /metrics} and nothing else ({@code metrics_key}); never shown
     */
    public record MetricsAccess(boolean keyRequired, Optional<String> metricsKey) {
        /** Anyone may read {@code /metrics}. */
        public static final MetricsAccess OPEN = new MetricsAccess(false, Optional.empty());

        public MetricsAccess {
            Objects.requireNonNull(metricsKey, "metricsKey");
            if (metricsKey.isPresent() && !keyRequired) {
                throw new IllegalArgumentException("a metricsKey is only used when a key is required");
            }
        }

        @Override
        public String toString() {
            return "MetricsAccess[keyRequired=" + keyRequired + ", metricsKey=" + metricsKey.map(k -> "(set)")
                    .orElse("(none)") + "]";
        }
    }

    /**
     * How long the server waits for a client, and how many clients it serves at once: a client that keeps a
     * connection without sending what it owes loses it, so no client can hold connections (and file descriptors) for
     * ever.
     *
     * @param headerTimeout how long a client has to send a request's headers once connected, and the longest pause
     *        while it sends a body ({@code header_timeout}); default 30 s
     * @param idleTimeout how long a kept-alive connection may take, after an answer, to send its next request's
     *        headers ({@code idle_timeout}); default 75 s, longer than the 60 s idle timeout of common load balancers
     *        (a backend that closes first makes them answer 502)
     * @param maxConnections the most connections served at once ({@code max_connections}); more wait in the
     *        listen queue. Empty (default): from the process's file-descriptor limit ({@link
     *        #effectiveMaxConnections})
     */
    public record Connections(Duration headerTimeout, Duration idleTimeout, OptionalInt maxConnections) {
        /** 30 s for headers, 75 s idle, connections from the file-descriptor limit. */
        public static final Connections DEFAULT = new Connections(Duration.ofSeconds(30), Duration.ofSeconds(75),
                OptionalInt.empty());
        /** The most connections served at once by default, whatever the file-descriptor limit. */
        public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
        /** File descriptors left for everything but client connections: the ledger, logs, the JDK's own files. */
        static final long RESERVED_DESCRIPTORS = 256;

        public Connections {
            Objects.requireNonNull(headerTimeout, "headerTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(maxConnections, "maxConnections");
            if (headerTimeout.isNegative() || headerTimeout.isZero()) {
                throw new IllegalArgumentException("headerTimeout must be positive: " + headerTimeout);
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
            }
            if (maxConnections.isPresent() && maxConnections.getAsInt() < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
            }
        }

        /**
         * The configured limit, else one the file-descriptor limit can hold: each connection may take a second
         * descriptor for its upstream call, and {@value #RESERVED_DESCRIPTORS} are left for the rest, so accepting a
         * connection never fails for want of one (the web server stops listening for good when it does); at most
         * {@link #DEFAULT_MAX_CONNECTIONS}, at least 16.
         *
         * @param descriptorLimit the process's file-descriptor limit, if known
         * @return the most connections to serve at once
         */
        public int effectiveMaxConnections(OptionalLong descriptorLimit) {
            if (maxConnections.isPresent()) {
                return maxConnections.getAsInt();
            }
            long fit = descriptorLimit.isPresent() ? (descriptorLimit.getAsLong() - RESERVED_DESCRIPTORS) / 2
                    : DEFAULT_MAX_CONNECTIONS;
            return (int) Math.max(16, Math.min(DEFAULT_MAX_CONNECTIONS, fit));
        }
    }

    /**
     * One deployable model.
     *
     * @param name the name callers send
     * @param provider provider id ({@code openai}, {@code sim}…)
     * @param upstreamModel the model id sent to the provider
     * @param apiKey the API key, already read from its environment variable; never logged
     * @param apiKeyEnv the environment variable the key came from (shown instead of the key)
     * @param baseUrl the provider's base URL, such as {@code https://api.openai.com/v1}
     * @param price prices per million tokens, if known
     * @param contextWindow prompt plus output limit in tokens
     * @param maxOutputTokens the output limit assumed for budget reservations when a request sets none
     * @param circuitBreaker when calls to it stop for a while
     * @param promptCaching where the gateway places Anthropic prompt-cache breakpoints when a request places none
     *     ({@code prompt_caching}; Anthropic models only)
     * @param serviceTier the OpenAI service tier every call to this model asks for ({@code service_tier}; OpenAI and
     *     OpenAI-compatible models only), overriding the caller's: {@code flex} makes a half-price deployment of a
     *     model for work that can wait, which a fallback to the same model without it backs up
     * @param firstTokenTimeout the longest a stream from this model may take to show its first output
     *     ({@code first_token_timeout}); past it the attempt fails as a timeout and may fall back, since nothing has
     *     reached the caller yet. Empty: only the pipeline's timeout between chunks
     */
    public record Model(String name, String provider, String upstreamModel, Optional<String> apiKey,
            Optional<String> apiKeyEnv, String baseUrl, Optional<Pricing> price, int contextWindow,
            int maxOutputTokens, CircuitSettings circuitBreaker, AnthropicPromptCaching promptCaching,
            Optional<ServiceTier> serviceTier, Optional<Duration> firstTokenTimeout) {
        public Model {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(upstreamModel, "upstreamModel");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(price, "price");
            Objects.requireNonNull(circuitBreaker, "circuitBreaker");
            Objects.requireNonNull(promptCaching, "promptCaching");
            Objects.requireNonNull(serviceTier, "serviceTier");
            Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
        }

        /** A model with the default circuit breaker. */
        public Model(String name, String provider, String upstreamModel, Optional<String> apiKey,
                Optional<String> apiKeyEnv, String baseUrl, Optional<Pricing> price, int contextWindow,
                int maxOutputTokens) {
            this(name, provider, upstreamModel, apiKey, apiKeyEnv, baseUrl, price, contextWindow, maxOutputTokens,
                    CircuitSettings.DEFAULT, AnthropicPromptCaching.NONE, Optional.empty(), Optional.empty());
        }

        /**
         * @return its configured price, else the one the bundled catalog knows for it ({@link
         *     EmbeddedDefaults#knownPrice}); empty only for a simulated model the catalog does not price
         */
        public Optional<Pricing> effectivePrice() {
            return price.or(() -> EmbeddedDefaults.knownPrice(provider, upstreamModel));
        }

        @Override
        public String toString() {
            // the base URL may hold credentials (user info, a query such as ?api-key=): shown without them
            return "Model[" + name + " -> " + provider + "/" + upstreamModel + " at "
                    + SafeUrls.withoutSecrets(baseUrl)
                    + apiKeyEnv.map(e -> ", key from $" + e).orElse("")
                    + serviceTier.map(t -> ", " + t.wireName() + " tier").orElse("") + "]";
        }
    }

    /**
     * When the gateway stops calling a failing model for a while and sends its requests straight to their fallbacks:
     * after {@code failuresInARow} failures in a row, or when at least {@code failureRate} of the last {@code window}
     * calls failed (judged once {@code minimumCalls} are in). Failures are the provider's (5xx, timeouts, connection
     * failures, rate limits, overload), never a caller's mistake. After {@code openFor} one request probes the model;
     * its success closes the circuit, its failure opens it again.
     *
     * @param enabled {@code false} to always call the model
     * @param failuresInARow consecutive failures that open the circuit
     * @param failureRate the share of failed calls in the window that opens it
     * @param window the number of most recent calls the rate is taken over
     * @param minimumCalls calls needed in the window before the rate is judged
     * @param openFor how long requests skip the model before one probes it
     */
    public record CircuitSettings(boolean enabled, int failuresInARow, double failureRate, int window,
            int minimumCalls, Duration openFor) {
        /** 5 failures in a row, or half of the last 20 calls (at least 10 made), open the circuit for 30 s. */
        public static final CircuitSettings DEFAULT = new CircuitSettings(true, 5, 0.5, 20, 10, Duration.ofSeconds(30));
        /** Never opens. */
        public static final CircuitSettings OFF = new CircuitSettings(false, 5, 0.5, 20, 10, Duration.ofSeconds(30));

        public CircuitSettings {
            Objects.requireNonNull(openFor, "openFor");
        }
    }

    /**
     * What happens to requests for one model name.
     *
     * @param cache response cache settings
     * @param routes router rules, tried in order; the first that matches picks the model
     * @param defaultRoute the model (or alias) used when no rule matches; empty means the requested model itself
     * @param fallbacks models tried in order when the chosen one fails with a provider failure
     * @param contextWindowFallback the model tried when a prompt does not fit the chosen model's context window
     * @param retry retries per model
     * @param timeout bound of one upstream attempt
     * @param workflow {@code true} when this name runs the multi-model workflow (Pattern 5)
     * @param validate {@code true} when the workflow's orchestrator validates each executor answer of a task that is
     *     not simple, and a failed verdict escalates to a stronger executor
     * @param baseline the model savings are measured against (what callers would use without Costwise); when empty,
     *     the model the caller named, or a workflow's orchestrator
     * @param maxReasoningEffort the most reasoning a request may ask for; a request asking for more is lowered to it
     */
    public record Pipeline(CacheSettings cache, List<RouteRule> routes, Optional<String> defaultRoute,
            List<String> fallbacks, Optional<String> contextWindowFallback, RetrySettings retry, Duration timeout,
            boolean workflow, boolean validate, Optional<String> baseline,
            Optional<ReasoningEffort> maxReasoningEffort) {
        public Pipeline {
            Objects.requireNonNull(cache, "cache");
            routes = List.copyOf(routes);
            Objects.requireNonNull(defaultRoute, "defaultRoute");
            fallbacks = List.copyOf(fallbacks);
            Objects.requireNonNull(contextWindowFallback, "contextWindowFallback");
            Objects.requireNonNull(retry, "retry");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(baseline, "baseline");
            Objects.requireNonNull(maxReasoningEffort, "maxReasoningEffort");
        }

        /** @return cache per key for 1 h, no routes or fallbacks, 2 retries, 60 s per attempt, reasoning uncapped */
        public static Pipeline ofDefaults() {
            return new Pipeline(CacheSettings.ofDefaults(), List.of(), Optional.empty(), List.of(), Optional.empty(),
                    RetrySettings.ofDefaults(), Duration.ofSeconds(60), false, false, Optional.empty(),
                    Optional.empty());
        }
    }

    /** Whom a cache entry is shared with. */
    public enum CacheScope {
        /** Each virtual key has its own entries (default): one tenant never sees another's answers. */
        KEY,
        /** Every caller shares the entries of this pipeline. */
        SHARED
    }

    /**
     * Response cache settings.
     *
     * @param enabled whether to cache
     * @param scope who shares entries
     * @param ttl how long an entry lives
     * @param maxEntries the most entries kept
     */
    public record CacheSettings(boolean enabled, CacheScope scope, Duration ttl, long maxEntries) {
        public CacheSettings {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(ttl, "ttl");
        }

        /** @return enabled, per key, 1 h, 10 000 entries */
        public static CacheSettings ofDefaults() {
            return new CacheSettings(true, CacheScope.KEY, Duration.ofHours(1), 10_000);
        }
    }

    /**
     * One router rule: when every condition that is set holds, requests go to {@code model}.
     *
     * @param name the route's name, reported in {@code x-costwise-route}
     * @param model the model (or alias) that serves the route
     * @param minChars the prompt has at least this many characters
     * @param maxChars the prompt has at most this many characters
     * @param keywords the last user message contains any of these where a word starts (case-insensitive)
     * @param complexity the rule-based classifier rates the prompt at this level ({@code simple}, {@code moderate},
     *     {@code complex})
     * @param maxBudgetUtilization the global budget is used up to at most this share (0..1)
     * @param minBudgetUtilization the global budget is used at least this share (0..1)
     * @param maxReasoningEffort the most reasoning a request on this route may ask for (stricter than the
     *     pipeline's cap, if lower): with {@code budget_utilization_above}, the same model thinks less as the budget
     *     runs out
     * @param headroomAbove {@code model} has more than this share of its tightest upstream rate limit left
     *     ({@code rate_limit_headroom_above}, 0..1), as its provider's rate-limit headers last said; a model with no
     *     report since its limits' reset counts as full
     */
    public record RouteRule(String name, String model, Optional<Integer> minChars, Optional<Integer> maxChars,
            List<String> keywords, Optional<String> complexity, Optional<Double> maxBudgetUtilization,
            Optional<Double> minBudgetUtilization, Optional<ReasoningEffort> maxReasoningEffort,
            Optional<Double> headroomAbove) {
        public RouteRule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
            keywords = List.copyOf(keywords);
            Objects.requireNonNull(maxReasoningEffort, "maxReasoningEffort");
            Objects.requireNonNull(headroomAbove, "headroomAbove");
        }

        /** @return whether the rule sets no condition, so it takes every request that reaches it */
        public boolean unconditional() {
            return minChars.isEmpty() && maxChars.isEmpty() && keywords.isEmpty() && complexity.isEmpty()
                    && maxBudgetUtilization.isEmpty() && minBudgetUtilization.isEmpty() && headroomAbove.isEmpty();
        }
    }

    /** Backoff between retries. */
    public enum Backoff { CONSTANT, LINEAR, EXPONENTIAL }

    /**
     * Retries of one model before falling back.
     *
     * @param maxRetries retries after the first attempt (0 = none)
     * @param backoff how the delay grows
     * @param initialDelay first delay
     * @param maxDelay delay cap
     * @param budgetRatio retries to one provider as a share of first attempts over 10 s (core's {@code RetryBudget});
     *        default 0.2
     * @param budgetMinPerSecond retries a second always allowed on top of the ratio; default 10
     */
    public record RetrySettings(int maxRetries, Backoff backoff, Duration initialDelay, Duration maxDelay,
            double budgetRatio, int budgetMinPerSecond) {
        /** Default share of first attempts that may be retried. */
        public static final double DEFAULT_BUDGET_RATIO = 0.2;
        /** Default retries a second allowed whatever the traffic. */
        public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;

        public RetrySettings {
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(initialDelay, "initialDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (budgetRatio < 0 || budgetMinPerSecond < 0) {
                throw new IllegalArgumentException("retry budget settings cannot be negative");
            }
        }

        /** Settings with the default retry budget. */
        public RetrySettings(int maxRetries, Backoff backoff, Duration initialDelay, Duration maxDelay) {
            this(maxRetries, backoff, initialDelay, maxDelay, DEFAULT_BUDGET_RATIO, DEFAULT_BUDGET_MIN_PER_SECOND);
        }

        /** @return 2 retries, exponential from 200 ms up to 5 s, the default retry budget */
        public static RetrySettings ofDefaults() {
            return new RetrySettings(2, Backoff.EXPONENTIAL, Duration.ofMillis(200), Duration.ofSeconds(5));
        }
    }

    /**
     * A virtual key from the config file.
     *
     * @param id the key's public id (shown in reports)
     * @param sha256 hex SHA-256 of the whole key
     * @param models models the key may call; empty for all
     * @param budgetLimit spend limit of this key per {@code budgetWindow}, if any
     * @param budgetWindow the budget window
     * @param rpm requests per minute, if limited
     * @param tpm tokens per minute, if limited
     * @param tags tags recorded on the key's spend
     */
    public record KeyDef(String id, String sha256, List<String> models, Optional<Money> budgetLimit,
            BudgetWindow budgetWindow, Optional<Integer> rpm, Optional<Integer> tpm, Map<String, String> tags) {
        public KeyDef {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(sha256, "sha256");
            models = List.copyOf(models);
            Objects.requireNonNull(budgetLimit, "budgetLimit");
            Objects.requireNonNull(budgetWindow, "budgetWindow");
            Objects.requireNonNull(rpm, "rpm");
            Objects.requireNonNull(tpm, "tpm");
            tags = Map.copyOf(tags);
        }

        @Override
        public String toString() {
            return "KeyDef[" + id + "]";
        }
    }

    /** A budget's window. */
    public enum BudgetWindow { DAY, MONTH }

    /** What a budget does once spent. */
    public enum OnExhausted { REJECT, DOWNGRADE }

    /** What a budget counts. */
    public enum BudgetScope { GLOBAL, KEY, MODEL, TEAM, USER }

    /**
     * A budget policy.
     *
     * @param name the budget's name
     * @param scope what it counts: all spend, each key's, or each model's
     * @param window day or month (UTC)
     * @param limit the hard limit
     * @param onExhausted reject, or downgrade to {@code downgradeTo}
     * @param downgradeTo the model used once the budget is spent, for {@code downgrade}
     * @param alertAt utilisation shares (0..1) that raise an alert
     */
    public record BudgetDef(String name, BudgetScope scope, BudgetWindow window, Money limit, OnExhausted onExhausted,
            Optional<String> downgradeTo, List<Double> alertAt) {
        public BudgetDef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(onExhausted, "onExhausted");
            Objects.requireNonNull(downgradeTo, "downgradeTo");
            alertAt = alertAt.stream().distinct().toList(); // a share listed twice alerts once
        }
    }

    /**
     * An alert rule.
     *
     * @param name the rule's name
     * @param metric {@code spend} (dollars in the window), {@code error_rate}, {@code cache_hit_rate} (fires below the
     *     threshold) or {@code budget_utilization} (share of any budget)
     * @param threshold the value that fires the alert
     * @param window the window the metric is computed over
     * @param webhook a Slack-compatible webhook URL; empty logs the alert
     * @param cooldown the least time between two alerts of this rule
     */
    public record AlertDef(String name, String metric, double threshold, Duration window, Optional<String> webhook,
            Duration cooldown) {
        public AlertDef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(webhook, "webhook");
            Objects.requireNonNull(cooldown, "cooldown");
        }
    }

    /**
     * A routing test case: a prompt sent to a model name must take a route.
     *
     * @param input the user message
     * @param model the model name the test sends to; default {@code auto} if a pipeline has that name, else the first
     *     pipeline
     * @param expectRoute the route name expected
     */
    public record RouteTest(String input, Optional<String> model, String expectRoute) {
        public RouteTest {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(expectRoute, "expectRoute");
        }
    }
}
