package dev.costwise.planner.engine;

import dev.costwise.core.FailureVerdict;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.WorkflowWorstCase;
import dev.costwise.llm.cost.WorstCaseCost;
import dev.costwise.llm.orchestration.MultiModelWorkflow;
import dev.costwise.llm.orchestration.NoCapableModelException;
import dev.costwise.llm.orchestration.UnknownExecutorException;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.resilience.CallersFault;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.planner.scenario.BudgetSpec;
import dev.costwise.planner.scenario.CacheSpec;
import dev.costwise.planner.scenario.CallSite;
import dev.costwise.planner.scenario.ModelSettings;
import dev.costwise.planner.scenario.PipelineSpec;
import dev.costwise.planner.scenario.RouteRule;
import dev.costwise.planner.scenario.RouterSpec;
import dev.costwise.planner.scenario.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs requests one after another through a pipeline, in the spec's order: cache → budget → router → (route cache)
 * → retry → fallback, calling each model through a {@link ModelResolver} (the {@code sim} provider by default) and
 * adding up what was billed.
 *
 * <ul>
 *   <li><b>Keys</b>: as the gateway, before anything else, a request is refused (rejected, nothing called or billed)
 *       when the pipeline requires a key and its caller names none (401), or names a key that may not call the
 *       pipeline (403).</li>
 *   <li><b>Cache</b>: exact match on the request's cache key, TTL from the write, LRU beyond the maximum size; a hit
 *       costs nothing. Failed answers are never cached.</li>
 *   <li><b>Budget</b>: utilization = spend so far in the budget's window / its limit; each window (a UTC day or
 *       month, the one the request arrives in, as the gateway counts it) starts from zero. With tiers, the first
 *       tier whose {@code below} exceeds the utilization picks the route (without tiers, the router does). As the
 *       gateway reserves before each call, a route is taken only when the budget has room for its worst case (the
 *       request's estimated prompt plus its {@code max_tokens}, else the model's maximum output, at the model's
 *       prices); else, or past the last tier, the request goes to the exhausted route if the budget has room for that
 *       one's, or is rejected. A fallback the budget has no room for is skipped. With several budgets (a gateway
 *       config's, each of its {@link BudgetSpec.Scope}: a per-model one counting each model apart, a key, team or
 *       user one each caller apart and holding only requests whose {@link Caller} names one), every one that holds
 *       the request must have room, and the first without room, in the pipeline's order, decides between its
 *       downgrade and a rejection, as in the gateway. Each budget counts its own spend, even one configured exactly
 *       like another.</li>
 *   <li><b>Router</b>: the first matching rule, else the default route.</li>
 *   <li><b>Retry</b>: only transient failures (rate limit, overload, server error, timeout, connection), up to
 *       {@code maxRetries}; backoff is added up, not slept.</li>
 *   <li><b>Fallback</b>: after a call fails for good with a provider failure (never the request's own fault: an
 *       invalid request, filtered content, a prompt over the context window; {@link CallersFault}), the next model
 *       of the chain is tried. A call whose estimated prompt is over its model's context window is skipped for the
 *       pipeline's context-window fallback, and one failing with a context-length error goes there, as in the
 *       gateway. A request the budget downgraded to the exhausted route is not passed to the
 *       pipeline's fallbacks, only to the budget's own (the rest of the gateway's {@code downgrade_to} group), as the
 *       gateway replaces the candidates by {@code downgrade_to}'s.</li>
 *   <li><b>Workflow</b> (a gateway pipeline with {@code workflow: true}): the library's multi-model workflow runs
 *       the request as the gateway does ({@link WorkflowRuns}), its route {@code workflow:<complexity>}; the budgets
 *       hold the worst case of every call the run may make before it starts, as the gateway's do.</li>
 *   <li><b>Service tier</b>: a call asks for its site's tier (a model configured on {@code flex}) or, without one,
 *       the tier the request itself asked for, as the gateway sends it.</li>
 *   <li><b>Billing</b>: a successful call costs what the model's response says (the planned prompt-cache reads at
 *       the cached input price); a failed attempt costs nothing, except a timeout of a model whose settings bill
 *       timeouts (the provider generated the answer).</li>
 * </ul>
 *
 * <p>In dry-run mode no model is called: each call is assumed to succeed and is priced from the planned tokens.
 * Not thread-safe; one runner per run.
 */
public final class PipelineRunner {

    /** Why a request without a key is refused where the gateway requires one. */
    public static final String NO_KEY = "no key: the configuration has virtual keys, so the gateway refuses a request"
            + " that comes without one (401 missing API key)";

    private static final int TIMELINE_BUCKETS = 50;

    private final PipelineSpec pipeline;
    private final ModelResolver models;
    private final CatalogPricer pricer;
    private final Function<String, ModelSettings> settings;
    private final boolean dryRun;
    private final ProviderFailureClassifier classifier = ProviderFailureClassifier.ofDefaults();
    private final WorkflowRuns workflows;

