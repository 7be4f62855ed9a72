package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.cost.WorstCaseCost;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds hard budgets: before a call it reserves the call's worst-case cost in every applicable budget at once, and
 * after the call it settles the reservation to the real cost.
 *
 * <p>The worst case is the estimated prompt (plus a safety margin when the estimate is not exact) priced at the
 * model's highest per-token rate (normally the output rate; the long-context tier when the prompt is above its
 * threshold), plus {@code max_tokens} at the output rate, both on the {@linkplain ChatRequest#serviceTier() service
 * tier the request asks for} when the model sells it. Pricing the prompt at the highest rate means a prompt that
 * turns out a little longer than estimated still fits its reservation. When a request sets no {@code max_tokens}, its
 * output is bounded by the model's maximum output from the catalog (for an Anthropic model asked to think, plus the
 * thinking budget: {@link WorstCaseCost#outputLimit}, as the gateway counts it), so a budget without room for that
 * worst case refuses the call: set {@code max_tokens} to ask for less. Only for a model whose maximum output the
 * catalog does not know does the guard reserve what the tightest budget can still pay for (up to the context window)
 * and set {@code max_tokens} to match, so the limit holds either way.
 *
 * <p>A call through a model that may bill any of several ({@link dev.costwise.llm.chat.ChatModel#models()}: a router,
 * a fallback) may charge any budget on any of them, so every such budget holds the worst case this call could charge
 * it: a budget scoped to one model ({@link BudgetScope.Kind#MODEL}) holds that model's worst case, a budget that counts
 * the call wherever it goes (global, key, user, team, feature) the dearest model's. A budget on a cheap model the call
 * may reach is therefore held even when a dearer model is reachable too. After the call, a budget on one model is
 * charged what was billed at that model (nothing when another answered), any other budget the call's whole cost, as
 * the gateway reserves and settles a workflow run. The budgets are reserved one amount after another and all given
 * back if one has no room, so the limits hold; a call racing such a reservation may be refused while it is held.
 *
 * <p>A call to a free model, or one no budget applies to, is never blocked and reserves nothing. A free model's call
 * is still charged to the budgets counting it what its provider reports billing for it (OpenRouter's
 * {@code usage.cost}, which the call's cost record carries), after the call and whatever room is left, so budgets
 * count what the records say was spent. Thread-safe.
 */
public final class BudgetGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetGuard.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000L);
    /** The limit of a claim that must not refuse: a free model's charge, billed without a price to hold. */
    private static final Money NO_LIMIT = Money.ofNanos(Long.MAX_VALUE);

    private final Budgets budgets;
    private final ModelCatalog catalog;
    private final TokenEstimator estimator;
    private final BigDecimal safetyMargin;
    private final BudgetListener listener;
    private final MeterRegistry meters;
    /** Per budget: the window whose thresholds have fired, and which fired; older windows are forgotten. */
    private final ConcurrentHashMap<String, FiredThresholds> firedThresholds = new ConcurrentHashMap<>();

    private BudgetGuard(Builder b) {
        this.budgets = b.budgets;
        this.catalog = b.catalog;
        this.estimator = b.estimator;
        this.safetyMargin = b.safetyMargin;
        this.listener = b.listener;
        this.meters = b.meters;
    }

    /**
     * Starts a guard.
     *
     * @param budgets the budgets to hold
     * @param catalog prices and output limits of the models
     * @param estimator counts prompt tokens before the call
     * @return a builder
     */
    public static Builder builder(Budgets budgets, ModelCatalog catalog, TokenEstimator estimator) {
        return new Builder(budgets, catalog, estimator);
    }

    /** @return the budgets this guard holds */
    public Budgets budgets() {
        return budgets;
    }

    /**
     * Reserves a call's worst-case cost in every budget that applies to it.
     *
     * @param model the catalog name (or alias) of the model the call goes to
     * @param request the request; its {@code max_tokens} bounds the output
     * @param context the request's context (its tags select the budgets)
     * @return {@link Admission.Unbudgeted} when no budget applies, {@link Admission.Admitted} with the
     *     reservation (for a free model, one holding nothing) and the request to send ({@code max_tokens} set
     *     when the catalog does not know the model's maximum output and the request had none), or
     *     {@link Admission.Refused} naming the budgets that had no room
     * @throws dev.costwise.llm.catalog.UnknownModelException if the catalog does not know {@code model} and some
     *     budget applies to the call (with no budget applying, the call passes unpriced)
     * @throws IllegalStateException if the model has no known price, so no hard budget can bound its cost
     */
    public Admission admit(String model, ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        return admit(model, request, request.serviceTier().orElse(ServiceTier.STANDARD), context);
    }

    /**
     * Reserves a call's worst-case cost at the prices of {@code holdAt}, for a caller that knows better than the
     * request which tier the call will be billed on: a request that names no tier, on an account whose default tier
     * is priority.
     *
     * @param model the catalog name (or alias) of the model the call goes to
     * @param request the request; its {@code max_tokens} bounds the output
     * @param holdAt the tier whose prices the worst case is held at (the standard ones when the model has none)
     * @param context the request's context (its tags select the budgets)
     * @return as {@link #admit(String, ChatRequest, WorkflowContext)}
     */
    public Admission admit(String model, ChatRequest request, ServiceTier holdAt, WorkflowContext context) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(holdAt, "holdAt");
        Objects.requireNonNull(context, "context");
        Optional<ModelInfo> known = catalog.find(model);
        if (known.isEmpty() && budgets.applicableTo(model, context.tags()).isEmpty()) {
            return new Admission.Unbudgeted(request); // no budget to hold, so no price needed
        }
        ModelInfo info = known.orElseGet(() -> catalog.require(model));
        List<Budget> applicable = budgets.applicableTo(info.name(), context.tags());
        if (applicable.isEmpty()) {
            return new Admission.Unbudgeted(request);
        }
        // one model: every budget is charged the call's whole cost
        if (info.isFree()) {
            return unheld(List.of(new Reservation.Unheld(applicable, Optional.empty())), request);
        }
        WorstCase worst = worstCase(info, priced(info, applicable), request, holdAt);
        return reserve(List.of(part(applicable, List.of(worst), Optional.empty())), List.of(), request);
    }

    /**
     * Reserves a call through a model that may bill any of {@code models} (a router, a fallback): every budget the
     * call may be charged to holds the worst case the call could charge it, so its limit holds whichever model is
     * billed. A budget on one model holds that model's worst case when the model is among {@code models}; any other
     * budget holds the dearest one's. Settled with its {@link CallCosts spend}, each budget on a model is charged what
     * was billed at that model only. A free model's budgets hold nothing, and are charged what it billed all the same.
     *
     * @param holder names the calling model, for the message
     * @param models the catalog names (or aliases) of the models the call may be billed at
     * @return as {@link #admit(String, ChatRequest, WorkflowContext)}; when the catalog does not know the maximum
     *     output of one of the models and the request sets no {@code max_tokens}, the request to send is bounded to
     *     what every budget can pay for on every model it holds
     * @throws IllegalStateException if a budget applies and the catalog does not know one of the models (it could
     *     bill any model, so no budget can be bounded), or a model some budget counts has no known price
     */
    Admission admit(String holder, Set<String> models, ChatRequest request, ServiceTier holdAt,
            WorkflowContext context) {
        Map<String, String> tags = context.tags();
        // each model under the name budgets match it by: the catalog's, else the one it was given
        Map<String, Optional<ModelInfo>> known = new LinkedHashMap<>();
        models.forEach(m -> {
            Optional<ModelInfo> info = catalog.find(m);
            known.putIfAbsent(info.map(ModelInfo::name).orElse(m), info);
        });
        // budgets that count the call wherever it goes, and those that count calls to one model
        List<Budget> anywhere = budgets.applicableTo(known.keySet().iterator().next(), tags).stream()
                .filter(b -> !onModel(b)).toList();
        Map<String, List<Budget>> onModel = new LinkedHashMap<>();
        known.keySet().forEach(m -> {
            List<Budget> own = budgets.applicableTo(m, tags).stream().filter(BudgetGuard::onModel).toList();
            if (!own.isEmpty()) {
                onModel.put(m, own);
            }
        });
        if (anywhere.isEmpty() && onModel.isEmpty()) {
            return new Admission.Unbudgeted(request); // no budget to hold, so no price needed
        }
        List<Part> parts = new ArrayList<>();
        List<WorstCase> everyModel = new ArrayList<>();
        List<Reservation.Unheld> unheld = new ArrayList<>();
        for (Map.Entry<String, Optional<ModelInfo>> e : known.entrySet()) {
            String model = e.getKey();
            if (e.getValue().isEmpty()) {
                List<String> applying = new ArrayList<>(names(anywhere));
                onModel.values().forEach(l -> applying.addAll(names(l)));
                throw new IllegalStateException("budgets " + applying + " cannot bound a call to '" + holder
                        + "': it may call model '" + model + "', which the budget guard's catalog does not know; add"
                        + " it to the catalog, have '" + holder + "' list the catalog models it calls in"
                        + " ChatModel.models(), or budget each route's model instead");
            }
            ModelInfo info = e.getValue().get();
            List<Budget> own = onModel.getOrDefault(model, List.of());
            if (info.isFree() && !own.isEmpty()) {
                unheld.add(new Reservation.Unheld(own, Optional.of(model))); // no price to hold: charged after
            }
            if (info.isFree() || (anywhere.isEmpty() && own.isEmpty())) {
                continue; // no price to hold, or no budget counts it
            }
            List<Budget> counting = new ArrayList<>(anywhere);
            counting.addAll(own);
            WorstCase worst = worstCase(info, priced(info, counting), request, holdAt);
            everyModel.add(worst);
            if (!own.isEmpty()) {
                parts.add(part(own, List.of(worst), Optional.of(model)));
            }
        }
        if (everyModel.isEmpty()) { // every model a budget counts is free
            if (!anywhere.isEmpty()) {
                unheld.addFirst(new Reservation.Unheld(anywhere, Optional.empty()));
            }
            return unheld.isEmpty() ? new Admission.Unbudgeted(request) : unheld(unheld, request);
        }
        if (!anywhere.isEmpty()) {
            parts.addFirst(part(anywhere, everyModel, Optional.empty()));
        }
        return reserve(parts, unheld, request);
    }

    /** Admits a call that holds nothing: only free models' budgets count it, charged what their providers report. */
    private Admission unheld(List<Reservation.Unheld> unheld, ChatRequest request) {
        return new Admission.Admitted(new Reservation(this, List.of(), unheld), request);
    }

    private static boolean onModel(Budget b) {
        return b.scope().kind() == BudgetScope.Kind.MODEL;
    }

    /** @return the model's prices; a model without any cannot be bounded by the budgets counting it */
    private static Pricing priced(ModelInfo info, List<Budget> counting) {
        return info.pricing().orElseThrow(() -> new IllegalStateException("model '" + info.name()
                + "' has no known price, so budgets " + names(counting) + " cannot bound its cost"));
    }

    /**
     * Budgets charged alike, and their buckets in the current window.
     *
     * @param worst the worst cases of the models they may be charged for: they hold the dearest
     * @param model the model whose spend alone they are charged; empty for the call's whole cost
     */
    private record Part(List<Budget> budgets, List<WorstCase> worst, Optional<String> model, List<Claim> claims,
            List<BudgetWindow.Span> spans) {

        /** @return the most the part's models may cost */
        Money cost() {
            return worst.stream().map(WorstCase::cost).reduce(Money.ZERO, Money::max);
        }

        /** @return the most the part's models may cost with {@code maxTokens} of output */
        Money costWith(long maxTokens) {
            return worst.stream().map(w -> w.costWith(maxTokens)).reduce(Money.ZERO, Money::max);
        }

        /** @return the most output {@code amount} pays for on every one of the part's models */
        long affordable(Money amount) {
            return worst.stream().mapToLong(w -> w.affordable(amount)).min().orElseThrow();
        }
    }

    private Part part(List<Budget> charged, List<WorstCase> worst, Optional<String> model) {
        Instant now = budgets.clock().instant();
        List<Claim> claims = new ArrayList<>(charged.size());
        List<BudgetWindow.Span> spans = new ArrayList<>(charged.size());
        for (Budget b : charged) {
            BudgetWindow.Span span = b.window().spanAt(now);
            spans.add(span);
            claims.add(new Claim(new Bucket(b.name(), span.start()), b.limit()));
        }
        return new Part(charged, worst, model, claims, spans);
    }

    /**
     * Reserves every part, all or nothing: one after another, and what the earlier ones hold goes back when one has
     * no room. When some model's output is unbounded (the catalog does not know its maximum and the request sets
     * none), each part holds what its budgets can still pay for, up to the context window, the least of which bounds
     * the request's {@code max_tokens}; the rest is given back. The budgets of free models the call may bill
     * ({@code unheld}) hold nothing, and are charged after the call what those models billed.
     */
    private Admission reserve(List<Part> parts, List<Reservation.Unheld> unheld, ChatRequest request) {
        BudgetStore store = budgets.store();
        boolean bounded = parts.stream().flatMap(p -> p.worst().stream()).allMatch(WorstCase::outputBounded);
        long maxTokens = parts.stream().flatMap(p -> p.worst().stream()).mapToLong(WorstCase::maxOutput).min()
                .orElseThrow();
        maxTokens = Math.max(1, Math.min(Integer.MAX_VALUE, maxTokens));
        List<BudgetStore.Grant> grants = new ArrayList<>(parts.size());
        try {
            for (Part p : parts) {
                Money minimum = bounded ? p.cost() : p.costWith(1);
                Optional<BudgetStore.Grant> granted = store.reserve(p.claims(), minimum,
                        bounded ? minimum : p.costWith(maxTokens));
                if (granted.isEmpty()) {
                    releaseAll(store, grants);
                    return refused(p, minimum);
                }
                grants.add(granted.get());
                if (!bounded) {
                    maxTokens = Math.max(1, Math.min(maxTokens, p.affordable(granted.get().amount())));
                }
            }
            List<Reservation.Held> held = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                Part p = parts.get(i);
                Money excess = bounded ? Money.ZERO : grants.get(i).amount().minus(p.costWith(maxTokens));
                if (excess.isPositive()) {
                    grants.set(i, store.release(grants.get(i), excess));
                }
                held.add(new Reservation.Held(p.budgets(), grants.get(i), p.model()));
            }
            ChatRequest sent = bounded ? request : request.toBuilder().maxTokens((int) maxTokens).build();
            return new Admission.Admitted(new Reservation(this, held, unheld), sent);
        } catch (RuntimeException | Error e) {
            // a store that fails part way (its database down) must not strand what it already granted
            try {
                releaseAll(store, grants);
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
    }

    /** Gives back every grant whole, each on its own: one that fails to be released does not strand the others. */
    private static void releaseAll(BudgetStore store, List<BudgetStore.Grant> grants) {
        RuntimeException first = null;
        for (BudgetStore.Grant g : grants) {
            try {
                store.release(g, g.amount());
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        grants.clear();
        if (first != null) {
            throw first;
        }
    }

    /**
     * A call's worst case on one model, as {@link #admit} reserves it: the prompt at the dearest rate a prompt token
     * may be billed at, plus the most output allowed at the output rate.
     *
     * @param inputCost the prompt's tokens (the estimate, raised by the safety margin) at that rate
     * @param outputRate the output price per million tokens
     * @param maxOutput the request's {@code max_tokens}, else the model's maximum output (plus a thinking budget);
     *     when neither is known, the context window left after the prompt
     * @param outputBounded whether {@code maxOutput} is a known limit rather than the context window's bound
     */
    private record WorstCase(Money inputCost, Money outputRate, long maxOutput, boolean outputBounded) {
        Money cost() {
            return costWith(maxOutput);
        }

        Money costWith(long maxTokens) {
            return inputCost.plus(outputRate.perMillion(maxTokens));
        }

        /** @return the most output {@code amount} pays for after the prompt, up to {@code maxOutput} */
        long affordable(Money amount) {
            return outputRate.isZero() ? maxOutput : Math.min(maxOutput, amount.minus(inputCost).toBigDecimal()
                    .multiply(MILLION).divide(outputRate.toBigDecimal(), 0, RoundingMode.FLOOR).longValueExact());
        }
    }

    /** The worst case of a call to a priced model: its prompt estimated, on the tier and prices it is held at. */
    private WorstCase worstCase(ModelInfo info, Pricing base, ChatRequest request, ServiceTier holdAt) {
        long inputTokens = inputTokens(info, request);
        Pricing pricing = pricing(base, holdAt, inputTokens);
        boolean bounded = request.maxTokens().isPresent() || info.maxOutputTokens() > 0;
        // the request's limit, else the model's (plus a thinking budget, as the gateway counts it)
        long maxOutput = bounded ? WorstCaseCost.outputLimit(request.maxTokens().orElse(0), info.maxOutputTokens(),
                info.provider(), request.reasoning()) : Math.max(1, info.contextWindow() - inputTokens);
        return new WorstCase(promptRate(pricing).perMillion(inputTokens), pricing.outputPerMillion(), maxOutput,
                bounded);
    }

    /** The input tokens a call is held at: the estimate, raised by the safety margin when it is not exact. */
    private long inputTokens(ModelInfo info, ChatRequest request) {
        TokenEstimator.TokenEstimate estimate = estimator.estimateInput(info.name(), request);
        return estimate.exact() ? estimate.tokens()
                : BigDecimal.valueOf(estimate.tokens()).multiply(BigDecimal.ONE.add(safetyMargin))
                        .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** The prices a call is held at: its tier's (a dearer tier bills dearer), long-context ones past the threshold. */
    private static Pricing pricing(Pricing base, ServiceTier holdAt, long inputTokens) {
        Pricing tier = base.onTier(holdAt);
        return tier.longContext()
                .filter(lc -> inputTokens > lc.thresholdInputTokens())
                .map(Pricing.LongContextPricing::pricing)
                .orElse(tier);
    }

    /** The dearest rate a prompt token may be billed at (as output, a cache write), so a reservation covers it. */
    private static Money promptRate(Pricing pricing) {
        return pricing.outputPerMillion().max(pricing.inputPerMillion())
                .max(pricing.cacheWrite5mPerMillion()).max(pricing.cacheWrite1hPerMillion());
    }

    /**
     * Checks that {@code model} costs nothing by this guard's catalog, as a model budgets send calls to once they are
     * exhausted must: such a call reserves nothing, so a paid one would take spend past the limit.
     *
     * @param role what the model is, for the message ({@code "freeModel"}, {@code "the last fallback"})
     * @param model the model's name
     * @throws IllegalArgumentException if the catalog does not know the model, or knows a price above $0 or none
     */
    void requireFree(String role, String model) {
        ModelInfo info = catalog.find(model).orElseThrow(() -> new IllegalArgumentException(role + " '" + model
                + "' is not in the budget guard's catalog, so it cannot be known to cost $0; add it with a $0 price"));
        if (!info.isFree()) {
            throw new IllegalArgumentException(role + " '" + model + "' must cost $0, as calls go to it once a budget"
                    + " is exhausted, but " + info.pricing().map(p -> "it costs " + p.inputPerMillion().format()
                            + " input and " + p.outputPerMillion().format() + " output per million tokens")
                            .orElse("its price is unknown"));
        }
    }

    private Admission refused(Part part, Money needed) {
        List<Budget> applicable = part.budgets();
        List<Claim> claims = part.claims();
        List<BudgetWindow.Span> spans = part.spans();
        List<BudgetExceededException> failures = new ArrayList<>();
        List<BudgetStatus> statuses = new ArrayList<>();
        for (int i = 0; i < claims.size(); i++) {
            Budget b = applicable.get(i);
            BucketState s = budgets.store().state(claims.get(i).bucket());
            Money committed = s.spent().plus(s.reserved());
            if (b.limit().minus(committed).compareTo(needed) < 0) {
                BudgetWindow.Span span = spans.get(i);
                failures.add(new BudgetExceededException(b.name(), b.scope(), b.limit(), committed, needed,
                        span.end()));
                statuses.add(new BudgetStatus(b, s.spent(), s.reserved(), span.start(), span.end()));
            }
        }
        if (failures.isEmpty()) {
            // Room freed between the reservation and this read: report the tightest budget (its message says so)
            Budget b = applicable.getFirst();
            BudgetWindow.Span span = spans.getFirst();
            BucketState s = budgets.store().state(claims.getFirst().bucket());
            failures.add(new BudgetExceededException(b.name(), b.scope(), b.limit(), s.spent().plus(s.reserved()),
                    needed, span.end()));
            statuses.add(new BudgetStatus(b, s.spent(), s.reserved(), span.start(), span.end()));
        }
        boolean reject = failures.stream()
                .anyMatch(f -> budgets.find(f.budget()).orElseThrow().onExhausted() == Budget.Action.REJECT);
        Budget.Action action = reject ? Budget.Action.REJECT : Budget.Action.DOWNGRADE;
        meters.counter("costwise.budget.exhausted", "action", action.name().toLowerCase(java.util.Locale.ROOT))
                .increment();
        for (BudgetStatus s : statuses) {
            notify(() -> listener.onExhausted(s, action));
        }
        return new Admission.Refused(action, failures);
    }

    /**
     * Settles each held amount to its budgets' share of {@code spent}, a model's budgets to what it billed, and
     * charges the budgets of free models, which hold nothing, their share the same way: as nothing was estimated for
     * those, what they billed is no overrun ({@link BudgetListener#onOverrun} is not called for it).
     */
    void settled(List<Reservation.Held> held, List<Reservation.Unheld> unheld, Spend spent) {
        Optional<Map<String, Money>> byCatalogModel = spent.byModel().map(this::byCatalogName);
        RuntimeException first = null;
        for (Reservation.Held h : held) {
            try { // each on its own: a store failing on one budget must not leave the others held
                settled(h.budgets(), h.grant(), share(h.model(), byCatalogModel, spent));
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (Reservation.Unheld u : unheld) {
            Money charged = share(u.model(), byCatalogModel, spent);
            if (!charged.isPositive()) {
                continue; // its provider billed nothing, as the catalog said: the store is not touched
            }
            try {
                BudgetStore.Grant nothingHeld = heldNothing(u.budgets());
                budgets.store().settle(nothingHeld, charged);
                announce(u.budgets(), nothingHeld.buckets()); // no estimate, so no overrun of one
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** @return what a model's budgets are charged (what it billed); the others, and without records: all of it */
    private static Money share(Optional<String> model, Optional<Map<String, Money>> byCatalogModel, Spend spent) {
        return model.flatMap(m -> byCatalogModel.map(b -> b.getOrDefault(m, Money.ZERO))).orElse(spent.total());
    }

    /**
     * A grant of nothing in each budget's current window, to settle a free model's charge with: its claims set no
     * limit, since that charge was billed without a price to hold, and counts whatever room is left.
     */
    private BudgetStore.Grant heldNothing(List<Budget> charged) {
        Instant now = budgets.clock().instant();
        List<Claim> claims = charged.stream()
                .map(b -> new Claim(new Bucket(b.name(), b.window().spanAt(now).start()), NO_LIMIT)).toList();
        return budgets.store().reserve(claims, Money.ZERO, Money.ZERO).orElseThrow(() -> new IllegalStateException(
                "the budget store refused to hold nothing in " + names(charged)));
    }

    /** @return the spend at each model under its catalog name, so a model's aliases and snapshots add up */
    private Map<String, Money> byCatalogName(Map<String, Money> byModel) {
        Map<String, Money> out = new HashMap<>();
        byModel.forEach((name, cost) -> out.merge(catalog.find(name).map(ModelInfo::name).orElse(name), cost,
                Money::plus));
        return out;
    }

    private void settled(List<Budget> charged, BudgetStore.Grant grant, Money actual) {
        budgets.store().settle(grant, actual);
        Money reserved = grant.amount();
        if (actual.isGreaterThan(reserved)) {
            for (Budget b : charged) {
                meters.counter("costwise.budget.overrun", "budget", b.name()).increment();
                notify(() -> listener.onOverrun(b, reserved, actual));
            }
            LOG.warn("budgets {} overrun: reserved {} but the call cost {}", names(charged), reserved.format(),
                    actual.format());
        }
        announce(charged, grant.buckets());
    }

    /** Tells the listener each settled budget's status, and any soft threshold it crossed for the first time. */
    private void announce(List<Budget> charged, List<Bucket> buckets) {
        boolean hearsSettles = listener != BudgetListener.NONE;
        for (int i = 0; i < charged.size(); i++) {
            Budget b = charged.get(i);
            if (b.softThresholds().isEmpty() && !hearsSettles) {
                continue; // nobody to tell: read no state
            }
            BucketState s = budgets.store().state(buckets.get(i));
            BudgetWindow.Span span = b.window().spanAt(buckets.get(i).windowStart());
            BudgetStatus status = new BudgetStatus(b, s.spent(), s.reserved(), span.start(), span.end());
            if (!b.softThresholds().isEmpty()) {
                double utilization = status.utilization();
                for (double t : b.softThresholds()) {
                    if (utilization >= t && firstCrossing(b.name(), span.start(), t)) {
                        notify(() -> listener.onThresholdCrossed(status, t));
                    }
                }
            }
            if (hearsSettles) {
                notify(() -> listener.onSettled(status));
            }
        }
    }

    private boolean firstCrossing(String budget, Instant windowStart, double threshold) {
        boolean[] first = new boolean[1];
        firedThresholds.compute(budget, (name, fired) -> {
            if (fired == null || fired.windowStart().isBefore(windowStart)) {
                fired = new FiredThresholds(windowStart, Set.of());
            } else if (fired.windowStart().isAfter(windowStart) || fired.thresholds().contains(threshold)) {
                return fired; // a late settle of an earlier window, or already fired
            }
            first[0] = true;
            Set<Double> more = new java.util.HashSet<>(fired.thresholds());
            more.add(threshold);
            return new FiredThresholds(windowStart, Set.copyOf(more));
        });
        return first[0];
    }

    private record FiredThresholds(Instant windowStart, Set<Double> thresholds) {}

    void released(BudgetStore.Grant grant) {
        budgets.store().release(grant, grant.amount());
    }

    private static void notify(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.warn("budget listener failed; ignored", e);
        }
    }

    private static List<String> names(List<Budget> list) {
        return list.stream().map(Budget::name).toList();
    }

    /** What {@link #admit} decided. */
    public sealed interface Admission {

        /**
         * No budget applies: send the request as it is.
         *
         * @param request the request to send
         */
        record Unbudgeted(ChatRequest request) implements Admission {}

        /**
         * The worst case is reserved: send {@code request}, then settle or release the reservation. For a free
         * model nothing is held, and settling charges its budgets what its provider reported billing.
         *
         * @param reservation the reservation to settle after the call
         * @param request the request to send ({@code max_tokens} set when the caller left it out and the catalog
         *     does not know the model's maximum output)
         */
        record Admitted(Reservation reservation, ChatRequest request) implements Admission {}

        /**
         * Some budget had no room.
         *
         * @param action reject if any refusing budget rejects, else downgrade
         * @param failures one exception per refusing budget, first to throw
         */
        record Refused(Budget.Action action, List<BudgetExceededException> failures) implements Admission {
            public Refused {
                failures = List.copyOf(failures);
            }
        }
    }

    /** Builds a {@link BudgetGuard}. Not thread-safe. */
    public static final class Builder {
        private final Budgets budgets;
        private final ModelCatalog catalog;
        private final TokenEstimator estimator;
        private BigDecimal safetyMargin = new BigDecimal("0.10");
        private BudgetListener listener = BudgetListener.NONE;
        private MeterRegistry meters = new SimpleMeterRegistry();

        private Builder(Budgets budgets, ModelCatalog catalog, TokenEstimator estimator) {
            this.budgets = Objects.requireNonNull(budgets, "budgets");
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            this.estimator = Objects.requireNonNull(estimator, "estimator");
        }

        /**
         * Sets the share added to a prompt estimate that is not exact. Default 0.10 (+10%).
         *
         * @param value a ratio in [0, 10]
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative or above 10
         */
        public Builder safetyMargin(BigDecimal value) {
            Objects.requireNonNull(value, "safetyMargin");
            if (value.signum() < 0 || value.compareTo(BigDecimal.TEN) > 0) {
                throw new IllegalArgumentException("safetyMargin must be in [0, 10], was " + value);
            }
            this.safetyMargin = value;
            return this;
        }

        /**
         * Sets who hears settles, soft thresholds crossed, refusals and overruns. Default {@link BudgetListener#NONE},
         * for which no budget's status is read after a call (but to check its soft thresholds).
         *
         * @param value the listener
         * @return this builder
         */
        public Builder listener(BudgetListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * Sets where counters go ({@code costwise.budget.overrun} by budget, {@code costwise.budget.exhausted} by
         * action). Default: a private {@link SimpleMeterRegistry}.
         *
         * @param value the registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.meters = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** @return the guard */
        public BudgetGuard build() {
            return new BudgetGuard(this);
        }
    }
}
