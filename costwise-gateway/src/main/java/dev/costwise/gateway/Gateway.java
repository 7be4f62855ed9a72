package dev.costwise.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.management.UnixOperatingSystemMXBean;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.ContextWindowWarnings;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.ModelRetirements;
import dev.costwise.gateway.config.Providers;
import dev.costwise.gateway.http.AdminEndpoints;
import dev.costwise.gateway.http.Authenticator;
import dev.costwise.gateway.http.ChatEndpoint;
import dev.costwise.gateway.http.ClientDropLogFilter;
import dev.costwise.gateway.http.ConnectionGuard;
import dev.costwise.gateway.http.DashboardPage;
import dev.costwise.gateway.http.DirectErrors;
import dev.costwise.gateway.http.Endpoints;
import dev.costwise.gateway.http.ErrorResponses;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.http.Http10Connections;
import dev.costwise.gateway.http.HttpExchange;
import dev.costwise.gateway.http.InfoEndpoints;
import dev.costwise.gateway.http.JdbcResponseDocuments;
import dev.costwise.gateway.http.KeyInfoEndpoint;
import dev.costwise.gateway.http.MessagesEndpoint;
import dev.costwise.gateway.http.ResponseDocuments;
import dev.costwise.gateway.http.ResponsesEndpoint;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.keys.JdbcVirtualKeyStore;
import dev.costwise.gateway.keys.VirtualKeyStore;
import dev.costwise.gateway.pipeline.BudgetBook;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.GatewayMetrics;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.gateway.pipeline.ModelDirectory;
import dev.costwise.gateway.pipeline.RedisSharing;
import dev.costwise.gateway.pipeline.ResponseCacheStore;
import dev.costwise.gateway.pipeline.UpstreamCutoff;
import dev.costwise.gateway.pipeline.UpstreamHeadroom;
import dev.costwise.gateway.upstream.ChatModelUpstream;
import dev.costwise.gateway.upstream.EmbeddingInputs;
import dev.costwise.gateway.upstream.OpenAiCompatibleUpstream;
import dev.costwise.gateway.upstream.SimulatedUpstream;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.alert.AlertEvaluator;
import dev.costwise.llm.alert.AlertRule;
import dev.costwise.llm.alert.AlertSeverity;
import dev.costwise.llm.alert.AlertSink;
import dev.costwise.llm.alert.LogAlertSink;
import dev.costwise.llm.alert.WebhookAlertSink;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.embedding.EmbeddingModel;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.gemini.GeminiEmbeddingModel;
import dev.costwise.llm.provider.http.AnswerMemory;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.StreamTimeouts;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.store.JdbcSpendLedger;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Costwise gateway: an OpenAI-compatible HTTP server (Helidon SE, virtual threads) that runs every chat request
 * through its pipeline (auth, validation, key limits, cache, budget, router, fallbacks, retries, timeouts) and records
 * every attempt in the spend ledger.
 *
 * <pre>{@code
 * GatewayConfig config = new ConfigLoader(System::getenv).load(Path.of("costwise.yaml"));
 * try (Gateway gateway = Gateway.builder(config).build().start()) {
 *     System.out.println("listening on " + gateway.port());
 *     gateway.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops taking requests, waits for those in flight (up to the configured grace period), cuts off
 * the upstream calls of those still running so they answer and settle, stops the server, then flushes and closes the
 * ledger, so a graceful stop loses no ledger row and strands no budget reservation.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /**
     * How often a gateway on a shared database reads the virtual keys other replicas changed: a key revoked on one
     * replica stops working on every replica within this time (a key created or rotated works at once everywhere).
     */
    static final Duration KEY_REFRESH = Duration.ofSeconds(5);
    /** The longest a stop waits for queued webhook alerts to be delivered. */
    private static final Duration WEBHOOK_DRAIN = Duration.ofSeconds(5);
    /**
     * After the grace, the longest a stop waits for the requests whose upstream calls it cut off to ledger them, give
     * back their budget reservations and answer.
     */
    private static final Duration CUT_OFF_ROWS = Duration.ofSeconds(5);
    /**
     * How long the HTTP server itself waits for its connections when it stops. The gateway has drained the requests
     * by then (grace, then cut-off), so this only bounds what is left: a connection still being written to. The
     * configured grace must not be spent a second time here.
     */
    private static final Duration SERVER_STOP = Duration.ofSeconds(1);
    /** How often the gateway checks that its web server still listens ({@link ListenerWatch}). */
    static final Duration LISTENER_CHECK = Duration.ofSeconds(5);

    private final GatewayConfig config;
    private final SpendLedger ledger;
    private final VirtualKeyStore keys;
    private final WebServer server;
    private final Upstream upstream;
    private final Authenticator auth;
    private final HttpExchange http;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final UpstreamCutoff cutoff = new UpstreamCutoff();
    private final Object drained = new Object();
    private final PrometheusMeterRegistry registry;
    private final List<WebhookAlertSink> webhooks;
    private final Optional<RedisSharing> redis;
    private final Optional<LedgerRetention> retention;
    private final Maintenance maintenance;
    private final BudgetBook budgets;
    private final Clock clock;
    private final ConnectionGuard connections;
    private final int maxConnections;
    /** Sweeps overdue connections and watches the listener: its own thread, never held up by a database chore. */
    private final ScheduledExecutorService connectionChores = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon(true).name("costwise-connections").factory());
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean closed;

    private Gateway(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        requireResolvable(config.server().host()); // before anything is opened, which a failure would leave open
        // the command line's --host may open the gateway to other machines after its config was checked
        ConfigLoader.masterKeyProblem(config.server().host(), config.masterKey(), "the master key").ifPresent(p -> {
            throw new GatewayStartException(p);
        });
        ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.ledger = b.ledger.orElseGet(() -> config.ledgerUrl()
                .map(url -> LedgerFactory.open(url, config.ledgerRetention())).orElseGet(MemorySpendLedger::new));
        this.maintenance = new Maintenance(b.maintenance.orElseGet(Maintenance::newScheduler));
        this.retention = config.ledgerRetention().isPresent() && ledger instanceof JdbcSpendLedger jdbc
                ? Optional.of(new LedgerRetention(jdbc, b.clock))
                : Optional.empty();
        this.keys = b.keys.orElseGet(() -> config.ledgerUrl().<VirtualKeyStore>map(u -> new JdbcVirtualKeyStore(u,
                b.clock)).orElseGet(() -> new InMemoryVirtualKeyStore(b.clock)));
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ModelDirectory directory = new ModelDirectory(config);
        GatewayMetrics metrics = new GatewayMetrics(registry, directory.callableNames());
        LogAlertSink log = new LogAlertSink();
        this.redis = config.redis().map(r -> RedisSharing.connect(r, b.redisAlerts.<AlertSink>map(extra -> alert -> {
            log.send(alert);
            extra.send(alert);
        }).orElse(log), b.clock, config.server().requestTimeout(), cutoff));
        this.webhooks = new ArrayList<>();
        AlertEvaluator alerts = alerts(config, b.clock, webhooks);
        this.budgets = new BudgetBook(config.budgets(), ledger, b.clock, budgetAlerts(config, alerts),
                redis.map(RedisSharing::budgetStore));
        // fills only the counters Redis lacks. A window Redis loses later is rebuilt when next used or read, not all
        // at once on the probe thread, which would hold every request back for one ledger sum per window.
        redis.ifPresent(r -> budgets.rebuildSharedFromLedger());
        // One budget of answer bytes held at once, shared by the pass-through and the native adapters' transport: each
        // answer is capped on its own, but several at once must not exhaust the heap every request shares.
        AnswerMemory answerMemory = AnswerMemory.ofBytes(config.server().effectiveAnswerMemory());
        int maxAnswer = (int) config.server().maxAnswerBytes();
        // what each model's provider last said of its rate limits, for routes' rate_limit_headroom_above
        UpstreamHeadroom headroom = new UpstreamHeadroom(b.clock);
        this.upstream = b.upstream.orElseGet(() -> new OpenAiCompatibleUpstream(json, Duration.ofSeconds(10),
                maxAnswer, answerMemory, b.clock, headroom.listener()));
        HttpTransport transport = HelidonHttpTransport.builder().maxResponseSize(maxAnswer).answerMemory(answerMemory)
                .build();
        ChatService service = new ChatService(new ChatService.Parts(directory,
                upstreams(config, json, b, transport, headroom),
                upstream, ResponseCacheStore.create(json, b.ticker, redis,
                config.server().effectiveCacheMemory(), registry), budgets, ledger,
                metrics, b.clock, b.ticker, b.sleeper, b.random, config.server().requestTimeout(), json, alerts,
                config.server().streamKeepAlive(), headroom),
                redis, cutoff);
        this.auth = new Authenticator(config, keys, b.clock);
        GatewayConfig.Connections limits = config.server().connections();
        this.connections = new ConnectionGuard(limits.headerTimeout(), limits.idleTimeout(), b.ticker);
        this.maxConnections = limits.effectiveMaxConnections(descriptorLimit());
        this.http = new HttpExchange(json, config.server().maxBodyBytes(), config.simulated(), metrics,
                connections);
        ChatEndpoint chat = new ChatEndpoint(http, auth, service);
        InfoEndpoints info = new InfoEndpoints(http, auth, directory, service, ledger, registry, json, draining::get);
        AdminEndpoints admin = new AdminEndpoints(http, auth, keys, budgets, ledger, directory, json, b.clock);
        MessagesEndpoint messages = new MessagesEndpoint(http, auth, service, json);
        // Stored responses outlive the process: in Redis when replicas share it, else in the ledger's database (the
        // one at the config's URL: a ledger handed to the builder says nothing of where a database is).
        Optional<ResponseDocuments> storedResponses = b.storedResponses
                .or(() -> redis.map(r -> ResponseDocuments.redis(r.documents("response"),
                        config.redis().orElseThrow().maxEntryBytes())))
                .or(() -> b.ledger.isPresent() ? Optional.empty()
                        : config.ledgerUrl().map(url -> new JdbcResponseDocuments(url, b.clock)));
        ResponsesEndpoint responses = new ResponsesEndpoint(http, auth, service, json, b.clock, b.ticker,
                config.server().responsesTtl(), storedResponses);
        HttpRouting.Builder routing = new Endpoints(http)
                .post("/v1/chat/completions", tracked(chat::handle))
                .post("/chat/completions", tracked(chat::handle))
                .post("/v1/messages", tracked(messages::handle))
                .post("/v1/messages/count_tokens", tracked(messages::countTokens))
                .post("/v1/responses", tracked(responses::handle))
                .get("/v1/responses/{id}", responses::get)
                .delete("/v1/responses/{id}", responses::delete)
                .post("/v1/embeddings", tracked(chat::embeddings))
                .get("/v1/models", info::models)
                .get("/v1/models/{+id}", info::model)
                .get("/health", info::health)
                .get("/ready", info::ready)
                .get("/metrics", info::metrics)
                .post("/v1/route/explain", tracked(info::explain))
                .get("/v1/spend", admin::spend)
                .get("/v1/budgets", admin::budgets)
                .post("/v1/keys", admin::createKey)
                .get("/v1/keys", admin::listKeys)
                .patch("/v1/keys/{id}", admin::updateKey)
                .post("/v1/keys/{id}/rotate", admin::rotateKey)
                .delete("/v1/keys/{id}", admin::revokeKey)
                .get("/v1/key", new KeyInfoEndpoint(http, auth, budgets, json)::handle)
                .get("/dashboard", new DashboardPage()::serve)
                .routing()
                .addFilter(connections.filter());
        // Requests are validated as they are read; the response headers are the gateway's own values (names from the
        // config are checked when it loads), and validating every one of them again on every write was 5 % of the
        // gateway's CPU samples at c=16.
        Http1Config http1 = Http1Config.builder().validateResponseHeaders(false).build();
        this.server = WebServer.builder()
                .host(config.server().host())
                .port(config.server().port())
                .maxPayloadSize(Math.max(config.server().maxBodyBytes() * 2, 1024 * 1024))
                .shutdownGracePeriod(SERVER_STOP)
                .shutdownHook(false)
                .connectionOptions(connections.socketOptions(SocketOptions.builder().tcpNoDelay(true).build()))
                // Accepting one connection more than there are file descriptors for would end the listener for good
                .maxTcpConnections(maxConnections)
                .addProtocol(http1)
                .addConnectionSelector(new Http10Connections(http1)) // before the server's own HTTP/1.1 selector
                .directHandlers(DirectErrors.of(metrics, config.server().maxBodyBytes()))
                .routing(routing)
                .build();
    }

    /**
     * Builds the alert rules of the config; every alert goes to the log, and to the webhook of the rule that raised
     * it (rules sharing a URL share one sink).
     */
    private static AlertEvaluator alerts(GatewayConfig config, Clock clock, List<WebhookAlertSink> webhooks) {
        AlertEvaluator.Builder alerts = AlertEvaluator.builder().clock(clock).sink(new LogAlertSink());
        Map<String, Set<String>> rulesByUrl = new LinkedHashMap<>();
        for (GatewayConfig.AlertDef a : config.alerts()) {
            switch (a.metric()) {
                case "spend" -> alerts.rule(new AlertRule.SpendAbove(a.name(), a.window(),
                        Money.of(java.math.BigDecimal.valueOf(a.threshold())), AlertSeverity.WARNING, a.cooldown()));
                case "error_rate" -> alerts.rule(new AlertRule.ErrorRateAbove(a.name(), a.window(), a.threshold(),
                        20, AlertSeverity.ERROR, a.cooldown()));
                case "cache_hit_rate" -> alerts.rule(new AlertRule.CacheHitRateBelow(a.name(), a.window(),
                        a.threshold(), 20, AlertSeverity.WARNING, a.cooldown()));
                // judged as each call settles, from the moves the budget book reports (budgetAlerts)
                default -> alerts.rule(new AlertRule.BudgetUtilizationAtLeast(a.name(), a.threshold(),
                        AlertSeverity.WARNING, a.cooldown()));
            }
            a.webhook().ifPresent(url -> rulesByUrl.computeIfAbsent(url, u -> new HashSet<>()).add(a.name()));
        }
        rulesByUrl.forEach((url, rules) -> {
            WebhookAlertSink sink = WebhookAlertSink.of(URI.create(url));
            webhooks.add(sink);
            alerts.sink(alert -> {
                if (rules.contains(alert.rule())) {
                    sink.send(alert);
                }
            });
        });
        return alerts.build();
    }

    /**
     * Reports each settled call's move of a budget to the {@code budget_utilization} alert rules; with none, nothing
     * (the listener runs on every settled call).
     */
    private static BudgetBook.UtilizationListener budgetAlerts(GatewayConfig config, AlertEvaluator alerts) {
        if (config.alerts().stream().noneMatch(a -> a.metric().equals("budget_utilization"))) {
            return BudgetBook.UtilizationListener.NONE;
        }
        return (hold, before, after, spent) -> alerts.onBudgetUtilization(
                "'" + hold.def().name() + "'" + hold.scopeValue().map(v -> " for " + v).orElse(""), before, after,
                "spent " + spent.format() + " of " + hold.limit().format() + " this "
                        + hold.def().window().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Picks each model's upstream: native adapters and the simulator by name, the rest OpenAI pass-through. A native
     * adapter's errors name its configured model, as the pass-through's do.
     */
    private static Map<String, Upstream> upstreams(GatewayConfig config, ObjectMapper json, Builder b,
            HttpTransport transport, UpstreamHeadroom headroom) {
        ModelCatalog catalog = EmbeddedDefaults.catalog();
        Map<String, ChatModel> chatModels = new HashMap<>();
        Map<String, EmbeddingModel> embeddingModels = new HashMap<>();
        Map<String, Upstream> byName = new HashMap<>();
        Upstream localSim = new SimulatedUpstream(json, b.clock);
        // The gateway prices every call itself (CostCalculator); adapters only need a pricer that never refuses. Only
        // its price(): a model's upstream_model is already the id to send, so the catalog must not map it again.
        Pricer pricer = CatalogPricer.builder(catalog).allowUnpricedModels().build()::price;
        for (GatewayConfig.Model m : config.models()) {
            switch (m.provider()) {
                case Providers.SIM -> {
                    if (catalog.find(m.upstreamModel()).filter(i -> i.kind() == ModelKind.CHAT).isPresent()) {
                        chatModels.put(m.name(), SimulatedChatModel.builder(catalog, m.upstreamModel())
                                .sleeper(b.sleeper).build());
                    } else {
                        byName.put(m.name(), localSim);
                    }
                }
                case "anthropic" -> {
                    // max_tokens when a request sets none: the output limit its budget reservation assumed
                    var ab = AnthropicChatModel.builder(m.upstreamModel()).label(m.name()).catalog(catalog)
                            .pricer(pricer).transport(transport).baseUrl(URI.create(m.baseUrl()))
                            .promptCaching(m.promptCaching())
                            .defaultMaxTokens(m.maxOutputTokens()).streamTimeouts(firstToken(m))
                            .clock(b.clock).rateLimitListener(headroom.listenerFor(m.name()));
                    m.apiKey().ifPresent(ab::apiKey);
                    chatModels.put(m.name(), ab.build());
                }
                case "gemini" -> {
                    var gb = GeminiChatModel.builder(m.upstreamModel()).label(m.name()).pricer(pricer)
                            .transport(transport).baseUrl(URI.create(m.baseUrl())).streamTimeouts(firstToken(m));
                    m.apiKey().ifPresent(gb::apiKey);
                    chatModels.put(m.name(), gb.build());
                    // its embeddings (embedContent): a model the catalog does not know may serve either kind; texts
                    // are counted as their budget reservation counted them
                    var eb = GeminiEmbeddingModel.builder(m.upstreamModel()).label(m.name()).pricer(pricer)
                            .transport(transport).baseUrl(URI.create(m.baseUrl()))
                            .tokenEstimator(EmbeddingInputs.TEXT_ESTIMATOR);
                    m.apiKey().ifPresent(eb::apiKey);
                    embeddingModels.put(m.name(), eb.build());
                }
                default -> { }
            }
        }
        ChatModelUpstream native_ = new ChatModelUpstream(chatModels, embeddingModels, new OpenAiWire(json), b.clock,
                (int) config.server().maxAnswerBytes());
        chatModels.keySet().forEach(name -> byName.put(name, native_));
        return byName;
    }

    /** A native adapter's stream limits: the model's first-token timeout; the rest is the pipeline's. */
    private static StreamTimeouts firstToken(GatewayConfig.Model m) {
        return new StreamTimeouts(m.firstTokenTimeout(), Optional.empty());
    }

    /**
     * Starts building a gateway.
     *
     * @param config the configuration
     * @return a builder with system clock, ticker and sleeper, and the ledger and key store named by the config
     */
    public static Builder builder(GatewayConfig config) {
        return new Builder(config);
    }

    private Handler tracked(Handler h) {
        return (req, res) -> {
            // Counted before the draining check: close() sets draining and then waits for the count, so a request
            // that passes the check is always waited for.
            inFlight.incrementAndGet();
            try {
                if (draining.get()) {
                    http.sendError(res, ErrorResponses.of(new GatewayException.ShuttingDown()));
                    return;
                }
                h.handle(req, res);
            } finally {
                if (inFlight.decrementAndGet() == 0 && draining.get()) {
                    synchronized (drained) {
                        drained.notifyAll();
                    }
                }
            }
        };
    }

    /**
     * Starts listening.
     *
     * @return this gateway
     * @throws GatewayStartException if the server cannot listen (the address is in use or not this host's); the
     *     gateway is closed by then
     */
    public Gateway start() {
        try {
            requireBindable();
        } catch (GatewayStartException e) {
            close();
            throw e;
        }
        ClientDropLogFilter.install();
        server.start();
        if (!server.isRunning()) { // Helidon logs why and returns with no listener
            close();
            throw new GatewayStartException("cannot listen on " + config.server().host() + ":"
                    + config.server().port() + " (the server's log above says why)");
        }
        LOG.info("Costwise gateway listening on http://{}:{} with {} model(s){}", config.server().host(),
                server.port(), config.models().size(), config.simulated() ? " (SIMULATED)" : "");
        watchConnections();
        if (config.simulated()) {
            LOG.warn("No provider API key found (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, GROQ_API_KEY, "
                    + "OPENROUTER_API_KEY, HF_TOKEN, OLLAMA_HOST, UPSTREAM_BASE_URL): answers are SIMULATED by the "
                    + "sim provider and marked with the header x-costwise-simulated: true");
        }
        ModelRetirements.warnings(config, clock).forEach(w -> LOG.warn("{}", w));
        ContextWindowWarnings.warnings(config).forEach(w -> LOG.warn("{}", w));
        redis.ifPresent(r -> LOG.info("Cache, budgets, key rate limits and stored responses shared with other replicas "
                + "through Redis: {}",
                r.status()));
        if (keys instanceof JdbcVirtualKeyStore shared) {
            maintenance.every("virtual keys: reading changes made by other replicas", KEY_REFRESH, KEY_REFRESH,
                    () -> {
                        int changed = shared.refresh();
                        if (changed > 0) {
                            LOG.info("virtual keys: {} created, rotated or revoked elsewhere", changed);
                        }
                    });
        }
        retention.ifPresent(r -> {
            r.start(maintenance);
            LOG.info("The spend ledger keeps records for {} days; older ones are rolled into daily totals",
                    config.ledgerRetention().orElseThrow().toDays());
        });
        if (auth.open()) {
            LOG.warn("The gateway is OPEN: no master key (COSTWISE_MASTER_KEY) and no virtual keys, so it accepts "
                    + "requests without authentication, and anyone reaching it spends on your provider accounts. "
                    + "Bind it to localhost only, or set COSTWISE_MASTER_KEY.");
        } else if (!auth.hasMasterKey()) {
            LOG.warn("No master key (COSTWISE_MASTER_KEY): requests need a virtual key, and virtual keys cannot be "
                    + "created, changed or revoked until one is set.");
        } else {
            ConfigLoader.masterKeyWarning(config.masterKey()).ifPresent(LOG::warn);
        }
        return this;
    }

    /**
     * Starts closing the connections that keep the server waiting ({@link ConnectionGuard}), and watching that the
     * server still listens: if it stops (it does for good when accepting fails for want of file descriptors), the
     * gateway stops too, so that the process ends and its supervisor restarts it, rather than living on deaf.
     */
    private void watchConnections() {
        GatewayConfig.Connections limits = config.server().connections();
        LOG.info("Connections: at most {} at once; closed when a request's headers take over {} or a body pauses "
                + "that long, and when kept alive over {} without a request", maxConnections, limits.headerTimeout(),
                limits.idleTimeout());
        long sweep = connections.sweepInterval().toMillis();
        connectionChores.scheduleWithFixedDelay(connections::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        ListenerWatch listener = new ListenerWatch(ListenerWatch.connectingTo(config.server().host(), server.port(),
                LISTENER_CHECK), this::listenerLost);
        connectionChores.scheduleWithFixedDelay(listener::check, LISTENER_CHECK.toMillis(), LISTENER_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void listenerLost() {
        String why = "the web server stopped listening on " + config.server().host() + ":" + server.port()
                + " (its log above says why: out of file descriptors, 'Too many open files', raise the limit with "
                + "ulimit -n or lower server.max_connections); stopping so that a supervisor restarts the gateway";
        failure.set(why);
        LOG.error("{}", why);
        Thread.ofPlatform().name("costwise-stop").start(this::close);
    }

    /**
     * @return why the gateway stopped on its own, if it did (its web server stopped listening); a process running it
     *     should then exit with an error, so that its supervisor restarts it
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** @return the process's file-descriptor limit, where the JDK can tell it */
    private static OptionalLong descriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? OptionalLong.of(unix.getMaxFileDescriptorCount())
                : OptionalLong.empty();
    }

    /** The host to listen on must resolve, or the web server's builder fails with a stack trace. */
    private static void requireResolvable(String host) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new GatewayStartException("server.host: cannot resolve '" + host + "' to an address of this "
                    + "machine (use 127.0.0.1, 0.0.0.0 for every interface, or one of its names)");
        }
    }

    /**
     * Binds the configured address once, just before the server does, so a failure says why in one line: the web
     * server would log a stack trace and tell only that it failed.
     */
    private void requireBindable() {
        String host = config.server().host();
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the server binds: a port a stopped gateway just left is free
            probe.bind(new InetSocketAddress(host, config.server().port()));
        } catch (IOException e) {
            throw new GatewayStartException("cannot listen on " + host + ":" + config.server().port() + ": "
                    + whyNotBindable(host, e));
        }
    }

    private static String whyNotBindable(String host, IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("in use")) {
            return "another process is using the port (choose another with --port or server.port)";
        }
        if (message.contains("assign requested address")) {
            return host + " is not an address of this machine (use 127.0.0.1, 0.0.0.0 for every interface, or "
                    + "one of its own addresses)";
        }
        if (message.contains("ermission denied")) {
            return "permission denied (a port below 1024 needs privileges)";
        }
        return message;
    }

    /** @return the port the server listens on (useful with port 0) */
    public int port() {
        return server.port();
    }

    /** @return Redis round trips this replica has made so far; empty when it shares nothing through Redis */
    public java.util.OptionalLong redisRoundTrips() {
        return redis.map(r -> java.util.OptionalLong.of(r.roundTrips())).orElse(java.util.OptionalLong.empty());
    }

    /** @return the configuration in force */
    public GatewayConfig config() {
        return config;
    }

    /** @return the ledger the gateway writes to */
    public SpendLedger ledger() {
        return ledger;
    }

    /** @return the budgets in force, with their spend and reservations ({@link BudgetBook#statuses()}) */
    public BudgetBook budgets() {
        return budgets;
    }

    /** @return the metrics registry (Prometheus) */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Blocks until {@link #close()} has run (from a shutdown hook, or on its own: {@link #failure()}). */
    public void awaitShutdown() throws InterruptedException {
        while (!closed) {
            synchronized (drained) {
                drained.wait(500);
            }
        }
    }

    /**
     * Drains and stops, in this order: refuses new requests and waits up to the shutdown grace period for those in
     * flight; then cuts off the upstream calls and retries of those still running ({@link UpstreamCutoff}), so each
     * ledgers its attempt, gives back its budget reservation and answers its caller (503 {@code shutting_down}, or a
     * stream's error event) while the ledger and Redis are still open; then stops the server and the upstream
     * clients; last flushes and closes the ledger, the key store, the alert webhooks and Redis.
     */
    @Override
    public void close() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        awaitDrained(System.nanoTime() + config.server().shutdownGrace().toNanos());
        if (inFlight.get() > 0) {
            LOG.warn("{} request(s) still running after the {} grace period; cutting off their upstream calls",
                    inFlight.get(), config.server().shutdownGrace());
            cutoff.cut();
            awaitDrained(System.nanoTime() + CUT_OFF_ROWS.toNanos());
            if (inFlight.get() > 0) {
                LOG.warn("{} request(s) still running {} after their upstream calls were cut off; stopping anyway",
                        inFlight.get(), CUT_OFF_ROWS);
            }
        }
        server.stop(); // every tracked request has answered: only idle connections are left to close
        connectionChores.shutdownNow();
        upstream.close();
        maintenance.close();
        ledger.flush();
        ledger.close();
        keys.close();
        for (WebhookAlertSink webhook : webhooks) {
            try {
                webhook.awaitIdle(WEBHOOK_DRAIN); // the alerts of the last requests still go out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            webhook.close();
        }
        redis.ifPresent(RedisSharing::close);
        registry.close();
        closed = true;
        synchronized (drained) {
            drained.notifyAll();
        }
        LOG.info("Costwise gateway stopped; ledger flushed");
    }

    /** Waits until no request is in flight, or until {@code deadline} ({@link System#nanoTime} units). */
    private void awaitDrained(long deadline) {
        synchronized (drained) {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    drained.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Builds a {@link Gateway}. Not thread-safe. */
    public static final class Builder {
        private final GatewayConfig config;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random = RandomGenerator.getDefault();
        private Optional<SpendLedger> ledger = Optional.empty();
        private Optional<VirtualKeyStore> keys = Optional.empty();
        private Optional<ResponseDocuments> storedResponses = Optional.empty();
        private Optional<Upstream> upstream = Optional.empty();
        private Optional<AlertSink> redisAlerts = Optional.empty();
        private Optional<ScheduledExecutorService> maintenance = Optional.empty();

        private Builder(GatewayConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** @param value wall time for budgets and ledger rows; default the system UTC clock; @return this */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @param value nano time for TTLs, deadlines and rate windows; default the system ticker; @return this */
        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** @param value waits between retries; default {@link Sleeper#SYSTEM}; @return this */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /** @param value jitter source; default {@link RandomGenerator#getDefault()}; @return this */
        public Builder random(RandomGenerator value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        /** @param value the spend ledger; default the one at the config's ledger URL, else in memory; @return this */
        public Builder ledger(SpendLedger value) {
            this.ledger = Optional.of(value);
            return this;
        }

        /** @param value the virtual key store; default in the ledger's database, else in memory; @return this */
        public Builder keys(VirtualKeyStore value) {
            this.keys = Optional.of(value);
            return this;
        }

        /**
         * @param value where the Responses API's stored responses outlive the process; default Redis when the config
         *     shares state there, else the ledger's database unless a ledger was given to {@link #ledger}, else none
         *     (memory only)
         * @return this
         */
        public Builder storedResponses(ResponseDocuments value) {
            this.storedResponses = Optional.of(value);
            return this;
        }

        /**
         * @param value the OpenAI-compatible upstream client, closed with the gateway; default
         *     {@link OpenAiCompatibleUpstream}
         * @return this
         */
        public Builder upstream(Upstream value) {
            this.upstream = Optional.of(value);
            return this;
        }

        /**
         * @param value also receives the {@code redis-unavailable} / {@code redis-recovered} alerts (they always go
         *     to the log); @return this
         */
        public Builder redisAlerts(AlertSink value) {
            this.redisAlerts = Optional.of(value);
            return this;
        }

        /** Tests run the maintenance chores on a scheduler they control; shut down with the gateway. */
        Builder maintenance(ScheduledExecutorService value) {
            this.maintenance = Optional.of(value);
            return this;
        }

        /** @return the gateway, not yet listening */
        public Gateway build() {
            return new Gateway(this);
        }
    }

}
