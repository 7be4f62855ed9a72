package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.OnExhausted;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.RouteRule;
import dev.costwise.gateway.http.ApiError;
import dev.costwise.gateway.http.CostwiseObject;
import dev.costwise.gateway.http.ErrorResponses;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.upstream.EmbeddingInputs;
import dev.costwise.gateway.upstream.ReadAhead;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.alert.AlertEvaluator;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.routing.PromptClassifier;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.llm.wire.ReasoningBodyCap;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.WorkflowWorstCase;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsagePermit;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.redis.RedisBudgetStore;
import dev.costwise.redis.RedisRateLimiter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one chat request through its pipeline: key checks, cache, budget, router, fallbacks, retries and timeouts,
 * then the upstream; and writes a ledger row for every attempt, success or failure, grouped by the request id.
 *
 * <p>Order: {@code plan} (route, candidates, permission) → rate limits → cache → budget reservation →
 * {@code Fallback(Retry(Timeout(upstream)))} → settle budget, ledger, metrics, cache fill. With Redis the cache lookup
 * and the reservation share one round trip, and so do the settlement and the cache fill. Thread-safe.
 */
public final class ChatService {
    private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);
    private final ModelDirectory directory;
    private final Map<String, Upstream> upstreams;
    private final Upstream defaultUpstream;
    private final CostCalculator costs;
    private final DefaultTiers defaultTiers;
    private final ResponseCacheStore cache;
    private final BudgetBook budgets;
    private final SpendLedger ledger;
    private final GatewayMetrics metrics;
    private final RouteSelector router = new RouteSelector();
    private final Clock clock;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final Duration requestTimeout;
    private final Duration streamKeepAlive;
    private final ObjectMapper json;
    private final OpenAiWire wire;
    private final AlertEvaluator alerts;
    private final boolean alerting;
    private final WorkflowRunner workflows;
    private final ConcurrentHashMap<String, RateWindow> windows = new ConcurrentHashMap<>();
    private final AttemptLoop attempts;
    private final UpstreamCircuits circuits;
    private final ConcurrentHashMap<String, CompletableFuture<ResponseCacheStore.Entry>> inFlight =
            new ConcurrentHashMap<>();
    /** Cache, budgets and key rate limits shared with other replicas, when {@code redis.url} is set. */
    private final Optional<RedisSharing> redis;
    private final UpstreamCutoff cutoff;
    private final UpstreamHeadroom headroom;

    /**
     * The parts a service is built from.
     *
     * @param streamKeepAlive the silence after which a stream's client is passed a keep-alive its provider sent
     *     ({@link KeepAliveSink}); zero for none
     * @param headroom each model's upstream rate-limit headroom, which the upstreams feed from their answers' headers
     */
    public record Parts(ModelDirectory directory, Map<String, Upstream> upstreams, Upstream defaultUpstream,
            ResponseCacheStore cache, BudgetBook budgets, SpendLedger ledger, GatewayMetrics metrics, Clock clock,
            Ticker ticker, Sleeper sleeper, RandomGenerator random, Duration requestTimeout, ObjectMapper json,
            AlertEvaluator alerts, Duration streamKeepAlive, UpstreamHeadroom headroom) {}

    /** @param parts the collaborators */
    public ChatService(Parts parts) {
        this(parts, Optional.empty());
    }

    /**
     * @param parts the collaborators (give them the Redis-backed cache store and budget book too)
     * @param redis state shared with other replicas; its key rate limits replace the in-process windows
     */
    public ChatService(Parts parts, Optional<RedisSharing> redis) {
        this(parts, redis, new UpstreamCutoff());
    }

    /**
     * @param parts the collaborators (give them the Redis-backed cache store and budget book too)
     * @param redis state shared with other replicas; its key rate limits replace the in-process windows
     * @param cutoff ends the upstream calls and retries still running when a stop's grace period is over
     */
    public ChatService(Parts parts, Optional<RedisSharing> redis, UpstreamCutoff cutoff) {
        this.redis = redis;
        this.cutoff = cutoff;
        this.directory = parts.directory();
        Map<String, Upstream> guarded = new java.util.HashMap<>();
        parts.upstreams().forEach((name, upstream) -> guarded.put(name, cutoff.guard(upstream)));
        this.upstreams = Map.copyOf(guarded);
        this.defaultUpstream = cutoff.guard(parts.defaultUpstream());
        this.costs = new CostCalculator(directory.models());
        this.defaultTiers = new DefaultTiers();
        this.cache = parts.cache();
        this.budgets = parts.budgets();
        this.ledger = parts.ledger();
        this.metrics = parts.metrics();
        this.clock = parts.clock();
        this.ticker = parts.ticker();
        this.sleeper = parts.sleeper();
        this.random = parts.random();
        this.requestTimeout = parts.requestTimeout();
        this.streamKeepAlive = parts.streamKeepAlive();
        this.json = parts.json();
        this.alerts = parts.alerts();
        this.alerting = !directory.config().alerts().isEmpty();
        Map<String, java.util.concurrent.Semaphore> t = new java.util.HashMap<>();
        directory.config().throttles().forEach((provider, n) -> t.put(provider,
                new java.util.concurrent.Semaphore(n, true)));
        this.circuits = new UpstreamCircuits(directory.config().models(), ticker, metrics.registry());
        this.attempts = new AttemptLoop(directory, t, circuits, metrics, ticker, parts.sleeper(), parts.random(),
                requestTimeout, cutoff);
        this.wire = new OpenAiWire(json);
        this.headroom = parts.headroom();
        this.workflows = new WorkflowRunner(directory, this::upstream, circuits, wire, costs, ledger, clock, ticker,
                json, headroom);
        workflows.validatedPipelines().forEach(metrics::showWorkflowValidations);
    }

    /** @return the Redis sharing state for {@code /ready}; empty when replicas share nothing */
    public Optional<String> redisStatus() {
        return redis.map(RedisSharing::status);
    }

    /** How the caller asked the cache to behave. */
    public enum CacheMode { USE, BYPASS }

    /**
     * A finished non-streaming request.
     *
     * @param body the completion JSON: a cache hit's is the stored answer's bytes, not a copy
     * @param cost what it cost
     * @param cache {@code hit}, {@code miss} or {@code bypass}
     * @param modelUsed the model that answered
     * @param route the route taken
     */
    public record Result(AnswerBody body, Money cost, String cache, String modelUsed, String route,
            Optional<KeyUsage> keyUsage) {
        Result(byte[] body, Money cost, String cache, String modelUsed, String route) {
            this(AnswerBody.of(body), cost, cache, modelUsed, route);
        }

        Result(AnswerBody body, Money cost, String cache, String modelUsed, String route) {
            this(body, cost, cache, modelUsed, route, Optional.empty());
        }

        Result withKeyUsage(Optional<KeyUsage> usage) {
            return new Result(body, cost, cache, modelUsed, route, usage);
        }
    }

    /**
     * Decides route and candidates without calling anything (also the answer of route explain).
     *
     * @param caller who asks
     * @param body the validated request
     * @return the plan
     * @throws GatewayException.NotFound if the model name is unknown
     */
    public Plan plan(Caller caller, ObjectNode body) {
        String requested = body.get("model").asText();
        Pipeline pipeline = directory.pipeline(requested).orElseThrow(() -> unknownModel(caller, requested));
        String allText = PromptTokens.allText(body);
        if (workflows.runs(requested)) {
            return workflowPlan(requested, pipeline, body, allText);
        }
        String lastUser = PromptTokens.lastUserText(body);
        RouteSelector.Choice choice = directory.isPipeline(requested)
                ? router.choose(pipeline, allText, lastUser, budgets.globalUtilization(),
                        t -> headroomOf(t).orElse(1.0))
                : new RouteSelector.Choice("default", Optional.empty(), new PromptClassifier.Classification(
                        "unclassified", allText.codePointCount(0, allText.length()),
                        "'" + requested + "' has no routing rules"));
        String target = choice.target().orElse(requested);
        reasoningCap(pipeline, choice).ifPresent(max -> ReasoningBodyCap.cap(body, max));
        List<Model> candidates = new ArrayList<>(directory.expand(target, ModelKind.CHAT));
        if (candidates.isEmpty() && !directory.expand(target).isEmpty()) {
            throw new GatewayException.InvalidField("model", "'" + target + "' is an embedding model: send it to "
                    + "POST /v1/embeddings, or name a chat model" + known(caller, ModelKind.CHAT));
        }
        for (String f : pipeline.fallbacks()) {
            for (Model m : directory.expand(f, ModelKind.CHAT)) {
                if (!candidates.contains(m)) {
                    candidates.add(m);
                }
            }
        }
        if (candidates.isEmpty()) {
            throw new GatewayException.NotFound("model_not_found", "the pipeline '" + requested + "' has no route "
                    + "for this request and no default_route");
        }
        long input = PromptTokens.estimate(body, allText);
        long maxOut = Plan.outputLimit(body, candidates.getFirst());
        return new Plan(requested, pipeline, choice, candidates, body, input, maxOut,
                costs.worstCase(candidates.getFirst(), input, maxOut * Plan.choicesIn(body),
                        Plan.cacheWritesIn(body),
                        defaultTiers.toHold(candidates.getFirst(), Plan.serviceTierIn(body))));
    }

    /**
     * A workflow pipeline's plan: the executor it would delegate to, and a worst case that holds every call the run
     * may be billed for, the orchestrator's verdicts and escalations included (route conditions do not apply).
     */
    private Plan workflowPlan(String requested, Pipeline pipeline, ObjectNode body, String allText) {
        pipeline.maxReasoningEffort().ifPresent(max -> ReasoningBodyCap.cap(body, max));
        WorkflowPreview w = workflows.preview(requested, body);
        long input = PromptTokens.estimate(body, allText);
        Optional<CacheControl.Ttl> writes = Plan.cacheWritesIn(body);
        Optional<ServiceTier> tier = Plan.serviceTierIn(body);
        // the library's one rule, which the planner predicts the gateway's budget decisions by
        List<WorkflowWorstCase.Answer> answers = new ArrayList<>();
        for (Model m : w.executors()) {
            long out = Plan.outputLimit(body, m);
            answers.add(new WorkflowWorstCase.Answer(m.name(), costs.worstCase(m, input, out, writes,
                    defaultTiers.toHold(m, tier)), out));
        }
        Optional<WorkflowWorstCase.Verdict> verdict = w.validated()
                ? Optional.of(new WorkflowWorstCase.Verdict(w.orchestrator().name(),
                        PromptTokens.text(w.verdictPrompt()), verdictInput -> costs.worstCase(w.orchestrator(),
                                verdictInput, w.verdictMaxTokens(), Optional.empty(),
                                defaultTiers.toHold(w.orchestrator(), Optional.empty()))))
                : Optional.empty();
        WorkflowWorstCase worst = WorkflowWorstCase.of(answers, verdict, w.rounds());
        RouteSelector.Choice choice = new RouteSelector.Choice(WorkflowRunner.ROUTE_PREFIX + w.complexity(),
                Optional.of(w.executor().name()), new PromptClassifier.Classification(w.complexity(),
                        allText.codePointCount(0, allText.length()), w.reason()));
        return new Plan(requested, pipeline, choice, List.of(w.executor()), body, input,
                Plan.outputLimit(body, w.executor()), worst.whole(), worst.byModel());
    }

    /** @return the upstream rate-limit headroom of the models a route's target names, empty when unknown */
    private Optional<Double> headroomOf(String target) {
        return headroom.ofAny(directory.expand(target, ModelKind.CHAT));
    }

    /**
     * The rate-limit headroom a plan was decided with (route explain shows it): each workflow executor's, else each
     * model a route with {@code rate_limit_headroom_above} names, up to and including the route taken.
     *
     * @param plan a request's plan
     * @return configured model name to its headroom (empty when unknown, counted as full), in pipeline order
     */
    public Map<String, Optional<Double>> headroomUsed(Plan plan) {
        List<Model> read = new ArrayList<>();
        Optional<WorkflowPreview> workflow = workflowOf(plan);
        if (workflow.isPresent()) {
            read.addAll(workflow.get().executors());
        } else if (directory.isPipeline(plan.requested())) {
            for (RouteRule r : plan.pipeline().routes()) {
                if (r.headroomAbove().isPresent()) {
                    read.addAll(directory.expand(r.model(), ModelKind.CHAT));
                }
                if (r.name().equals(plan.route().name())) {
                    break;
                }
            }
        }
        Map<String, Optional<Double>> out = new java.util.LinkedHashMap<>();
        read.forEach(m -> out.putIfAbsent(m.name(), headroom.of(m.name())));
        return out;
    }

    /**
     * What a plan's primary model is skipped for, unasked, when the gateway's own estimate of the prompt does not fit
     * its {@code context_window}: the pipeline's {@code context_window_fallback} models, and the worst case the
     * request then reserves on the first of them.
     *
     * @param plan a request's plan
     * @return the larger-window models and their worst case, if the primary is skipped
     */
    public Optional<ContextWindowSkip> contextWindowSkip(Plan plan) {
        return attempts.largerWindow(plan, plan.primary())
                .map(larger -> new ContextWindowSkip(larger, worstCaseOn(plan, larger.getFirst())));
    }

    /**
     * The models a request goes to when its prompt does not fit its primary model's context window.
     *
     * @param models the pipeline's context-window fallback models, in order
     * @param worstCase the worst-case cost reserved on the first of them
     */
    public record ContextWindowSkip(List<Model> models, Money worstCase) {}

    /**
     * @param plan a request's plan
     * @param model the model a call goes to
     * @return the request body with the reasoning settings that model is sent (its own cap applied)
     */
    public ObjectNode bodyFor(Plan plan, Model model) {
        return attempts.reasoningFor(plan, model);
    }

    /** @return the worst case a request holds while model {@code m} serves it (its prices, tier and output limit) */
    private Money worstCaseOn(Plan plan, Model m) {
        return costs.worstCase(m, plan.estimatedInputTokens(), plan.worstCaseOutputOn(m), plan.cacheWrites(),
                defaultTiers.toHold(m, plan.serviceTier()));
    }

    /**
     * @param plan a request's plan
     * @return how the workflow would run it, if it runs the workflow (a budget's downgrade sends it to one model)
     */
    public Optional<WorkflowPreview> workflowOf(Plan plan) {
        return runsWorkflow(plan) ? Optional.of(workflows.preview(plan.requested(), plan.body())) : Optional.empty();
    }

    private boolean runsWorkflow(Plan plan) {
        return workflows.runs(plan.requested()) && plan.route().name().startsWith(WorkflowRunner.ROUTE_PREFIX);
    }

    /**
     * A plan once the budgets have had their say: the plan itself, or the downgrade a budget without room for it
     * sends it to, and the refusal the request gets when that leaves no room either.
     *
     * @param plan the plan the request runs (route {@code downgrade:NAME} after a budget's downgrade)
     * @param refusal the 429 the request gets instead, when a budget has no room for {@code plan}
     */
    public record BudgetedPlan(Plan plan, Optional<GatewayException.BudgetExceeded> refusal) {}

    /** A budget without room for a plan, and what a request it refuses is told. */
    private record NoRoom(BudgetBook.Exhausted exhausted, GatewayException.BudgetExceeded refusal) {}

    /**
     * The plan a request would get, budgets included: {@link #plan}, downgraded as a budget without room for its
     * worst case says ({@code on_exhausted: downgrade}), or refused. Reserves nothing (the answer of route explain),
     * but decides as a request does, in {@link #throughBudgets}.
     *
     * @param caller who asks
     * @param body the validated request
     * @return the plan, and the refusal the request would get
     * @throws GatewayException.NotFound if the model name is unknown
     */
    public BudgetedPlan planWithBudgets(Caller caller, ObjectNode body) {
        Plan plan = plan(caller, body);
        BudgetBook.Spender who = spenderOf(caller, endUser(body));
        return throughBudgets(plan, p -> roomFor(who, p));
    }

    /**
     * Puts a plan through the budgets, the one decision of requests and route explain: {@code room} says whether the
     * budgets have room for a plan (reserving it for a request, only looking for explain); a budget without room that
     * downgrades sends the plan to its {@code downgrade_to}, which must then have room in turn.
     */
    private BudgetedPlan throughBudgets(Plan plan, Function<Plan, Optional<NoRoom>> room) {
        Optional<NoRoom> none = room.apply(plan);
        Optional<Plan> down = none.flatMap(no -> downgraded(plan, no.exhausted()));
        if (down.isEmpty()) {
            return new BudgetedPlan(plan, none.map(NoRoom::refusal));
        }
        return new BudgetedPlan(down.get(), room.apply(down.get()).map(NoRoom::refusal));
    }

    /** @return the first budget without room for {@code p}'s worst case (a workflow's: a share of its run), if any */
    private Optional<NoRoom> roomFor(BudgetBook.Spender who, Plan p) {
        if (!p.worstCaseByModel().isEmpty()) {
            return budgets.firstWithoutRoomForRun(who, p.worstCase(), p.worstCaseByModel())
                    .map(no -> new NoRoom(no.exhausted(), runExceeded(no)));
        }
        return budgets.firstWithoutRoom(who, p.primary().name(), p.worstCase())
                .map(ex -> new NoRoom(ex, budgetExceeded(p, ex, p.primary(), p.worstCase())));
    }

    /** @return the refusal of a request whose worst case {@code worst} on model {@code m} budget {@code ex} lacks */
    private static GatewayException.BudgetExceeded budgetExceeded(Plan plan, BudgetBook.Exhausted ex, Model m,
            Money worst) {
        long output = plan.worstCaseOutputOn(m);
        String assumes = m.name() + (output > 0 ? String.format(Locale.ROOT, ", up to %,d output tokens", output)
                : String.format(Locale.ROOT, ", about %,d input tokens", plan.estimatedInputTokens()));
        // nothing to generate (embeddings): only the input makes the worst case smaller
        return new GatewayException.BudgetExceeded(ex.def().name(), ex.limit(), ex.spent(), ex.reserved(), worst,
                assumes, ex.resetsAt(), ex.retryAfter(), ex.outageLimit(), output > 0
                        ? GatewayException.BudgetExceeded.LOWER_MAX_TOKENS
                        : GatewayException.BudgetExceeded.FEWER_INPUTS);
    }

    /** @return the refusal of a workflow run a budget has no room for (its whole worst case, or one model's share) */
    private static GatewayException.BudgetExceeded runExceeded(BudgetBook.RunRefusal no) {
        BudgetBook.Exhausted ex = no.exhausted();
        return new GatewayException.BudgetExceeded(ex.def().name(), ex.limit(), ex.spent(), ex.reserved(),
                no.worstCase(), no.model().map(m -> "the workflow's calls to " + m)
                        .orElse("every call of the workflow"), ex.resetsAt(), ex.retryAfter(), ex.outageLimit());
    }

    /** @return {@code plan} sent to the budget's {@code downgrade_to}, if the budget {@code ex} downgrades */
    private Optional<Plan> downgraded(Plan plan, BudgetBook.Exhausted ex) {
        if (ex.def().onExhausted() != OnExhausted.DOWNGRADE || ex.def().downgradeTo().isEmpty()) {
            return Optional.empty();
        }
        List<Model> down = directory.expand(ex.def().downgradeTo().get());
        Money worst = costs.worstCase(down.getFirst(), plan.estimatedInputTokens(),
                plan.worstCaseOutputOn(down.getFirst()), plan.cacheWrites(),
                defaultTiers.toHold(down.getFirst(), plan.serviceTier()));
        return Optional.of(plan.withCandidates(down, worst, "downgrade:" + ex.def().name()));
    }

    /** @return whose spend a request is: the caller's key's, and the end user's */
    private static BudgetBook.Spender spenderOf(Caller caller, Optional<String> user) {
        return new BudgetBook.Spender(caller.key().map(BudgetBook.BudgetedKey::of), user);
    }

    /** @return the end user the body names in {@code user}; {@code ""} names no one */
    private static Optional<String> endUser(ObjectNode body) {
        JsonNode user = body.get("user");
        return user != null && user.isTextual() && !user.asText().isEmpty() ? Optional.of(user.asText())
                : Optional.empty();
    }

    /** @return the stricter of the pipeline's and the chosen route's {@code max_reasoning_effort}, if either has one */
    private static Optional<ReasoningEffort> reasoningCap(Pipeline pipeline, RouteSelector.Choice choice) {
        // a loop, not a stream: this runs on every request, and most pipelines set no cap at all
        Optional<ReasoningEffort> cap = pipeline.maxReasoningEffort();
        for (RouteRule r : pipeline.routes()) {
            if (r.name().equals(choice.name())) {
                Optional<ReasoningEffort> route = r.maxReasoningEffort();
                return cap.isEmpty() || route.isEmpty() ? cap.or(() -> route)
                        : Optional.of(cap.get().compareTo(route.get()) <= 0 ? cap.get() : route.get());
            }
        }
        return cap;
    }

    /**
     * @return " (configured: a, b, …)" naming up to 8 models that can serve {@code kind} and that the caller may use
     *     (a key limited to some models learns of no other), or "" if there is none
     */
    private String known(Caller caller, ModelKind kind) {
        List<String> names = directory.models().stream().filter(m -> caller.mayUse(m.name()))
                .filter(m -> !directory.expand(m.name(), kind).isEmpty()).map(Model::name).toList();
        if (names.isEmpty()) {
            return "";
        }
        return " (configured: " + String.join(", ", names.subList(0, Math.min(8, names.size())))
                + (names.size() > 8 ? ", …" : "") + ")";
    }

    /**
     * @param model a configured model
     * @return its circuit's state ({@code closed}, {@code open}, {@code half_open}); empty when it has no breaker
     */
    public Optional<String> circuitState(String model) {
        return circuits.of(model).map(b -> b.state().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Classifies a request with the rule-based classifier (route explain shows it even for names without routes).
     *
     * @param body the validated request
     * @return the classification
     */
    public PromptClassifier.Classification classify(ObjectNode body) {
        return router.classify(PromptTokens.allText(body), PromptTokens.lastUserText(body));
    }

    /**
     * Checks that the caller's key may use the requested model.
     *
     * @param caller who asks
     * @param plan the plan
     * @throws GatewayException.Forbidden if it may not
     */
    public void requireAllowed(Caller caller, Plan plan) {
        if (!caller.mayUse(plan.requested())) {
            throw new GatewayException.Forbidden("model_not_allowed", "the key '" + caller.keyId()
                    + "' may not use the model '" + plan.requested() + "' (allowed: "
                    + String.join(", ", caller.key().get().models()) + ")");
        }
    }

    /**
     * A prompt's input tokens, as {@code POST /v1/messages/count_tokens} answers them.
     *
     * @param inputTokens the count
     * @param estimated {@code false} when the provider counted exactly, {@code true} for the gateway's own estimate
     *     (which errs high, see {@link PromptTokens})
     * @param model the model counted for: the plan's primary
     */
    public record TokenCount(long inputTokens, boolean estimated, String model) {}

    /**
     * Counts a request's input tokens for its primary model, calling no model and billing nothing: exactly where the
     * provider can count (Anthropic's token-counting endpoint), else the gateway's estimate.
     *
     * @param caller who asks (the key must be allowed the model)
     * @param plan the request's plan
     * @return the count
     * @throws GatewayException.Forbidden if the key may not use the model
     * @throws GatewayException.UpstreamFailed if the provider refused or failed to count
     */
    public TokenCount countTokens(Caller caller, Plan plan) {
        requireAllowed(caller, plan);
        Model primary = plan.primary();
        OptionalLong exact;
        try {
            exact = upstream(primary).countInputTokens(new Upstream.Call(primary, plan.body(), requestTimeout));
        } catch (ProviderException e) {
            throw new GatewayException.UpstreamFailed(List.of(e));
        } catch (UnsupportedRequestException e) {
            throw GatewayException.InvalidField.unsupportedBy(primary.name(), e);
        }
        return exact.isPresent() ? new TokenCount(exact.getAsLong(), false, primary.name())
                : new TokenCount(plan.estimatedInputTokens(), true, primary.name());
    }

    /**
     * Runs a non-streaming request.
     *
     * @param caller who asks
     * @param requestId the request's id
     * @param plan its plan
     * @param mode cache use
     * @return the answer
     */
    public Result complete(Caller caller, String requestId, Plan plan, CacheMode mode) {
        Request r = new Request(caller, requestId, plan);
        return complete(r, plan, mode).withKeyUsage(r.keyUsage);
    }

    private Result complete(Request r, Plan plan, CacheMode mode) {
        try {
            r.admit();
            Optional<String> cacheKey = cacheKey(r, mode);
            CompletableFuture<ResponseCacheStore.Entry> leading = null;
            if (cacheKey.isPresent()) {
                Optional<ResponseCacheStore.Entry> hit = lookup(r, cacheKey.get());
                if (hit.isEmpty() && !cache.sharedAcrossReplicas()) {
                    // Single flight: concurrent identical misses wait for the first one's answer. (Redis's fill lock
                    // does it across replicas, and a request that waited there must not wait for another here.)
                    CompletableFuture<ResponseCacheStore.Entry> fresh = new CompletableFuture<>();
                    CompletableFuture<ResponseCacheStore.Entry> leader = inFlight.putIfAbsent(cacheKey.get(), fresh);
                    if (leader == null) {
                        leading = fresh;
                    } else {
                        hit = awaitLeader(leader, r.remaining());
                    }
                }
                if (hit.isPresent()) {
                    cache.abandon(cacheKey.get()); // a lock taken by the lookup, if another fill won meanwhile
                    Money saved = r.recordHit(hit.get());
                    AnswerBody body = isWorkflowAnswer(hit.get()) ? workflows.asHit(hit.get().body(), saved)
                            : AnswerBody.of(hit.get().body());
                    return new Result(body, Money.ZERO, "hit", hit.get().modelUsed(), hit.get().route());
                }
            }
            try {
                Plan p = r.reserve();
                if (runsWorkflow(p)) {
                    WorkflowRunner.Finished done = runWorkflow(r);
                    if (cacheKey.isPresent()) {
                        ResponseCacheStore.Entry entry = cacheEntry(done);
                        cache.put(plan.requested(), plan.pipeline().cache(), cacheKey.get(), entry);
                        if (leading != null) {
                            leading.complete(entry);
                        }
                    }
                    return new Result(done.body(), done.cost(), cacheStatus(cacheKey), done.modelUsed(),
                            done.route());
                }
                AttemptLoop.Attempted<Upstream.Reply> ok = attempts.run(p, r, (m, call) -> upstream(m).complete(call));
                Usage usage = ok.value().usage().orElseGet(() -> estimated(p, answerTokens(ok.value().body())));
                Pricer.Priced priced = costs.price(ok.model(), usage);
                ResponseCacheStore.Entry entry = cacheKey.isPresent() ? new ResponseCacheStore.Entry(
                        ok.value().body(), usage, ok.model().name(), priced.cost(), r.route()) : null;
                // settle and store in one round trip when both go to Redis; else recordSuccess settles
                boolean stored = cacheKey.isPresent() && r.settleAndStore(cacheKey.get(), entry, priced.cost());
                r.recordSuccess(ok.model(), usage, priced, ok.latency());
                String status = cacheStatus(cacheKey);
                if (cacheKey.isPresent() && alerting) {
                    alerts.onCacheMiss();
                }
                if (cacheKey.isPresent()) {
                    if (!stored) {
                        cache.put(plan.requested(), plan.pipeline().cache(), cacheKey.get(), entry);
                    }
                    if (leading != null) {
                        leading.complete(entry);
                    }
                }
                // what the request cost: its answer and the failed attempts the providers billed
                return new Result(ok.value().body(), priced.cost().plus(r.failedCost), status, ok.model().name(),
                        r.route());
            } catch (GatewayException.UpstreamFailed e) {
                cacheKey.ifPresent(k -> cache.abandonFailed(k, e)); // other replicas' waiters fail with it
                throw e;
            } finally {
                if (leading != null) {
                    inFlight.remove(cacheKey.get(), leading);
                    // Errors are never shared: followers make their own call.
                    leading.completeExceptionally(new IllegalStateException("the first identical request failed"));
                }
                cacheKey.ifPresent(cache::abandon); // a shared fill lock still held means the call failed
            }
        } catch (GatewayException e) {
            r.fail(e);
            throw e;
        } catch (RuntimeException e) {
            r.abandon();
            throw e;
        }
    }

    /**
     * Runs an embeddings request: passed through to the model's provider, cached like a completion, ledgered.
     *
     * @param caller who asks
     * @param requestId the request's id
     * @param body the validated request
     * @param mode cache use
     * @return the answer
     * @throws GatewayException.NotFound if the model name is unknown
     */
    public Result embed(Caller caller, String requestId, ObjectNode body, CacheMode mode) {
        try {
            return embedOnce(caller, requestId, body, mode);
        } finally {
            cache.abandonUnfilled(); // a shared fill lock still held: nothing was cached
        }
    }

    /**
     * A 404 for a name the gateway does not serve, listing the names the caller may use (a key limited to some models
     * learns of no other, as in its {@code /v1/models}). A catalog model left out because nothing prices it (see
     * EmbeddedDefaults) is said to be that, not to be missing, so the caller knows what would serve it.
     */
    private GatewayException.NotFound unknownModel(Caller caller, String requested) {
        List<String> usable = directory.callableNames().stream().filter(caller::mayUse).toList();
        String known = usable.isEmpty() ? "" : " (known: " + String.join(", ", usable) + ")";
        boolean unpriced = EmbeddedDefaults.catalog().find(requested).filter(m -> m.pricing().isEmpty()).isPresent();
        return new GatewayException.NotFound("model_not_found", unpriced
                ? "the model '" + requested + "' is not served: the catalog has no price for it, so its calls could "
                        + "not be billed or held to a budget; serve it from a config file that gives it a price" + known
                : "the model '" + requested + "' does not exist" + known);
    }

    private Result embedOnce(Caller caller, String requestId, ObjectNode body, CacheMode mode) {
        String requested = body.get("model").asText();
        Pipeline pipeline = directory.pipeline(requested).orElseThrow(() -> unknownModel(caller, requested));
        List<Model> candidates = directory.expand(requested, ModelKind.EMBEDDING);
        if (candidates.isEmpty()) {
            throw new GatewayException.InvalidField("model", "'" + requested + "' "
                    + (directory.expand(requested).isEmpty() ? "routes chat requests" : "is a chat model")
                    + ": name an embedding model" + known(caller, ModelKind.EMBEDDING));
        }
        JsonNode input = body.get("input");
        long chars = EmbeddingInputs.chars(input);
        long tokens = EmbeddingInputs.tokens(input);
        Plan plan = new Plan(requested, pipeline, new RouteSelector.Choice("default", Optional.empty(),
                new PromptClassifier.Classification("simple", (int) Math.min(Integer.MAX_VALUE, chars), "embeddings")),
                candidates, body, tokens, 0, costs.worstCase(candidates.getFirst(), tokens, 0, Optional.empty(),
                Optional.empty()));
        Request r = new Request(caller, requestId, plan);
        return embed(r, plan, requested, pipeline, mode).withKeyUsage(r.keyUsage);
    }

    private Result embed(Request r, Plan plan, String requested, Pipeline pipeline, CacheMode mode) {
        try {
            r.admit();
            Optional<String> cacheKey = cacheKey(r, mode).map(k -> "embeddings|" + k);
            if (cacheKey.isPresent()) {
                Optional<ResponseCacheStore.Entry> hit = cache.get(requested, pipeline.cache(), cacheKey.get(),
                        r.remaining());
                if (hit.isPresent()) {
                    r.recordHit(hit.get());
                    return new Result(hit.get().body(), Money.ZERO, "hit", hit.get().modelUsed(), "default");
                }
            }
            r.reserve();
            AttemptLoop.Attempted<Upstream.Reply> ok = attempts.run(r.plan, r, (m, call) -> embedOn(m, call, plan));
            Usage usage = ok.value().usage().orElseGet(() -> estimated(plan, 0));
            Pricer.Priced priced = costs.price(ok.model(), usage);
            r.recordSuccess(ok.model(), usage, priced, ok.latency());
            cacheKey.ifPresent(k -> cache.put(requested, pipeline.cache(), k, new ResponseCacheStore.Entry(
                    ok.value().body(), usage, ok.model().name(), priced.cost(), "default")));
            return new Result(ok.value().body(), priced.cost(), cacheStatus(cacheKey), ok.model().name(),
                    "default");
        } catch (GatewayException e) {
            r.fail(e);
            throw e;
        } catch (RuntimeException e) {
            r.abandon();
            throw e;
        }
    }

    /**
     * One embeddings call. An answer too large to read was billed by its provider all the same: when its usage could
     * not be read (the connection cut before its end), the attempt is billed the request's input estimate.
     */
    private Upstream.Reply embedOn(Model m, Upstream.Call call, Plan plan) {
        try {
            return upstream(m).embed(call);
        } catch (ProviderException.AnswerTooLarge e) {
            throw e.billedUsage().isPresent() ? e : e.withBilledUsage(Optional.of(estimated(plan, 0)));
        }
    }

    /** Receives a stream's events, in OpenAI's chunk JSON. */
    public interface StreamSink {
        /**
         * Called once before the first event, with what is known then.
         *
         * @param cache {@code hit}, {@code miss} or {@code bypass}
         * @param modelUsed the model that answers
         * @param route the route taken
         * @param keyUsage the caller's key limits and use, if it has limits
         * @param promptUsage the prompt's tokens (cache reads and writes included) as the provider reported them
         *     before its first output, in OpenAI's {@code usage} shape with no output counted: from a provider that
         *     reports them as it starts (Anthropic's {@code message_start}, Gemini's {@code usageMetadata}), and a
         *     cache hit's, as its miss was billed; empty from one that reports usage only at the end, and for a
         *     workflow's answer replayed whole, whose usage chunk has it all
         */
        void start(String cache, String modelUsed, String route, Optional<KeyUsage> keyUsage,
                Optional<JsonNode> promptUsage);

        /** @param chunkJson one {@code chat.completion.chunk} */
        void event(String chunkJson) throws IOException;

        /**
         * Sends a chunk given as a tree: a cache hit's replay, whose long strings may be {@code StoredText}s over the
         * stored answer. By default written out as a string; a sink that writes bytes writes the tree to them
         * instead, and the stored strings with it as they are stored, without a copy of its own.
         *
         * @param chunk one {@code chat.completion.chunk}
         */
        default void event(JsonNode chunk) throws IOException {
            event(chunk.toString());
        }

        /** Ends the stream with {@code [DONE]}. */
        void done() throws IOException;

        /**
         * Sends the client a keep-alive in the endpoint's own form, one its SDKs skip (an SSE comment; Anthropic's
         * {@code ping} event on the Messages API); called only after {@link #start}.
         *
         * @throws IOException if the client has gone
         */
        void keepAlive() throws IOException;
    }

    /**
     * Runs a streaming request. Failures before the first chunk throw (and fall back like any call); failures after
     * it end the stream with an error event.
     *
     * @param caller who asks
     * @param requestId the request's id
     * @param plan its plan
     * @param mode cache use
     * @param includeUsage whether the caller asked for the final usage chunk
     * @param sink where chunks go
     * @throws IOException if the client went away
     */
    public void stream(Caller caller, String requestId, Plan plan, CacheMode mode, boolean includeUsage,
            StreamSink sink) throws IOException {
        try {
            streamOnce(caller, requestId, plan, mode, includeUsage, sink);
        } finally {
            cache.abandonUnfilled(); // a shared fill lock still held: the stream failed or was not cacheable
        }
    }

    private void streamOnce(Caller caller, String requestId, Plan plan, CacheMode mode, boolean includeUsage,
            StreamSink sink) throws IOException {
        Request r = new Request(caller, requestId, plan);
        Optional<String> cacheKey;
        Optional<ResponseCacheStore.Entry> hit = Optional.empty();
        Money saved = Money.ZERO;
        try {
            r.admit();
            cacheKey = cacheKey(r, mode);
            if (cacheKey.isPresent()) {
                hit = lookup(r, cacheKey.get());
            }
            if (hit.isPresent()) {
                cache.abandon(cacheKey.get()); // a lock taken by the lookup, if another fill won meanwhile
                saved = r.recordHit(hit.get());
            }
        } catch (GatewayException e) {
            r.fail(e);
            throw e;
        } catch (RuntimeException e) {
            r.abandon();
            throw e;
        }
        if (hit.isPresent()) {
            sink.start("hit", hit.get().modelUsed(), hit.get().route(), r.keyUsage,
                    Optional.of(wire.writeUsage(promptOnly(hit.get().usage()))));
            JsonNode answer = StoredAnswerTree.read(json, hit.get().body()); // its long strings stay stored
            StreamReplay.replay(json, answer, hit.get().modelUsed(), hitCosts(answer, hit.get(), saved),
                    includeUsage, sink);
            return;
        }
        WorkflowRunner.Finished done = null;
        if (runsWorkflow(plan)) {
            try {
                // a budget's downgrade sends the request to one model instead, streamed below
                if (runsWorkflow(r.reserve())) {
                    done = runWorkflow(r);
                }
            } catch (GatewayException e) {
                r.fail(e);
                throw e;
            } catch (RuntimeException e) {
                r.abandon();
                throw e;
            }
        }
        if (done != null) {
            if (cacheKey.isPresent()) {
                // the run's answer is whole before its replay starts: cached as a non-streamed one is, so the next
                // identical request, streamed or not, is a hit whatever this client does with the replay
                cache.put(plan.requested(), plan.pipeline().cache(), cacheKey.get(), cacheEntry(done));
            }
            String status = cacheStatus(cacheKey);
            sink.start(status, done.modelUsed(), done.route(), r.keyUsage, Optional.empty());
            // the run's whole costwise object, as its non-streamed answer has it, and where the answer came from
            StreamReplay.replay(json, json.readTree(done.body()), done.modelUsed(),
                    done.costwise().withServed(status, done.modelUsed(), done.route()), includeUsage, sink);
            return;
        }
        KeepAliveSink alive = new KeepAliveSink(sink, ticker, streamKeepAlive, r.startNanos);
        String cacheStatus = cacheStatus(cacheKey);
        AttemptLoop.Attempted<Upstream.Events> opened;
        try {
            r.reserve();
            opened = attempts.runKeepingSlot(r.plan, r, (m, call) -> openStream(r, m, call, cacheStatus, alive));
        } catch (ClientGoneException e) {
            throw e.getCause(); // its attempt was ledgered as aborted
        } catch (GatewayException e) {
            r.fail(e);
            if (alive.started()) {
                failStarted(e, r, alive); // its status and headers are gone: the failure is its last event
                return;
            }
            throw e;
        } catch (RuntimeException e) {
            r.abandon();
            if (alive.started()) {
                // a bug, after a keep-alive sent the status: the stream still ends with an error event and [DONE]
                LOG.error("request {}: internal error after its stream had started", r.requestId, e);
                endStarted(ErrorResponses.internal(r.requestId), "internal_error", r, alive);
                return;
            }
            throw e;
        }
        try {
            relay(r, plan, cacheKey, cacheStatus, opened, includeUsage, alive);
        } finally {
            opened.release().run(); // the provider's throttle slot is held until the stream is over
        }
    }

    /**
     * Opens a stream on {@code m} and reads it up to its first output before the caller is sent anything, so that a
     * failure or a stall after the provider's opening chunks (OpenAI's role-only chunk) still retries or falls back.
     * Meanwhile the provider's keep-alives are passed on once the caller has waited long enough ({@link
     * KeepAliveSink}); a caller found gone by one ends the attempt at once, closed and ledgered as aborted.
     */
    private Upstream.Events openStream(Request r, Model m, Upstream.Call call, String cacheStatus,
            KeepAliveSink alive) {
        long started = ticker.read();
        Upstream.Events events = upstream(m).stream(call);
        alive.waitingOn(() -> startOn(alive, r, cacheStatus, m, events));
        events.onKeepAlive(alive::upstreamAlive);
        try {
            return ReadAhead.untilFirstOutput(events, json, ProviderException.Details.of(m.provider(), m.name()));
        } catch (ClientGoneException e) {
            // closed by the read-ahead: the provider stops generating; billed what it had reported, if anything
            Usage partial = events.usage().orElse(estimated(r.plan, 0));
            r.recordAborted(m, partial, costs.price(m, partial), elapsed(started));
            throw e;
        }
    }

    /** Starts a stream's response for {@code m}, with the prompt's usage its provider reported so far, if any. */
    private void startOn(StreamSink sink, Request r, String cacheStatus, Model m, Upstream.Events events) {
        // the output read ahead so far is only estimated (or not yet reported): the usage chunk counts it
        sink.start(cacheStatus, m.name(), r.route(), r.keyUsage, events.usage().map(u -> wire.writeUsage(
                promptOnly(u))));
    }

    /**
     * Ends a stream whose response had started (a keep-alive went out) when every attempt failed: counted as the
     * error answer it would have been, and sent as the stream's last event with that answer's type and code.
     */
    private void failStarted(GatewayException e, Request r, StreamSink sink) throws IOException {
        ApiError answer = ErrorResponses.of(e);
        endStarted(answer, answer.code().orElse(answer.type()), r, sink);
    }

    /** Counts {@code answer} and sends it as the last event of a started stream, named {@code code}. */
    private void endStarted(ApiError answer, String code, Request r, StreamSink sink) throws IOException {
        metrics.error(answer.status(), answer.code().orElse(""), r.plan.requested());
        ObjectNode chunk = json.createObjectNode();
        ObjectNode error = chunk.putObject("error").put("message", answer.message()).put("type", answer.type())
                .putNull("param").put("code", code);
        answer.billed().ifPresent(b -> error.set(CostwiseObject.FIELD, CostwiseObject.of(b).writeTo(chunk)));
        sink.event(json.writeValueAsString(chunk));
        sink.done();
    }

    private void relay(Request r, Plan plan, Optional<String> cacheKey, String cacheStatus,
            AttemptLoop.Attempted<Upstream.Events> opened, boolean includeUsage, StreamSink sink) throws IOException {
        Model model = opened.model();
        startOn(sink, r, cacheStatus, model, opened.value()); // unless a keep-alive started it for this model
        StreamAssembler assembled = new StreamAssembler(wire);
        OutputCap cap = new OutputCap(r.plan.outputLimitOn(model));
        Optional<Usage> cutAt = Optional.empty();
        int forwarded = 0;
        long started = opened.startedNanos();
        boolean recorded = false;
        boolean usageSent = false;
        JsonNode last = json.nullNode();
        try (Upstream.Events events = opened.value()) {
            while (cutAt.isEmpty()) {
                String chunk;
                try {
                    if (r.remaining().isNegative()) {
                        throw new ProviderException.ProviderTimeout(ProviderException.Details.of(model.provider(),
                                model.name()), "the request (server.request_timeout), mid-stream,", requestTimeout);
                    }
                    if (!events.hasNext()) {
                        break;
                    }
                    chunk = events.next();
                } catch (ProviderException e) {
                    Optional<Usage> reported = events.usage();
                    Usage partial = reported.orElse(estimated(plan, forwarded));
                    r.recordBrokenStream(model, partial, costs.price(model, partial), elapsed(started), e);
                    recorded = true; // if telling the client fails too, the attempt must not be recorded again
                    sink.event(json.writeValueAsString(errorChunk(e, reported, partial, model, cacheStatus, r)));
                    sink.done();
                    return;
                }
                JsonNode node = assembled.accept(chunk);
                // the provider's own count, not the text estimated by its characters: code and whitespace-heavy JSON
                // run well over four characters a token, and Anthropic keeps to its max_tokens anyway
                if (cap.passedBy(node, events.reportedUsage())) {
                    // the provider ignored the limit it was sent: the answer ends where the reservation does, and
                    // the upstream connection is closed as the try ends
                    cutAt = Optional.of(events.usage().map(cap::atLeastCounted)
                            .orElse(estimated(plan, cap.outputChunks())));
                    LOG.warn("{} streamed past its output limit of {} tokens, which was sent to it: the stream of "
                            + "request {} was ended there", model.name(), cap.limit(), r.requestId);
                    continue;
                }
                last = node;
                if (!node.path("usage").isObject()) {
                    sink.event(chunk);
                    forwarded++;
                    continue;
                }
                // OpenAI sends usage in a last chunk of its own (empty choices); some compatible servers put it on
                // the last content chunk. Either way it carries the cost, or is dropped if the caller did not ask
                // for usage (the gateway asks upstream for it in every stream, to ledger the real tokens).
                boolean usageOnly = node.path("choices").isArray() && node.path("choices").isEmpty();
                if (includeUsage) {
                    Usage reported = events.usage().orElse(estimated(plan, forwarded));
                    withCost((ObjectNode) node, reported, model, cacheStatus, r);
                    sink.event(json.writeValueAsString(node));
                    usageSent = true;
                } else if (!usageOnly) {
                    ((ObjectNode) node).remove("usage");
                    sink.event(json.writeValueAsString(node));
                }
                if (!usageOnly) {
                    forwarded++;
                }
            }
            if (cutAt.isPresent()) {
                sink.event(json.writeValueAsString(cap.ending(chunkHead(last, model, r))));
            }
            if (includeUsage && !usageSent) {
                // No chunk carried a usage: the caller asked for it, so it gets what the ledger records, the usage
                // reported elsewhere (Groq's x_groq) or else the estimate, marked as one.
                sink.event(json.writeValueAsString(usageChunk(last, cutAt.or(events::usage).orElse(estimated(plan,
                        forwarded)), model, cacheStatus, r)));
            }
            sink.done();
        } catch (IOException | UncheckedIOException | ClientGoneException e) {
            // a chunk, or a keep-alive passed on during a pause, could not be written: the client has gone
            if (!recorded) {
                Usage partial = cutAt.or(() -> opened.value().usage()).orElse(estimated(plan, forwarded));
                r.recordAborted(model, partial, costs.price(model, partial), elapsed(started));
            }
            throw switch (e) {
                case ClientGoneException gone -> gone.getCause();
                case UncheckedIOException unchecked -> unchecked.getCause();
                default -> (IOException) e;
            };
        }
        Usage usage = cutAt.or(() -> opened.value().usage()).orElse(estimated(plan, forwarded));
        Pricer.Priced priced = costs.price(model, usage);
        // an answer the gateway cut is not the provider's whole answer: it is not cached
        Optional<ResponseCacheStore.Entry> entry = cacheKey.isEmpty() || cutAt.isPresent() ? Optional.empty()
                : assembled.completion(model.upstreamModel(), usage).map(body -> new ResponseCacheStore.Entry(body,
                        usage, model.name(), priced.cost(), r.route()));
        // settle and store in one round trip when both go to Redis; else recordSuccess settles
        boolean stored = entry.isPresent() && r.settleAndStore(cacheKey.get(), entry.get(), priced.cost());
        r.recordSuccess(model, usage, priced, elapsed(started));
        if (entry.isPresent() && !stored) {
            cache.put(plan.requested(), plan.pipeline().cache(), cacheKey.get(), entry.get());
        }
    }

    /** @return the prompt's part of {@code u}, its cache reads and writes included: no output counted yet */
    private static Usage promptOnly(Usage u) {
        return new Usage(u.inputTokens(), u.cachedInputTokens(), u.cacheWriteTokens(), u.cacheWrite1hTokens(), 0, 0,
                false);
    }

    /**
     * @return the usage of an answer the provider reported none for: the request's prompt estimate and {@code output}
     *     tokens (a stream's chunks, or an answer's text estimated as a prompt's is), marked as an estimate
     */
    private static Usage estimated(Plan plan, long output) {
        return new Usage(plan.estimatedInputTokens(), 0, 0, output, 0, true);
    }

    /** @return the estimated output tokens of an OpenAI chat completion the provider reported no usage for */
    private long answerTokens(byte[] answer) {
        try {
            return PromptTokens.answer(json.readTree(answer));
        } catch (IOException e) {
            throw new UncheckedIOException("an answer already read as JSON could not be read again", e);
        }
    }

    /**
     * Adds the {@code costwise} object (cost, cache, model used, route) beside a stream chunk's usage; the cost is the
     * request's, failed attempts its providers billed included, as {@code x-costwise-cost} is.
     *
     * @return the object added
     */
    private ObjectNode withCost(ObjectNode chunk, Usage usage, Model model, String cacheStatus, Request r) {
        Money cost = costs.price(model, usage).cost().plus(r.failedCost);
        return CostwiseObject.of(cost, cacheStatus, model.name(), r.route()).withEstimated(usage.estimated())
                .writeTo(chunk);
    }

    /**
     * The event that ends a stream its provider broke: the failure in OpenAI's error shape, with the type and code
     * the same failure before the stream would have been answered with (and its metric counts), the provider's own
     * code as {@code upstream_code}; the usage the provider reported before it broke (when it did), and the
     * {@code costwise} object of a usage chunk, with what the request cost so far (this attempt's partial usage, as
     * its ledger row bills it, and every failed attempt billed before).
     */
    private ObjectNode errorChunk(ProviderException e, Optional<Usage> reported, Usage partial, Model model,
            String cacheStatus, Request r) {
        ApiError answer = ErrorResponses.of(new GatewayException.UpstreamFailed(List.of(e)));
        ObjectNode chunk = json.createObjectNode();
        ObjectNode error = chunk.putObject("error").put("message", e.getMessage()).put("type", answer.type())
                .putNull("param").put("code", answer.code().orElse(answer.type()));
        e.providerCode().ifPresent(c -> error.put("upstream_code", c));
        reported.ifPresent(u -> chunk.set("usage", wire.writeUsage(u)));
        ObjectNode costwise = withCost(chunk, partial, model, cacheStatus, r);
        // in the error too: the OpenAI SDKs raise the error object alone (APIError.body), not the event around it
        error.set(CostwiseObject.FIELD, costwise);
        return chunk;
    }

    /** A usage chunk in OpenAI's format for a stream that had none, from its last chunk's id and model. */
    private ObjectNode usageChunk(JsonNode last, Usage usage, Model model, String cacheStatus, Request r) {
        ObjectNode chunk = chunkHead(last, model, r);
        chunk.putArray("choices");
        chunk.set("usage", wire.writeUsage(usage)); // whole: cache reads and writes, reasoning
        withCost(chunk, usage, model, cacheStatus, r);
        return chunk;
    }

    /** @return a new chunk's id, object, created time and model: the stream's last chunk's, else the gateway's */
    private ObjectNode chunkHead(JsonNode last, Model model, Request r) {
        ObjectNode chunk = json.createObjectNode();
        return chunk.put("id", last.path("id").asText("chatcmpl-" + r.requestId)).put("object", "chat.completion.chunk")
                .put("created", last.path("created").asLong(clock.millis() / 1000))
                .put("model", last.path("model").asText(model.upstreamModel()));
    }

    /**
     * The cache lookup. With Redis and a budget that applies, the fill lock and the reservation ride in the same
     * round trip; a lock another replica holds is waited for by {@link ResponseCacheStore#get} (polling).
     */
    private Optional<ResponseCacheStore.Entry> lookup(Request r, String key) {
        Optional<RedisBudgetStore.Lookup> combined = r.lookupReserving(key);
        if (combined.isPresent()) {
            switch (combined.get()) {
                case RedisBudgetStore.Lookup.Hit h -> {
                    Optional<ResponseCacheStore.Entry> e = redis.orElseThrow().entries().read(key, h.value());
                    if (e.isPresent()) {
                        return e;
                    }
                }
                case RedisBudgetStore.Lookup.Locked l -> {
                    return Optional.empty();
                }
                case RedisBudgetStore.Lookup.LockedElsewhere e -> { } // wait for the holder below
            }
        }
        return cache.get(r.plan.requested(), r.plan.pipeline().cache(), key, r.remaining());
    }

    /** Runs Pattern 5 (classify, delegate, validate, escalate) and answers as one chat completion. */
    private WorkflowRunner.Finished runWorkflow(Request r) {
        WorkflowRows rows = new WorkflowRows();
        WorkflowRunner.Finished f;
        try {
            f = workflows.run(r.plan.requested(), r.plan.body(), r.requestId, r.tags, r.remaining(), rows);
        } catch (RuntimeException e) {
            // The calls made before the failure (an answer, a verdict) were billed and ledgered: the budgets are
            // charged for them too.
            r.settleRun(rows.spentByModel());
            r.ledgered |= !rows.spentByModel().isEmpty(); // a row per call made
            // its error answer tells the caller what the billed calls cost, as a failed plain request's does
            rows.billed().ifPresent(b -> r.billedBeforeFailing(b.getValue(), b.getKey()));
            throw e;
        }
        r.settleRun(rows.spentByModel());
        r.ledgered = true;
        r.finishWorkflow(f.cost(), f.tokens());
        f.validation().ifPresent(v -> metrics.workflowValidation(f.pipeline(), v));
        return f;
    }

    /**
     * @return a workflow run's answer as the cache keeps it: with the returned answer's tokens and model, so a hit is
     *     measured against the baseline as the run was
     */
    private static ResponseCacheStore.Entry cacheEntry(WorkflowRunner.Finished done) {
        return new ResponseCacheStore.Entry(done.body(), done.answerUsage(), done.answered(), done.cost(),
                done.route());
    }

    /**
     * The {@code costwise} object of a streamed cache hit: free, saving {@code saved} (the ledger row's saving); a
     * workflow answer's with its run's fields, as a non-streamed hit has them ({@link WorkflowRunner#asHit}).
     */
    private CostwiseObject hitCosts(JsonNode answer, ResponseCacheStore.Entry e, Money saved) {
        Optional<CostwiseObject> run = isWorkflowAnswer(e) ? workflows.hitCosts(answer, saved) : Optional.empty();
        return run.map(hit -> hit.withServed("hit", e.modelUsed(), e.route()))
                .orElseGet(() -> CostwiseObject.of(Money.ZERO, "hit", e.modelUsed(), e.route()).withSavings(saved));
    }

    /** @return {@code true} if the entry holds a workflow's answer, with its run's {@code costwise} object */
    private static boolean isWorkflowAnswer(ResponseCacheStore.Entry e) {
        return e.route().startsWith(WorkflowRunner.ROUTE_PREFIX);
    }

    private Optional<ResponseCacheStore.Entry> awaitLeader(CompletableFuture<ResponseCacheStore.Entry> leader,
            Duration remaining) {
        try {
            return Optional.of(leader.get(Math.max(1, remaining.toMillis()), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            throw cutoff.interrupted(e, "identical request in flight");
        }
    }

    /**
     * @return the {@code x-costwise-cache} of an answer the cache did not give: {@code miss} when it was looked up
     *     (and will keep the answer), else {@code bypass}; the same for a workflow's run as for a plain pipeline's
     */
    private String cacheStatus(Optional<String> cacheKey) {
        return cacheKey.isPresent() && !cache.bypassed() ? "miss" : "bypass";
    }

    private Optional<String> cacheKey(Request r, CacheMode mode) {
        if (mode == CacheMode.BYPASS || !r.plan.pipeline().cache().enabled() || cache.bypassed()) {
            return Optional.empty();
        }
        r.cacheStatus = "miss";
        return Optional.of(cache.key(r.plan.pipeline().cache(), r.plan.requested(), r.caller.cacheScope(),
                r.plan.body()));
    }

    private Upstream upstream(Model m) {
        return upstreams.getOrDefault(m.name(), defaultUpstream);
    }

    private Duration elapsed(long startNanos) {
        return Duration.ofNanos(ticker.read() - startNanos);
    }

    // ---- one request's state ----------------------------------------------------------------------------------

    /** What one request has done so far: its attempts, reservation and deadline. */
    private final class Request implements AttemptLoop.Journal {
        final Caller caller;
        final String requestId;
        Plan plan;
        final long startNanos = ticker.read();
        final long deadlineNanos;
        int attempts;
        long estimatedTokens;
        Optional<BudgetBook.Reservation> reservation = Optional.empty();
        /** The model {@link #reservation} was made for; null before any, or after a fallback found no room. */
        String reservedFor;
        /**
         * What the request's failed attempts cost: those whose provider billed an answer it sent whole (Gemini's
         * failed tool call, an error inside a 200 with its usage). Part of what the request cost, in
         * {@code x-costwise-cost} as in its metrics.
         */
        Money failedCost = Money.ZERO;
        /** The model of the last failed attempt its provider billed; null before any. */
        String failedModel;
        /** {@code miss} once the request looked in the cache, else {@code bypass}. */
        String cacheStatus = "bypass";
        /** Whether a ledger row was written for the request (a workflow run's rows included). */
        boolean ledgered;
        /** A workflow run's reservations (the whole run's, each model's); held instead of {@link #reservation}. */
        Optional<BudgetBook.RunReservation> runReservation = Optional.empty();
        Optional<RateWindow> window = Optional.empty();
        Optional<dev.costwise.llm.ratelimit.UsagePermit> sharedPermit = Optional.empty();
        /** The key's rate limits and what its minute counts, once asked; empty without a key or limits. */
        Optional<KeyUsage> keyUsage = Optional.empty();
        final Map<String, String> tags;

        Request(Caller caller, String requestId, Plan plan) {
            this.caller = caller;
            this.requestId = requestId;
            this.plan = plan;
            this.deadlineNanos = startNanos + requestTimeout.toNanos();
            Map<String, String> t = new java.util.HashMap<>(caller.tags());
            endUser(plan.body()).ifPresent(u -> t.put("user", u));
            this.tags = t;
        }

        @Override
        public Duration remaining() {
            return Duration.ofNanos(deadlineNanos - ticker.read());
        }

        @Override
        public void failed(Model m, ProviderException e, Duration latency) {
            recordFailure(m, e, latency);
        }

        @Override
        public Optional<GatewayException.BudgetExceeded> reserveFor(Model m) {
            if (m.name().equals(reservedFor)) {
                return Optional.empty();
            }
            // Released before reserving again: the request never holds two reservations, so one near a limit
            // does not refuse its own fallback. A failed attempt that cost something has settled already.
            settle(Money.ZERO);
            Money worst = worstCaseOn(plan, m);
            BudgetBook.Result res = budgets.reserve(spender(), m.name(), worst);
            if (res.exhausted().isPresent()) {
                return Optional.of(budgetExceeded(plan, res.exhausted().get(), m, worst));
            }
            reservation = res.reservation();
            reservedFor = m.name();
            return Optional.empty();
        }

        String route() {
            return plan.route().name();
        }

        /** Applies the key's requests- and tokens-per-minute limits. */
        void admit() {
            requireAllowed(caller, plan);
            Optional<VirtualKey> key = caller.key();
            if (key.isEmpty() || (key.get().rpm().isEmpty() && key.get().tpm().isEmpty())) {
                return;
            }
            estimatedTokens = plan.estimatedInputTokens() + plan.maxOutputTokens();
            VirtualKey k = key.get();
            if (redis.isPresent()) {
                AtomicReference<RedisRateLimiter.Refusal> refusal = new AtomicReference<>();
                SharedKeyLimits limits = redis.get().keyLimits();
                sharedPermit = limits.tryAcquire(k, estimatedTokens, refusal::set);
                if (sharedPermit.isEmpty()) {
                    RedisRateLimiter.Refusal why = refusal.get();
                    String hit = why.limit() == RedisRateLimiter.Limit.REQUESTS ? "rpm" : "tpm";
                    if (why.local()) { // Redis down: this replica's share refused, with its own counts
                        RateLimits share = limits.localShare(k);
                        throw rateLimitedByShare(k, share, why.retryAfter(),
                                KeyUsage.ofShare(share, why.counted()), hit);
                    }
                    throw rateLimited(k, why.retryAfter(), Optional.of(KeyUsage.of(k, why.counted())), hit);
                }
                UsagePermit permit = sharedPermit.get();
                // admitted by this replica's share while Redis is down: the headers count against that share
                keyUsage = permit instanceof RedisRateLimiter.LocalPermit local
                        ? local.usage().map(counted -> KeyUsage.ofShare(local.share(), counted))
                        : permit.usage().map(counted -> KeyUsage.of(k, counted));
                return;
            }
            RateWindow w = windows.computeIfAbsent(k.id(), id -> new RateWindow(ticker));
            RateWindow.Admission admission = w.tryAcquire(k.rpm().orElse(0), k.tpm().orElse(0), estimatedTokens);
            keyUsage = Optional.of(KeyUsage.of(k, admission.requests(), admission.tokens()));
            if (!admission.admitted()) {
                boolean byRequests = k.rpm().isPresent() && admission.requests() >= k.rpm().get();
                throw rateLimited(k, admission.retryAfter().orElseThrow(), keyUsage, byRequests ? "rpm" : "tpm");
            }
            window = Optional.of(w);
        }

        /** @param hit the limit passed, {@code rpm} or {@code tpm}; empty when not known (both are named) */
        private GatewayException.RateLimited rateLimited(VirtualKey key, Duration wait, Optional<KeyUsage> usage,
                String hit) {
            String rpm = key.rpm().filter(v -> !hit.equals("tpm")).map(v -> "rpm " + v).orElse("");
            String tpm = key.tpm().filter(v -> !hit.equals("rpm")).map(v -> "tpm " + v).orElse("");
            String which = (rpm + " " + tpm).trim();
            long seconds = ApiError.retryAfterSeconds(wait);
            return new GatewayException.RateLimited("the key '" + key.id() + "' is over its " + (hit.isEmpty()
                    ? "limits (" + which + ")" : "limit (" + which + ")") + "; retry after " + seconds + " s",
                    wait, usage);
        }

        /** A refusal by this replica's share of the key's limits, which it applies alone while Redis is down. */
        private GatewayException.RateLimited rateLimitedByShare(VirtualKey key, RateLimits share, Duration wait,
                KeyUsage usage, String hit) {
            String which = hit.equals("rpm") ? "rpm " + share.requestsPerMinute().orElse(0) + " of "
                    + key.rpm().orElse(0) : "tpm " + share.tokensPerMinute().orElse(0) + " of " + key.tpm().orElse(0);
            long seconds = ApiError.retryAfterSeconds(wait);
            return new GatewayException.RateLimited("the key '" + key.id() + "' is over this replica's share of its"
                    + " limit (" + which + "), as Redis, which replicas share the limit through, is unreachable;"
                    + " retry after " + seconds + " s", wait, Optional.of(usage));
        }

        /**
         * With Redis: the cache lookup, fill lock and budget reservation in one round trip (the reservation only
         * when the entry is absent and this request took the lock).
         *
         * @return what Redis found; empty without Redis or without a budget that applies (look up apart)
         */
        Optional<RedisBudgetStore.Lookup> lookupReserving(String key) {
            if (redis.isEmpty() || !plan.worstCaseByModel().isEmpty()) {
                return Optional.empty(); // a workflow run reserves per model, apart from the lookup
            }
            Optional<BudgetBook.Prepared> prepared = budgets.prepareShared(spender(), plan.primary().name(),
                    plan.worstCase());
            if (prepared.isEmpty()) {
                return Optional.empty();
            }
            Optional<RedisBudgetStore.Lookup> found = redis.get().entries().lookupOrReserve(key,
                    prepared.get().claims(), plan.worstCase());
            if (found.isPresent() && found.get() instanceof RedisBudgetStore.Lookup.Locked l
                    && l.grant().isPresent()) {
                reservation = Optional.of(prepared.get().reserved(budgets, l.grant().get()));
                reservedFor = plan.primary().name();
            }
            return found;
        }

        /**
         * Settles this request's reservation and stores its answer in one Redis round trip.
         *
         * @return {@code false} when not done that way (no shared reservation, Redis down): settle and store apart
         */
        boolean settleAndStore(String key, ResponseCacheStore.Entry entry, Money cost) {
            if (redis.isEmpty() || reservation.isEmpty()) {
                return false;
            }
            boolean done = redis.get().entries().putSettling(key, entry, plan.pipeline().cache().ttl(),
                    reservation.get(), cost);
            if (done) {
                forgetReservation();
            }
            return done;
        }

        /** @return whose spend this is: the key's, and the end user's the body names in {@code user} */
        private BudgetBook.Spender spender() {
            return spenderOf(caller, Optional.ofNullable(tags.get("user")));
        }

        /**
         * Reserves the worst case against every budget, downgrading if a budget says so.
         *
         * @throws GatewayException.BudgetExceeded when a budget has no room for it (nor for its downgrade)
         */
        Plan reserve() {
            if (reservation.isPresent()) {
                return plan; // reserved with the cache lookup
            }
            BudgetedPlan budgeted = throughBudgets(plan, this::tryReserve);
            plan = budgeted.plan();
            if (budgeted.refusal().isPresent()) {
                throw budgeted.refusal().get();
            }
            return plan;
        }

        /** Reserves {@code p}'s worst case (a workflow's: each share of its run) against every budget that applies. */
        private Optional<NoRoom> tryReserve(Plan p) {
            if (!p.worstCaseByModel().isEmpty()) {
                BudgetBook.RunResult run = budgets.reserveRun(spender(), p.worstCase(), p.worstCaseByModel());
                runReservation = run.reservation();
                return run.refusal().map(no -> new NoRoom(no.exhausted(), runExceeded(no)));
            }
            BudgetBook.Result res = budgets.reserve(spender(), p.primary().name(), p.worstCase());
            reservation = res.reservation();
            reservedFor = reservation.isPresent() ? p.primary().name() : null;
            return res.exhausted().map(ex -> new NoRoom(ex, budgetExceeded(p, ex, p.primary(), p.worstCase())));
        }

        /** Settles a workflow run's reservations with what each model's calls cost. */
        void settleRun(Map<String, Money> spentByModel) {
            runReservation.ifPresent(res -> res.settle(spentByModel));
            runReservation = Optional.empty();
        }

        /**
         * Records a request answered from the cache: free, and measured against the same baseline as a call would
         * be, so a hit never shows less saved than the miss that filled it.
         *
         * @return what the hit saved: its baseline cost
         */
        Money recordHit(ResponseCacheStore.Entry e) {
            Model m = directory.model(e.modelUsed()).orElse(plan.primary());
            // a workflow's answer is measured as the run measured it: the executor's answer on the workflow's
            // baseline, its orchestrator's calls being what the workflow spent on top
            boolean workflow = isWorkflowAnswer(e) && workflows.runs(plan.requested());
            Money baseline = workflow ? costs.baselineCost(Optional.of(workflows.baseline(plan.requested())), m,
                    e.usage(), costs.price(m, e.usage()).cost(), plan.serviceTier())
                    : costs.baselineCost(baselineModel(), m, e.usage(), e.cost(), plan.serviceTier());
            settle(Money.ZERO); // reserved with a lookup another fill overtook
            append(new CostRecord(requestId, ++attempts, clock.instant(), plan.requested(), m.name(), m.provider(),
                    e.usage(), Money.ZERO, baseline, PriceStatus.CACHE_HIT, Outcome.CACHE_HIT, Optional.empty(),
                    Optional.of(e.route()), elapsed(startNanos), tags));
            metrics.cacheSaving(plan.requested(), e.cost()); // what the cache itself saved: the call not made
            finish("cache_hit", Money.ZERO, 0);
            return baseline;
        }

        /** The model savings are measured against: the pipeline's baseline, else the model the caller named. */
        private Optional<Model> baselineModel() {
            return plan.pipeline().baseline().flatMap(b -> directory.expand(b).stream().findFirst())
                    .or(() -> directory.model(plan.requested()));
        }

        /**
         * Ledgers a failed attempt: at the usage its provider billed when the failure carries it ({@link
         * ProviderException#billedUsage()}), else at $0. A billed one settles the reservation with its cost before its
         * row is appended (as {@link #recordBilled} does), so the next attempt reserves again: a retry is held to
         * the budgets like a first call, and the request's spend never passes a limit. Its baseline cost follows
         * {@link CostCalculator#baselineCost}, as a billed answer's does.
         */
        void recordFailure(Model m, ProviderException e, Duration latency) {
            Usage usage = e.billedUsage().orElse(Usage.ZERO);
            Pricer.Priced priced = costs.priceFailure(m, e.billedUsage());
            if (!priced.cost().isZero()) {
                settle(priced.cost());
                failedCost = failedCost.plus(priced.cost());
                failedModel = m.name();
            }
            // measured as any billed attempt is (a failed stream's included): the same tokens on the baseline, or
            // what was paid when there is no other baseline model, so a failure claims no savings and loses none
            Money baseline = priced.cost().isZero() ? Money.ZERO
                    : costs.baselineCost(baselineModel(), m, usage, priced.cost(), plan.serviceTier());
            append(new CostRecord(requestId, ++attempts, clock.instant(), plan.requested(), m.name(), m.provider(),
                    usage, priced.cost(), baseline, priced.status(), Outcome.FAILED, Optional.of(e.kind()),
                    Optional.of(route()), latency, tags));
        }

        /** An answer that reached its caller, billed its usage. */
        void recordSuccess(Model m, Usage usage, Pricer.Priced priced, Duration latency) {
            recordBilled(m, usage, priced, latency, Outcome.SUCCESS, Optional.empty());
        }

        /** A stream its client left before the end: billed what was generated until then. */
        void recordAborted(Model m, Usage partial, Pricer.Priced priced, Duration latency) {
            recordBilled(m, partial, priced, latency, Outcome.ABORTED, Optional.empty());
        }

        /**
         * A stream that failed after it started: billed its partial usage, and ledgered with its failure's kind; its
         * failure is counted as an upstream failure of its kind, and as the error answer the same failure before the
         * stream would have been, since its caller got that error, in the stream.
         */
        void recordBrokenStream(Model m, Usage partial, Pricer.Priced priced, Duration latency, ProviderException e) {
            recordBilled(m, partial, priced, latency, Outcome.FAILED, Optional.of(e.kind()));
            metrics.upstreamFailure(m.name(), e.kind());
            ApiError answer = ErrorResponses.of(new GatewayException.UpstreamFailed(List.of(e)));
            metrics.error(answer.status(), answer.code().orElse(""), plan.requested());
        }

        private void recordBilled(Model m, Usage usage, Pricer.Priced priced, Duration latency, Outcome outcome,
                Optional<String> errorKind) {
            Money baseline = costs.baselineCost(baselineModel(), m, usage, priced.cost(), plan.serviceTier());
            defaultTiers.served(m, plan.serviceTier(), usage.serviceTier());
            // Settled before the row is appended: a budget window that starts now is rebuilt from the ledger, and
            // must not count this cost twice (from the row and from the settle).
            settle(priced.cost());
            append(new CostRecord(requestId, ++attempts, clock.instant(), plan.requested(), m.name(), m.provider(),
                    usage, priced.cost(), baseline, priced.status(), outcome, errorKind,
                    Optional.of(route()), latency, tags));
            String name = outcome == Outcome.SUCCESS ? "success" : outcome.name().toLowerCase(java.util.Locale.ROOT);
            finish(name, errorKind.map(kind -> kind + " (stream broken) on " + m.name()).orElse(name), priced.cost(),
                    usage.totalTokens());
        }

        /**
         * Replaces the reservation by what the request cost, or releases it; used for every end of a request, and
         * for a failed workflow run's calls that were billed before it failed (their rows are in the ledger).
         */
        void settle(Money actual) {
            reservation.ifPresent(res -> res.settle(actual));
            forgetReservation();
            settleRun(Map.of()); // a workflow run that ended before it was settled: nothing was billed
        }

        /** The reservation has been settled: the request holds none, for no model. */
        private void forgetReservation() {
            reservation = Optional.empty();
            reservedFor = null;
        }

        /**
         * Records what a failed workflow run's calls were billed (already settled and ledgered call by call), for
         * {@link #fail} to tell the caller.
         */
        void billedBeforeFailing(Money cost, String lastBilledModel) {
            failedCost = cost;
            failedModel = lastBilledModel;
        }

        /** Ends a settled workflow run; its ledger rows were written call by call. */
        void finishWorkflow(Money cost, long tokens) {
            finish("success", cost, tokens);
        }

        /** Releases what a request holds when a bug (not a provider failure) ended it. */
        void abandon() {
            settle(Money.ZERO);
            finish("failed", "internal_error on " + plan.requested(), Money.ZERO, 0);
        }

        /**
         * Ends a request the gateway refused or could not serve. Every request it took has a ledger row: a policy's
         * refusal (budget, key rate limit, model not allowed) a {@code REJECTED} one, as before; and one that ended
         * before any call wrote a row (every candidate's circuit open, its deadline passed first, a workflow whose
         * executors were all skipped, a stop) a {@code REJECTED} one too, its {@code error_kind} the code the caller
         * got, since no provider was called. Both cost $0. A caller's own mistake (a 400 or 404, such as an adapter's
         * refusal of a field) has none: nothing was called, and only its own request refused it. A request whose
         * failed attempts a provider billed hands what they cost to its answer ({@link GatewayException#billed}).
         */
        void fail(GatewayException e) {
            ApiError answer = ErrorResponses.of(e);
            String code = answer.code().orElse(answer.type());
            Optional<String> policy = switch (e) {
                case GatewayException.BudgetExceeded b -> Optional.of("budget_exceeded");
                case GatewayException.Forbidden f -> Optional.of("model_not_allowed");
                case GatewayException.RateLimited l -> Optional.of("rate_limited");
                default -> Optional.empty();
            };
            boolean unserved = !ledgered && (e instanceof GatewayException.CircuitOpen
                    || e instanceof GatewayException.UpstreamFailed || e instanceof GatewayException.ShuttingDown
                    || e instanceof GatewayException.Interrupted);
            if (policy.isPresent() || unserved) {
                appendUnbilled(policy.orElse(code));
            }
            if (failedModel != null) {
                // its answer tells the caller what the failed attempts its providers billed cost
                e.billed(new GatewayException.Billed(failedCost, cacheStatus, failedModel, route()));
            }
            settle(Money.ZERO);
            // an open circuit or a deadline is the providers' failure, not a policy's: counted and alerted on as one
            finish(policy.isPresent() ? "rejected" : "failed", code + " (HTTP " + answer.status() + ") on "
                    + plan.requested(), Money.ZERO, 0);
        }

        /** A {@code REJECTED} row at $0 on the primary model: the request ended before any provider was called. */
        private void appendUnbilled(String errorKind) {
            append(new CostRecord(requestId, ++attempts, clock.instant(), plan.requested(), plan.primary().name(),
                    plan.primary().provider(), Usage.ZERO, Money.ZERO, Money.ZERO, PriceStatus.PRICED,
                    Outcome.REJECTED, Optional.of(errorKind), Optional.of(route()), elapsed(startNanos), tags));
        }

        private void finish(String outcome, Money cost, long tokens) {
            finish(outcome, outcome, cost, tokens);
        }

        /**
         * @param failure what an error-rate alert names as the latest failure: the error code the caller got and the
         *     model, such as {@code upstream_error (HTTP 502) on fast}
         */
        private void finish(String outcome, String failure, Money cost, long tokens) {
            if (alerting) {
                switch (outcome) {
                    case "success" -> alerts.onSuccess();
                    case "cache_hit" -> {
                        alerts.onCacheHit();
                        alerts.onSuccess();
                    }
                    case "rejected" -> { }
                    default -> alerts.onError(failure);
                }
            }
            window.ifPresent(w -> w.correct(estimatedTokens, tokens));
            window = Optional.empty();
            sharedPermit.ifPresent(p -> p.reconcile(tokens));
            sharedPermit = Optional.empty();
            metrics.request(plan.requested(), outcome, cost.plus(failedCost), elapsed(startNanos));
        }

        private void append(CostRecord record) {
            ledgered = true;
            if (alerting) {
                alerts.onCost(record);
            }
            if (!LedgerRows.appendOrLog(ledger, record)) {
                metrics.ledgerFailure();
            }
        }
    }
}