    private final Optional<SimCache> cache;
    private final Map<String, SimCache> routeCaches = new HashMap<>();
    /** When the run starts: a request arrives {@code atMillis} after it, in the budget window of that instant. */
    private final Instant origin;
    /** The pipeline's budgets, each told apart by its place: two configured alike still count apart. */
    private final List<Placed> budgets;
    /** The spend of each budget window so far: by budget, window start and, for a per-model budget, model. */
    private final Map<Count, Money> spentByWindow = new HashMap<>();
    /** What the request being handled has been billed so far, by model (what its per-model budgets are charged). */
    private final Map<String, Money> billed = new HashMap<>();

    /**
     * @param pipeline the pipeline
     * @param models the models to call
     * @param pricer prices billed failures, dry-run estimates and, from its catalog's prices and output limits, the
     *     worst cases a budget reserves
     * @param settings the sim settings per model (which failures are billed)
     * @param dryRun {@code true} to route and price only, calling no model
     */
    public PipelineRunner(PipelineSpec pipeline, ModelResolver models, CatalogPricer pricer,
            Function<String, ModelSettings> settings, boolean dryRun) {
        this(pipeline, models, pricer, settings, dryRun, Instant.EPOCH);
    }

    /**
     * A runner whose requests arrive at real instants, so that a budget's windows are the gateway's: a request
     * arriving {@code atMillis} after {@code origin} counts in the window (a UTC day or month) of that instant.
     *
     * @param pipeline the pipeline
     * @param models the models to call
     * @param pricer prices billed failures, dry-run estimates and the worst cases a budget reserves
     * @param settings the sim settings per model (which failures are billed)
     * @param dryRun {@code true} to route and price only, calling no model
     * @param origin the instant the run's first request arrives at
     */
    public PipelineRunner(PipelineSpec pipeline, ModelResolver models, CatalogPricer pricer,
            Function<String, ModelSettings> settings, boolean dryRun, Instant origin) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.models = Objects.requireNonNull(models, "models");
        this.pricer = Objects.requireNonNull(pricer, "pricer");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dryRun = dryRun;
        this.origin = Objects.requireNonNull(origin, "origin");
        this.cache = pipeline.cache().map(PipelineRunner::newCache);
        List<Placed> placed = new ArrayList<>();
        for (BudgetSpec b : pipeline.budgets()) {
            placed.add(new Placed(placed.size(), b));
        }
        this.budgets = List.copyOf(placed);
        this.workflows = new WorkflowRuns(pricer);
    }

    private static SimCache newCache(CacheSpec spec) {
        return new SimCache(spec.ttl().toMillis(), spec.maxSize());
    }

    /**
     * Runs every request.
     *
     * @param requests the requests, in arrival order
     * @param progress hears progress
     * @return what happened and what it cost, with every request's outcome
     */
    public RunStats run(List<PlannedRequest> requests, ProgressListener progress) {
        Run run = start(requests.size(), progress, Integer.MAX_VALUE);
        requests.forEach(run::handle);
        return run.finish();
    }

    /**
     * Starts a run fed one request at a time, so that a run over a trace holds no more than one request: its figures
     * are added up as it goes, and only the first {@code keptOutcomes} outcomes are kept.
     *
     * @param total how many requests will be fed (for the progress and the timeline's slices)
     * @param progress hears progress
     * @param keptOutcomes how many outcomes, from the first, the result keeps
     * @return the run
     * @throws IllegalArgumentException if {@code total} or {@code keptOutcomes} is negative
     */
    public Run start(long total, ProgressListener progress, int keptOutcomes) {
        if (total < 0 || keptOutcomes < 0) {
            throw new IllegalArgumentException("total and keptOutcomes must be >= 0, were " + total + " and "
                    + keptOutcomes);
        }
        return new Run(total, Objects.requireNonNull(progress, "progress"), keptOutcomes);
    }

    /** A run in progress: feed it requests in arrival order, then {@link #finish()} it. Not thread-safe. */
    public final class Run {
        private final Collector collector;
        private final ProgressListener progress;
        private final long step;

        private Run(long total, ProgressListener progress, int keptOutcomes) {
            this.collector = new Collector(total, keptOutcomes);
            this.progress = progress;
            this.step = Math.max(1, total / 200);
        }

        /**
         * Runs one request through the pipeline.
         *
         * @param request the next request
         * @return what the pipeline did with it
         * @throws IllegalStateException if more requests are fed than the run was started for
         */
        public RequestOutcome handle(PlannedRequest request) {
            long i = collector.handled;
            if (i >= collector.total) {
                throw new IllegalStateException("the run was started for " + collector.total + " requests");
            }
            RequestOutcome outcome = PipelineRunner.this.handle(request, collector);
            collector.add(outcome);
            if (i % step == 0 || i == collector.total - 1) {
                progress.progress(i + 1, collector.total);
            }
            return outcome;
        }

        /** @return what the requests fed so far did and cost */
        public RunStats finish() {
            return collector.build();
        }
    }

    private RequestOutcome handle(PlannedRequest r, Collector c) {
        if (pipeline.keyRequired() && r.caller().key().isEmpty()) { // as the gateway, before anything else: 401
            c.rejected++;
            return new RequestOutcome(r.id(), "-", Optional.empty(), false, Money.ZERO, 0, false, false,
                    Optional.of(NO_KEY));
        }
        Optional<String> key = r.caller().key().filter(pipeline.refusedKeys()::containsKey);
        if (key.isPresent()) { // as the gateway, before anything else: 403, nothing called or billed
            c.rejected++;
            return new RequestOutcome(r.id(), "-", Optional.empty(), false, Money.ZERO, 0, false, false,
                    Optional.of("the key '" + key.get() + "' may not use this pipeline (allowed: "
                            + String.join(", ", pipeline.refusedKeys().get(key.get())) + ")"));
        }
        if (cache.isPresent() && cache.get().hit(cacheKey(pipeline.cache().orElseThrow(), r), r.atMillis())) {
            return new RequestOutcome(r.id(), "cache", Optional.empty(), true, Money.ZERO, 0, false, false,
                    Optional.empty());
        }
        String route = "-";
        boolean budgetHit = false;
        List<CallSite> fallbacks = pipeline.fallbacks();
        billed.clear();
        Target target;
        Optional<MultiModelWorkflow.Preview> preview = Optional.empty();
        if (pipeline.router().isPresent()) {
            RouterSpec router = pipeline.router().get();
            String chosen = choose(router, r, globalUtilization(r));
            route = chosen;
            if (router.routes().get(chosen) instanceof Target.Workflow w) {
                if (r.tokens().choices() > 1) { // the gateway's workflow reads the request as one answer's, n=1
                    c.route(route);
                    return new RequestOutcome(r.id(), route, Optional.empty(), false, Money.ZERO, 0, false, false,
                            Optional.of("n: only n=1 is supported by the multi-model workflow, was "
                                    + r.tokens().choices()));
                }
                // as the gateway: the rules' classification names the route and decides the run's worst case
                try {
                    preview = Optional.of(workflows.preview(w, r));
                } catch (NoCapableModelException | UnknownExecutorException e) {
                    c.route(route);
                    return new RequestOutcome(r.id(), route, Optional.empty(), false, Money.ZERO, 0, false, false,
                            Optional.of(e.getMessage()));
                }
            }
            if (!budgets.isEmpty()) {
                Allowed budgeted = preview.isPresent()
                        ? workflowBudgetRoute(router, chosen, (Target.Workflow) router.routes().get(chosen),
                                preview.get(), r)
                        : budgetRoute(router, chosen, r);
                if (budgeted.refusedBy().isPresent()) {
                    return rejected(r, c, chosen, budgeted.refusedBy().get(), budgeted.route());
                }
                budgetHit = !budgeted.route().equals(chosen);
                route = budgeted.route();
                if (budgeted.downgradedBy().isPresent()) {
                    // as the gateway: a downgrade replaces the candidates, so the pipeline's fallbacks are not tried
                    fallbacks = budgeted.downgradedBy().get().spec().exhaustedFallbacks();
                }
            }
            target = router.routes().get(route);
            if (target instanceof Target.Workflow) {
                route = WorkflowRuns.ROUTE_PREFIX + WorkflowRuns.complexity(preview.orElseThrow());
            }
        } else {
            target = pipeline.target().orElseThrow();
            Optional<Placed> full = firstWithoutRoom(Money.ZERO, target.sites().getFirst(), r);
            if (full.isPresent()) {
                return rejected(r, c, route, full.get(), target.sites().getFirst().model());
            }
        }
        c.route(route);
        Optional<String> routeCacheKey = Optional.empty();
        if (target instanceof Target.Single single && single.site().cache().isPresent()) {
            SimCache rc = routeCaches.computeIfAbsent(route, k -> newCache(single.site().cache().get()));
            if (rc.hit(r.cacheKey(), r.atMillis())) {
                return new RequestOutcome(r.id(), route, Optional.empty(), true, Money.ZERO, 0, false, budgetHit,
                        Optional.empty());
            }
            routeCacheKey = Optional.of(route);
        }
        Attempted result = switch (target) {
            case Target.Single single -> callWithFallback(r, single.site(), fallbacks, c);
            case Target.Steps steps -> callSteps(r, steps, fallbacks, c);
            case Target.Workflow w -> callWorkflow(r, w, preview.orElseThrow(), c);
        };
        charge(r);
        if (result.failure().isEmpty()) {
            cache.ifPresent(x -> x.put(cacheKey(pipeline.cache().orElseThrow(), r), r.atMillis()));
            routeCacheKey.ifPresent(k -> routeCaches.get(k).put(r.cacheKey(), r.atMillis()));
        }
        return new RequestOutcome(r.id(), route, result.model(), false, result.cost(), result.retries(),
                result.fallback(), budgetHit, result.failure());
    }

    /**
     * @return the request's key in a cache of {@code spec}: within its caller's key's entries when the cache is per
     *     key, as the gateway scopes it (requests that name no key share theirs)
     */
    private static String cacheKey(CacheSpec spec, PlannedRequest r) {
        return spec.perKey() ? r.caller().key().map(k -> "key:" + k).orElse("-") + "|" + r.cacheKey() : r.cacheKey();
    }

    private RequestOutcome rejected(PlannedRequest r, Collector c, String route, Placed budget, String model) {
        c.rejected++;
        BudgetSpec spec = budget.spec();
        return new RequestOutcome(r.id(), route, Optional.empty(), false, Money.ZERO, 0, false, true,
                Optional.of("budget has no room for this request's worst case: spent "
                        + spent(budget, model, r).format() + " of " + spec.limit().format() + " in its "
                        + spec.window().label().toLowerCase(Locale.ROOT) + " window"
                        + switch (spec.scope()) {
                            case GLOBAL -> "";
                            case MODEL -> " on " + model;
                            case KEY, TEAM, USER -> " for " + spec.scope().name().toLowerCase(Locale.ROOT) + " '"
                                    + holder(budget, model, r).orElse("") + "'";
                        }));
    }

    /**
     * A budget of the pipeline and its place among them: the place, not the budget's settings, tells budgets apart,
     * as the gateway counts each configured budget on its own even when two are configured alike.
     */
    private record Placed(int position, BudgetSpec spec) {}

    /**
     * One budget's count: the budget's place, its window, and whose spend it is (the model, key, team or user the
     * budget counts apart; "" for one on all spend).
     */
    private record Count(int budget, Instant windowStart, String holder) {}

    /**
     * Whose spend a budget counts a call to {@code model} under, as the gateway's {@code BudgetBook} picks the
     * budgets that apply: all spend (""), the model, or the caller's key, its team or the request's end user; empty
     * when the budget does not hold the request (no key, a key in no team, no user, another key's own budget).
     */
    private Optional<String> holder(Placed budget, String model, PlannedRequest r) {
        Caller caller = r.caller();
        BudgetSpec spec = budget.spec();
        return switch (spec.scope()) {
            case GLOBAL -> Optional.of("");
            case MODEL -> Optional.of(model);
            case KEY -> caller.key().filter(k -> spec.key().isEmpty() || spec.key().get().equals(k));
            case TEAM -> caller.key().map(k -> pipeline.teams().get(k));
            case USER -> caller.user();
        };
    }

    private boolean holds(Placed budget, String model, PlannedRequest r) {
        return holder(budget, model, r).isPresent();
    }

    private Optional<Count> count(Placed budget, String model, PlannedRequest r) {
        Instant start = budget.spec().window().spanAt(origin.plusMillis(r.atMillis())).start();
        return holder(budget, model, r).map(h -> new Count(budget.position(), start, h));
    }

    /**
     * @return what the budget's window holding the request has spent before it (on {@code model}, if per model;
     *     by the caller, if per key, team or user); nothing for a budget that does not hold the request
     */
    private Money spent(Placed budget, String model, PlannedRequest r) {
        return count(budget, model, r).map(k -> spentByWindow.getOrDefault(k, Money.ZERO)).orElse(Money.ZERO);
    }

    /**
     * Charges what the request was billed to every budget that holds it: all of it to the others, each model's to
     * its own.
     */
    private void charge(PlannedRequest r) {
        for (Placed b : budgets) {
            billed.forEach((model, cost) -> count(b, model, r)
                    .ifPresent(k -> spentByWindow.merge(k, cost, Money::plus)));
        }
    }

    /** @return the highest utilization of the budgets on all spend, as the gateway's router reads it */
    private double globalUtilization(PlannedRequest r) {
        return budgets.stream().filter(b -> b.spec().scope() == BudgetSpec.Scope.GLOBAL)
                .mapToDouble(b -> spent(b, "", r).ratioOf(b.spec().limit())).max().orElse(0.0);
    }

    private static String choose(RouterSpec router, PlannedRequest r, double utilization) {
        for (RouteRule rule : router.rules()) {
            if (rule.matches(r.className(), r.text(), utilization)) {
                return rule.route();
            }
        }
        return router.defaultRoute();
    }

    /**
     * The route the budgets allow, as the gateway decides: the route the first budget's tiers (or, without tiers, the
     * router) chose when every budget has room for its worst case; else the first budget without room (in the
     * pipeline's order, the gateway's) decides: its exhausted route (a downgrade) when every budget has room for that
     * one's worst case, else a rejection. A budget past its last tier decides as one without room.
     */
    private Allowed budgetRoute(RouterSpec router, String chosen, PlannedRequest r) {
        Placed first = budgets.getFirst();
        Optional<String> tiered = tierRoute(first, chosen, r);
        Optional<Placed> full = tiered.isEmpty() ? Optional.of(first)
                : firstWithoutRoom(Money.ZERO, router.routes().get(tiered.get()).sites().getFirst(), r);
        if (full.isEmpty()) {
            return new Allowed(tiered.get(), Optional.empty(), Optional.empty());
        }
        return exhausted(router, full.get(), router.routes().get(tiered.orElse(chosen)).sites().getFirst().model(),
                r);
    }

    /**
     * What a budget without room decides, as the gateway's: its exhausted route (a downgrade) when every budget has
     * room for that one's worst case, else a rejection naming {@code refused}, the model it had no room for.
     */
    private Allowed exhausted(RouterSpec router, Placed full, String refused, PlannedRequest r) {
        if (full.spec().exhaustedRoute().isEmpty()) {
            return new Allowed(refused, Optional.empty(), Optional.of(full));
        }
        String down = full.spec().exhaustedRoute().get();
        CallSite site = router.routes().get(down).sites().getFirst();
        Optional<Placed> stillFull = firstWithoutRoom(Money.ZERO, site, r);
        return stillFull.isPresent() ? new Allowed(site.model(), Optional.empty(), stillFull)
                : new Allowed(down, Optional.of(full), Optional.empty());
    }

    /**
     * The route the budgets allow a workflow run, as the gateway holds one before its first call: the worst case of
     * every call it may make (the dearest executor's whole answer, plus, when validated, a verdict on the
     * orchestrator, once per round: one, plus one per escalation) on every budget of all spend, and each model's
     * share (its answer if it executes, the verdict if it orchestrates, per round) on the per-model budgets; the
     * first budget without room (the whole run's first, then each model's in name order) decides as
     * {@link #exhausted}. The worst cases are the library's {@link WorkflowWorstCase}, the gateway's own rule.
     */
    private Allowed workflowBudgetRoute(RouterSpec router, String chosen, Target.Workflow w,
            MultiModelWorkflow.Preview preview, PlannedRequest r) {
        // the library's one rule, by which the gateway reserves the run
        List<WorkflowWorstCase.Answer> answers = new ArrayList<>();
        for (CallSite e : w.executors()) {
            answers.add(new WorkflowWorstCase.Answer(e.model(), worstCase(e, r), outputLimit(e, r)));
        }
        CallSite o = w.orchestrator();
        Optional<WorkflowWorstCase.Verdict> verdict = preview.validated()
                ? Optional.of(new WorkflowWorstCase.Verdict(o.model(), PromptTokens.text(preview.verdictPrompt()),
                        input -> pricer.catalog().require(o.model()).pricing().map(p -> WorstCaseCost.of(p, input,
                                preview.verdictMaxTokens(), o.serviceTier().orElse(ServiceTier.STANDARD),
                                Optional.empty())).orElse(Money.ZERO)))
                : Optional.empty();
        WorkflowWorstCase worst = WorkflowWorstCase.of(answers, verdict, preview.rounds());
        Money whole = worst.whole();
        Map<String, Money> byModel = worst.byModel();
        for (Placed b : budgets) {
            if (!b.spec().perModel() && holds(b, "", r)
                    && spent(b, "", r).plus(whole).isGreaterThan(b.spec().limit())) {
                return exhausted(router, b, w.orchestrator().model(), r);
            }
        }
        for (Map.Entry<String, Money> share : byModel.entrySet()) {
            for (Placed b : budgets) {
                if (b.spec().perModel()
                        && spent(b, share.getKey(), r).plus(share.getValue()).isGreaterThan(b.spec().limit())) {
                    return exhausted(router, b, share.getKey(), r);
                }
            }
        }
        return new Allowed(chosen, Optional.empty(), Optional.empty());
    }

    /**
     * What the budgets decided: the route to take, the budget whose downgrade sent the request there (if any), or
     * the budget that refused it (then {@code route} names the model it had no room for).
     */
    private record Allowed(String route, Optional<Placed> downgradedBy, Optional<Placed> refusedBy) {}

    /** @return the route the utilization tiers pick ({@code chosen} without tiers); empty past the last tier */
    private Optional<String> tierRoute(Placed budget, String chosen, PlannedRequest r) {
        if (budget.spec().tiers().isEmpty()) {
            return Optional.of(chosen);
        }
        double utilization = spent(budget, "", r).ratioOf(budget.spec().limit());
        for (BudgetSpec.Tier tier : budget.spec().tiers()) {
            if (utilization < tier.below()) {
                return Optional.of(tier.route());
            }
        }
        return Optional.empty();
    }

    /**
     * The first budget (in the gateway's order) that cannot take the worst case of a call at {@code site} on top of
     * its window's spend and what the request has cost so far ({@code pending}; for a per-model budget, what it cost
     * on the site's model), as the gateway reserves it before each call: the request's estimated prompt (at the
     * cache-write price when the call may write the prompt cache) and its output limit (its {@code max_tokens}, else
     * the model's maximum output) at the model's prices on the call's tier.
     */
    private Optional<Placed> firstWithoutRoom(Money pending, CallSite site, PlannedRequest r) {
        Money worst = worstCase(site, r);
        for (Placed b : budgets) {
            if (!holds(b, site.model(), r)) {
                continue;
            }
            Money own = b.spec().perModel() ? billed.getOrDefault(site.model(), Money.ZERO) : pending;
            if (spent(b, site.model(), r).plus(own).plus(worst).isGreaterThan(b.spec().limit())) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** @return the most output a call at {@code site} may bill: the request's max_tokens, else the model's most */
    private long outputLimit(CallSite site, PlannedRequest r) {
        ModelInfo model = pricer.catalog().require(site.model());
        return WorstCaseCost.outputLimit(r.request().maxTokens().orElse(0), model.maxOutputTokens(),
                model.provider(), r.request().reasoning());
    }

    private Money worstCase(CallSite site, PlannedRequest r) {
        ModelInfo model = pricer.catalog().require(site.model());
        if (model.pricing().isEmpty()) {
            return Money.ZERO;
        }
        ChatRequest request = r.request();
        long output = outputLimit(site, r) * r.tokens().choices(); // as the gateway: the limit for each choice
        return WorstCaseCost.of(model.pricing().get(), r.tokens().estimatedInputTokens(site), output,
                tierOf(site, request).orElse(ServiceTier.STANDARD),
                WorstCaseCost.cacheWrites(request.longestCacheBreakpoint(), site.promptCaching()));
    }

    private Attempted callSteps(PlannedRequest r, Target.Steps steps, List<CallSite> fallbacks, Collector c) {
        Money cost = Money.ZERO;
        int retries = 0;
        boolean fallback = false;
        Optional<String> model = Optional.empty();
        for (CallSite step : steps.steps()) {
            Attempted a = callWithFallback(r, step, fallbacks, c);
            cost = cost.plus(a.cost());
            retries += a.retries();
            fallback |= a.fallback();
            if (a.failure().isPresent()) {
                return new Attempted(Optional.empty(), cost, retries, fallback, a.failure());
            }
            model = a.model();
        }
        return new Attempted(model, cost, retries, fallback, Optional.empty());
    }

    /**
     * Runs the gateway's workflow on a request: in a dry run, its first executor answers, priced from the planned
     * tokens (no verdict, no escalation: nothing is called); otherwise {@link WorkflowRuns} runs it, each call billed
     * to its model.
     */
    private Attempted callWorkflow(PlannedRequest r, Target.Workflow w, MultiModelWorkflow.Preview preview,
            Collector c) {
        if (dryRun) {
            CallSite first = w.executors().stream().filter(s -> s.model().equals(preview.executor())).findFirst()
                    .orElseThrow();
            Attempted a = callWithRetry(r, first, c);
            billed.merge(first.model(), a.cost(), Money::plus);
            return a;
        }
        WorkflowRuns.Run run = workflows.run(w, r, (model, failure, usage, cost) -> {
            c.model(model, failure.isEmpty(), usage.inputTokens(), usage.outputTokens(), cost);
            failure.ifPresent(e -> c.failed(model, e));
            billed.merge(model, cost, Money::plus);
        });
        c.workflow(run);
        Money cost = billed.values().stream().reduce(Money.ZERO, Money::plus); // every call of the run
        return run.response().map(out -> new Attempted(Optional.of(out.executorModel()), cost, 0,
                !out.fallbacks().isEmpty(), Optional.empty()))
                .orElseGet(() -> new Attempted(Optional.empty(), cost, 0, false, run.failure()));
    }

    private Attempted callWithFallback(PlannedRequest r, CallSite site, List<CallSite> fallbacks, Collector c) {
        List<CallSite> chain = new ArrayList<>();
        chain.add(site);
        for (CallSite f : fallbacks) {
            if (chain.stream().noneMatch(s -> s.model().equals(f.model()))) {
                chain.add(asFallback(site, f));
            }
        }
        Money cost = Money.ZERO;
        int retries = 0;
        Optional<String> failure = Optional.empty();
        boolean widened = false;
        for (int i = 0; i < chain.size(); i++) {
            CallSite at = chain.get(i);
            if (!widened && overWindow(at, r)) {
                // as the gateway: a prompt its own estimate puts over the window goes, uncalled, to the larger window
                widened = true;
                widen(chain, i, site);
                failure = Optional.of(at.model() + ": the estimated prompt does not fit its context window");
                continue;
            }
            if (i > 0 && firstWithoutRoom(cost, at, r).isPresent()) {
                // as the gateway: a fallback the budget cannot take is not tried
                failure = Optional.of(at.model() + ": budget has no room for its worst case");
                continue;
            }
            Attempted a = callWithRetry(r, at, c);
            cost = cost.plus(a.cost());
            billed.merge(at.model(), a.cost(), Money::plus);
            retries += a.retries();
            if (a.failure().isEmpty()) {
                return new Attempted(a.model(), cost, retries, i > 0, Optional.empty());
            }
            failure = a.failure();
            if (a.contextLength() && !widened && !pipeline.contextWindowFallback().isEmpty()) {
                widened = true; // as the gateway: the context_window_fallback takes over from the rest
                widen(chain, i, site);
                continue;
            }
            if (!a.fallbackable()) {
                break;
            }
        }
        return new Attempted(Optional.empty(), cost, retries, false, failure);
    }

    /** A fallback called in place of {@code site}: the same prompt, the fallback's own answer size if it sets one. */
    private static CallSite asFallback(CallSite site, CallSite f) {
        return new CallSite(f.model(), site.inputTokens(), f.outputTokens().or(site::outputTokens), Optional.empty(),
                f.label(), f.serviceTier(), f.promptCaching());
    }

    /** Replaces what comes after {@code chain[i]} by the pipeline's context-window fallback models. */
    private void widen(List<CallSite> chain, int i, CallSite site) {
        chain.subList(i + 1, chain.size()).clear();
        pipeline.contextWindowFallback().forEach(f -> chain.add(asFallback(site, f)));
    }

    /**
     * @return whether the gateway would skip {@code site} for the context-window fallback: its estimate of the prompt
     *     (which errs high) is over the model's context window, and the fallback names another model
     */
    private boolean overWindow(CallSite site, PlannedRequest r) {
        return r.tokens().estimatedInputTokens(site) > pricer.catalog().require(site.model()).contextWindow()
                && pipeline.contextWindowFallback().stream().anyMatch(f -> !f.model().equals(site.model()));
    }

    private Attempted callWithRetry(PlannedRequest r, CallSite site, Collector c) {
        long input = r.tokens().inputTokens(site);
        long output = r.tokens().outputTokens(site);
        long cached = Math.min(input, r.tokens().cachedInputTokens(site));
        Optional<ServiceTier> tier = tierOf(site, r.request());
        // what the call would bill on its tier: a dry run's estimate, or a billed timeout's cost
        Usage planned = new Usage(input, cached, 0, output, 0, false)
                .withServiceTier(tier.orElse(ServiceTier.STANDARD));
        if (dryRun) {
            Money estimate = pricer.price(site.model(), planned).cost();
            c.model(site.model(), true, input, output, estimate);
            return new Attempted(Optional.of(site.model()), estimate, 0, false, Optional.empty());
        }
        ChatRequest request = plannedRequest(r.request(), site.model(), input, cached, output).toBuilder()
                .serviceTier(tier).build();
        int maxRetries = pipeline.retry().map(x -> x.maxRetries()).orElse(0);
        Money cost = Money.ZERO;
        for (int attempt = 0; ; attempt++) {
            try {
                WindowRule.check(pricer.catalog().require(site.model()), input, Math.max(1, output));
                ChatResponse response = models.model(site.model()).execute(request, WorkflowContext.of("planner"));
                cost = cost.plus(response.cost());
                if (attempt > 0) {
                    c.retryCost = c.retryCost.plus(response.cost());
                }
                c.model(site.model(), true, response.usage().inputTokens(), response.usage().outputTokens(),
                        response.cost());
                return new Attempted(Optional.of(response.model()), cost, attempt, false, Optional.empty());
            } catch (ProviderException e) {
                Money billed = Money.ZERO;
                if (e instanceof ProviderException.ProviderTimeout && settings.apply(site.model()).billTimeouts()) {
                    billed = pricer.price(site.model(), planned).cost();
                    c.wasted = c.wasted.plus(billed);
                }
                cost = cost.plus(billed);
                if (attempt > 0) {
                    c.retryCost = c.retryCost.plus(billed);
                }
                c.model(site.model(), false, 0, 0, billed);
                c.failed(site.model(), e);
                FailureVerdict verdict = classifier.classify(e);
                if (verdict.retryable() && attempt < maxRetries) {
                    c.retries++;
                    c.backoff = c.backoff.plus(pipeline.retry().orElseThrow().delayBefore(attempt + 1));
                    continue;
                }
                // as the gateway: every failure but the request's own falls back
                return new Attempted(Optional.empty(), cost, attempt, false,
                        Optional.of(site.model() + ": " + e.kind()), !CallersFault.is(e),
                        e instanceof ProviderException.ContextLengthExceeded);
            }
        }
    }

    /**
     * The tier a call asks for, as the gateway sends it: the site's own (a model configured with
     * {@code service_tier: flex}) overrides the caller's; a site without one passes the caller's through.
     */
    static Optional<ServiceTier> tierOf(CallSite site, ChatRequest request) {
        return site.serviceTier().or(request::serviceTier);
    }

    static ChatRequest plannedRequest(ChatRequest original, String model, long input, long cached,
            long output) {
        Map<String, String> metadata = new LinkedHashMap<>(original.metadata());
        metadata.put(PlannedTokenEstimator.INPUT_TOKENS, Long.toString(input));
        metadata.put(PlannedTokenEstimator.CACHED_INPUT_TOKENS, Long.toString(cached));
        return original.toBuilder().model(model).maxTokens((int) Math.min(Integer.MAX_VALUE, Math.max(1, output)))
                .metadata(metadata).build();
    }

    /**
     * The result of calling one site (with retries) or a chain; {@code contextLength} when its failure is a prompt
     * over the model's context window.
     */
    private record Attempted(Optional<String> model, Money cost, int retries, boolean fallback,
            Optional<String> failure, boolean fallbackable, boolean contextLength) {
        Attempted(Optional<String> model, Money cost, int retries, boolean fallback, Optional<String> failure) {
            this(model, cost, retries, fallback, failure, true, false);
        }
    }

    /** Adds up a run as it goes, keeping the first outcomes only. */
    private static final class Collector {
        private final long total;
        private final int keptOutcomes;
        private final List<RequestOutcome> outcomes = new ArrayList<>();
        private final Map<String, Long> routes = new LinkedHashMap<>();
        private final Map<String, RunStats.ModelUsage> models = new LinkedHashMap<>();
        private final long[] bucketRequests = new long[TIMELINE_BUCKETS];
        private final long[] bucketHits = new long[TIMELINE_BUCKETS];
        private final Money[] bucketCost = new Money[TIMELINE_BUCKETS];
        private long handled;
        private long answered;
        private long hits;
        private long fallbacks;
        private long budgetHits;
        private Money cost = Money.ZERO;
        private long rejected;
        private long retries;
        private Money wasted = Money.ZERO;
        private Money retryCost = Money.ZERO;
        private Duration backoff = Duration.ZERO;
        private RunStats.Workflow workflow = RunStats.Workflow.NONE;
        private final Map<String, RunStats.FailedCalls> failedCalls = new LinkedHashMap<>();

        Collector(long total, int keptOutcomes) {
            this.total = total;
            this.keptOutcomes = keptOutcomes;
            java.util.Arrays.fill(bucketCost, Money.ZERO);
        }

        void route(String route) {
            routes.merge(route, 1L, Long::sum);
        }

        void workflow(WorkflowRuns.Run run) {
            workflow = workflow.plus(run);
        }

        void model(String model, boolean success, long input, long output, Money cost) {
            RunStats.ModelUsage u = models.getOrDefault(model, new RunStats.ModelUsage(0, 0, 0, 0, Money.ZERO));
            models.put(model, new RunStats.ModelUsage(u.attempts() + 1, u.successes() + (success ? 1 : 0),
                    u.inputTokens() + input, u.outputTokens() + output, u.cost().plus(cost)));
        }

        /** Notes why a call to {@code model} failed. */
        void failed(String model, ProviderException e) {
            failedCalls.merge(model + "\u0000" + e.kind(), new RunStats.FailedCalls(model, e.kind(), 1,
                    e.getMessage()), (a, b) -> new RunStats.FailedCalls(model, a.kind(), a.calls() + 1, a.example()));
        }

        void add(RequestOutcome o) {
            if (outcomes.size() < keptOutcomes) {
                outcomes.add(o);
            }
            int b = (int) (handled * TIMELINE_BUCKETS / Math.max(1, total));
            handled++;
            bucketRequests[b]++;
            if (o.cacheHit()) {
                bucketHits[b]++;
                hits++;
            }
            bucketCost[b] = bucketCost[b].plus(o.cost());
            answered += o.failure().isEmpty() ? 1 : 0;
            fallbacks += o.fallback() ? 1 : 0;
            budgetHits += o.budgetHit() ? 1 : 0;
            cost = cost.plus(o.cost());
        }

        RunStats build() {
            List<RunStats.Bucket> timeline = new ArrayList<>();
            for (int i = 0; i < TIMELINE_BUCKETS; i++) {
                if (bucketRequests[i] > 0) {
                    timeline.add(new RunStats.Bucket(bucketRequests[i], bucketHits[i], bucketCost[i]));
                }
            }
            return new RunStats(handled, answered, handled - answered - rejected, rejected, hits, routes, models,
                    retries, fallbacks, budgetHits, cost, wasted, retryCost, backoff, timeline, outcomes, workflow,
                    List.copyOf(failedCalls.values()));
        }
    }
}
