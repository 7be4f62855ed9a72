package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetDef;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.config.GatewayConfig.OnExhausted;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.llm.spi.BudgetStore;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hard budgets with reserve-then-settle: before a call its worst-case cost is reserved against every budget that
 * applies; after the call the reservation is replaced by the real cost. Spend therefore never passes a limit, however
 * many requests run at once. A window's spend is rebuilt from the ledger the first time it is used, so it survives a
 * restart. Windows are UTC days or months. Crossing a soft threshold ({@code alert_at}) logs one alert per window.
 * The counters live in this process ({@link LocalBudgetCounters}, bounded without ever dropping a reservation) or,
 * given a {@link BudgetStore} (Redis, config {@code redis.url}), there, shared by every replica (see
 * {@link SharedBudgetCounters}). Thread-safe.
 */
public final class BudgetBook {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetBook.class);
    /** The most idle budget windows kept in memory (about 200 bytes each; those holding reservations come on top). */
    static final int MAX_COUNTERS = 20_000;

    private final List<BudgetDef> budgets;
    private final Clock clock;
    /** Counters in this process; null when {@link #shared} keeps them. */
    private final LocalBudgetCounters local;
    private final UtilizationListener listener;
    /** Counters shared through a budget store; null keeps them in {@link #local}. */
    private final SharedBudgetCounters shared;
    /**
     * The newest state of each key this book has seen (its requests, {@code PATCH}): a call in flight when its key's
     * own budget started a new count is charged there as it settles.
     */
    private final java.util.concurrent.ConcurrentMap<String, BudgetedKey> latestKeys =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(MAX_COUNTERS)
                    .<String, BudgetedKey>build().asMap();

    /**
     * @param budgets the configured policies
     * @param ledger where past spend is read from
     * @param clock decides the current window
     */
    public BudgetBook(List<BudgetDef> budgets, SpendLedger ledger, Clock clock) {
        this(budgets, ledger, clock, UtilizationListener.NONE, Optional.empty());
    }

    /**
     * @param budgets the configured policies
     * @param ledger where past spend is read from (the source of truth the store is rebuilt from)
     * @param clock decides the current window
     * @param listener hears every settled call's move of each budget it counted for ({@code budget_utilization}
     *     alert rules)
     * @param store where the counters live when replicas share them; empty keeps them in this process
     */
    public BudgetBook(List<BudgetDef> budgets, SpendLedger ledger, Clock clock, UtilizationListener listener,
            Optional<BudgetStore> store) {
        this(budgets, ledger, clock, listener, store, MAX_COUNTERS);
    }

    /**
     * As above, with {@code maxCounters} idle budget windows kept in memory and the usual number aside (tests push
     * windows out with few).
     */
    BudgetBook(List<BudgetDef> budgets, SpendLedger ledger, Clock clock, UtilizationListener listener,
            Optional<BudgetStore> store, int maxCounters) {
        this.shared = store.map(s -> new SharedBudgetCounters(s, ledger, clock)).orElse(null);
        this.local = shared == null ? new LocalBudgetCounters(ledger, clock, maxCounters, MAX_COUNTERS)
                : null;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.budgets = List.copyOf(budgets);
        this.clock = clock;
    }

    /**
     * What applies to one request: a budget definition bound to a scope value (a key id, a model), and the
     * amount reserved against it.
     *
     * @param def the policy
     * @param scopeValue the key or model it counts for; empty for global
     * @param limit the limit
     * @param amount the reservation
     * @param generation which count of the budget's spend: a key's own budget starts a new one, rebuilt from the
     *     ledger, when it is added back or its window changes (see {@link VirtualKey#budgetGeneration()}); 0 for
     *     every other budget
     */
    public record Hold(BudgetDef def, Optional<String> scopeValue, Money limit, Money amount, long generation) {
        /** A hold on a budget counted since it came into force (generation 0). */
        public Hold(BudgetDef def, Optional<String> scopeValue, Money limit, Money amount) {
            this(def, scopeValue, limit, amount, 0);
        }
    }

    /** Reservations of one request, settled together. */
    public final class Reservation {
        private final List<Hold> holds;
        private final BudgetStore.Grant grant; // null: local counters, or no budget applies
        /** Local counters: where each hold was reserved, so a request that outlives its window releases it there. */
        private final List<LocalBudgetCounters.Counter> reservedIn;
        /** The key whose own budget the cost counts for, even one that started a new count since the reservation. */
        private final Optional<String> keyId;

        Reservation(List<Hold> holds, BudgetStore.Grant grant, Optional<String> keyId) {
            this(holds, grant, List.of(), keyId);
        }

        private Reservation(List<Hold> holds, BudgetStore.Grant grant, List<LocalBudgetCounters.Counter> reservedIn,
                Optional<String> keyId) {
            this.holds = holds;
            this.grant = grant;
            this.reservedIn = reservedIn;
            this.keyId = keyId;
        }

        /**
         * Replaces the reservations by the real cost in the same Redis round trip as another write (the cache store).
         *
         * @param actual what the request cost
         * @param combined the settle and the other write in one script
         * @return {@code false} when nothing was done (local counters, or the reservation fell back to this replica's
         *     share): call {@link #settle} instead
         */
        boolean settleAlong(Money actual, SharedBudgetCounters.Combined combined) {
            if (grant == null || !shared.settleAlong(holds, grant, actual, this::heard, combined)) {
                return false;
            }
            chargeNewCount(actual);
            return true;
        }

        /**
         * Replaces the reservations by the real cost (zero for a failure or a cache hit). A request's reservation is
         * always for the model it calls (the gateway reserves again before a fallback), so a model budget is charged
         * for the model that answered.
         *
         * @param actual what the request cost
         */
        public void settle(Money actual) {
            if (grant != null) {
                shared.settle(holds, grant, actual, this::heard);
            } else if (!holds.isEmpty()) {
                local.settle(holds, reservedIn, actual, this::heard);
            }
            chargeNewCount(actual);
        }

        /**
         * Adds the cost to the key's own budget when it is counted in another window or generation than any this
         * reservation held (set, added back or moved by a {@code PATCH} while the call ran): that count started from
         * the ledger, which this call's row was not in yet.
         */
        private void chargeNewCount(Money actual) {
            Optional<Hold> own = keyId.map(latestKeys::get).flatMap(k -> ownHold(k, Money.ZERO));
            if (own.isEmpty() || actual.isZero() || holds.stream().anyMatch(h -> h.def().name().equals(
                    own.get().def().name()) && h.def().window() == own.get().def().window()
                    && h.generation() == own.get().generation())) {
                return;
            }
            if (shared != null) {
                shared.charge(own.get(), actual);
            } else {
                local.charge(own.get(), actual);
            }
        }

        private void heard(Hold h, Money before, Money after) {
            double from = before.ratioOf(h.limit());
            double to = after.ratioOf(h.limit());
            alertOnThresholds(h, from, to, after);
            listener.moved(h, from, to, after);
        }
    }

    /**
     * Hears how each settled call moved the utilisation of every budget it counted for; alert rules judge it. Called
     * on the request's thread, possibly while a counter is locked: must be fast and never throw.
     */
    @FunctionalInterface
    public interface UtilizationListener {
        /** Hears nothing. */
        UtilizationListener NONE = (hold, before, after, spent) -> { };

        /**
         * @param hold the budget, bound to the key, model, team or user it counted for
         * @param before settled spend before the call, as a share of the limit
         * @param after settled spend after the call, as a share of the limit
         * @param spent settled spend after the call
         */
        void moved(Hold hold, double before, double after, Money spent);
    }

    /** Logs the budget's own soft thresholds ({@code alert_at}) the move crossed, each once. */
    private static void alertOnThresholds(Hold h, double before, double after, Money spent) {
        for (double threshold : h.def().alertAt()) {
            if (before < threshold && after >= threshold) {
                LOG.warn("ALERT budget '{}'{} passed {}% of {} this {} (spent {})", h.def().name(),
                        h.scopeValue().map(v -> " for " + v).orElse(""), Math.round(threshold * 100),
                        h.limit().format(), h.def().window().name().toLowerCase(java.util.Locale.ROOT),
                        spent.format());
            }
        }
    }

    /**
     * A budget that cannot take the request.
     *
     * @param def the budget
     * @param limit its limit (for a budget per key or team, that one's)
     * @param spent what its window has spent
     * @param reserved what requests in flight hold in it: released or settled as they end
     * @param resetsAt when its window starts over
     * @param retryAfter the time until then
     * @param outageLimit while Redis is unreachable, the part of the limit this replica may count alone (its
     *     {@code local_share} of what was left when it lost Redis), when less than the limit; else empty
     */
    public record Exhausted(BudgetDef def, Money limit, Money spent, Money reserved, Instant resetsAt,
            Duration retryAfter, Optional<Money> outageLimit) {
        public Exhausted {
            Objects.requireNonNull(outageLimit, "outageLimit");
        }

        /** A budget without room under its own limit. */
        public Exhausted(BudgetDef def, Money limit, Money spent, Money reserved, Instant resetsAt,
                Duration retryAfter) {
            this(def, limit, spent, reserved, resetsAt, retryAfter, Optional.empty());
        }

        /** @return spent plus reserved */
        public Money used() {
            return spent.plus(reserved);
        }
    }

    /**
     * Reserves {@code amount} against every budget that applies, or nothing.
     *
     * @param who the caller's key (its id, own budget and team) and end user
     * @param model the model the request goes to
     * @param amount the worst-case cost
     * @return the reservation, or the first budget that cannot take it
     */
    public Result reserve(Spender who, String model, Money amount) {
        return reserve(applicable(who, model, amount), amount, keyIdOf(who));
    }

    private static Optional<String> keyIdOf(Spender who) {
        return who.key().map(BudgetedKey::id);
    }

    /**
     * Notes a key's state as a change made on this replica ({@code PATCH}) left it: calls of the key in flight settle
     * into its own budget's new count, if the change started one.
     *
     * @param key the key as budgets see it after the change
     */
    public void keyChanged(BudgetedKey key) {
        latestKeys.put(key.id(), key);
    }

    private Result reserve(List<Hold> holds, Money amount, Optional<String> keyId) {
        if (shared != null) {
            SharedBudgetCounters.Reserved r = shared.reserve(holds, amount);
            return r.exhausted().isPresent() ? new Result(Optional.empty(), r.exhausted())
                    : new Result(Optional.of(new Reservation(holds, r.grant().orElse(null), keyId)),
                            Optional.empty());
        }
        if (holds.isEmpty()) {
            return new Result(Optional.of(new Reservation(holds, null, List.of(), keyId)), Optional.empty());
        }
        List<LocalBudgetCounters.Counter> reservedIn = new ArrayList<>(holds.size());
        Optional<Exhausted> exhausted = local.reserve(holds, reservedIn);
        return exhausted.isPresent() ? new Result(Optional.empty(), exhausted)
                : new Result(Optional.of(new Reservation(holds, null, reservedIn, keyId)), Optional.empty());
    }

    /**
     * Reserves a workflow run, all or nothing: its whole worst case against every budget that applies and is not
     * scoped to a model, and against each model's budgets the worst case of the calls that model may make in the run.
     *
     * @param who the caller's key and end user
     * @param whole the worst case of the whole run
     * @param byModel every model the run may call, with the worst case of its calls
     * @return the reservation, or the first budget that cannot take its share
     */
    public RunResult reserveRun(Spender who, Money whole, Map<String, Money> byModel) {
        Reservation run = null;
        Map<String, Reservation> models = new HashMap<>();
        for (RunPart part : runParts(who, whole, byModel)) {
            // the whole run counts for the key's own budget, and its parts by model do not again
            Result r = reserve(part.holds(), part.amount(), part.model().isEmpty() ? keyIdOf(who) : Optional.empty());
            if (r.exhausted().isPresent()) {
                // all or nothing: what the earlier parts reserved goes back
                Optional.ofNullable(run).ifPresent(res -> res.settle(Money.ZERO));
                models.values().forEach(res -> res.settle(Money.ZERO));
                return new RunResult(Optional.empty(), Optional.of(part.refusal(r.exhausted().get())));
            }
            if (part.model().isEmpty()) {
                run = r.reservation().orElseThrow();
            } else {
                models.put(part.model().get(), r.reservation().orElseThrow());
            }
        }
        return new RunResult(Optional.of(new RunReservation(run, models)), Optional.empty());
    }

    /**
     * The budget that would refuse {@link #reserveRun}, reserving nothing (route explain).
     *
     * @return the first budget without room for its share of the run, with the model it counts for, if any
     */
    public Optional<RunRefusal> firstWithoutRoomForRun(Spender who, Money whole, Map<String, Money> byModel) {
        for (RunPart part : runParts(who, whole, byModel)) {
            Optional<Exhausted> ex = shared != null ? shared.firstWithoutRoom(part.holds(), part.amount())
                    : local.firstWithoutRoom(part.holds(), new ArrayList<>(part.holds().size()));
            if (ex.isPresent()) {
                return Optional.of(part.refusal(ex.get()));
            }
        }
        return Optional.empty();
    }

    /** What one share of a run reserves: the whole run (no model) or one model's calls, on the budgets it holds. */
    private record RunPart(Optional<String> model, Money amount, List<Hold> holds) {
        RunRefusal refusal(Exhausted ex) {
            return new RunRefusal(ex, model, amount);
        }
    }

    /** The run's shares: the whole on the budgets not scoped to a model, then each model's on its model budgets. */
    private List<RunPart> runParts(Spender who, Money whole, Map<String, Money> byModel) {
        List<RunPart> parts = new ArrayList<>(byModel.size() + 1);
        parts.add(new RunPart(Optional.empty(), whole, applicable(who, "", whole).stream()
                .filter(h -> h.def().scope() != BudgetScope.MODEL).toList()));
        // sorted: the same run always reserves in the same order
        byModel.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> parts.add(new RunPart(
                Optional.of(e.getKey()), e.getValue(), applicable(Spender.NOBODY, e.getKey(), e.getValue())
                        .stream().filter(h -> h.def().scope() == BudgetScope.MODEL).toList())));
        return parts;
    }

    /**
     * A budget that refused a workflow run.
     *
     * @param exhausted the budget
     * @param model the model whose calls it holds; empty for a budget that holds the whole run
     * @param worstCase the share of the run that did not fit
     */
    public record RunRefusal(Exhausted exhausted, Optional<String> model, Money worstCase) {}

    /**
     * The outcome of {@link #reserveRun}.
     *
     * @param reservation the reservation, when every budget had room for its share
     * @param refusal the first budget without room
     */
    public record RunResult(Optional<RunReservation> reservation, Optional<RunRefusal> refusal) {}

    /** The reservations of one workflow run: the whole run's, and each model's. */
    public static final class RunReservation {
        private final Reservation whole;
        private final Map<String, Reservation> byModel;

        private RunReservation(Reservation whole, Map<String, Reservation> byModel) {
            this.whole = whole;
            this.byModel = Map.copyOf(byModel);
        }

        /**
         * Replaces the reservations by what the run spent: the budgets of the whole run by its total, each model's
         * budgets by that model's calls, so that each counts what the ledger says its scope spent.
         *
         * @param spentByModel what the run's calls cost, by the model that made them (empty releases everything)
         */
        public void settle(Map<String, Money> spentByModel) {
            whole.settle(spentByModel.values().stream().reduce(Money.ZERO, Money::plus));
            byModel.forEach((model, res) -> res.settle(spentByModel.getOrDefault(model, Money.ZERO)));
        }
    }

    /**
     * The budget that would refuse a reservation of {@code amount}, reserving nothing (route explain shows what a
     * request would get).
     *
     * @param who the caller's key and end user
     * @param model the model the request would go to
     * @param amount the worst-case cost
     * @return the first budget without room for it; empty when every budget that applies has room
     */
    public Optional<Exhausted> firstWithoutRoom(Spender who, String model, Money amount) {
        List<Hold> holds = applicable(who, model, amount);
        return shared != null ? shared.firstWithoutRoom(holds, amount)
                : local.firstWithoutRoom(holds, new ArrayList<>(holds.size()));
    }

    /**
     * The shared buckets a request would reserve in, for a reservation made in the round trip of a cache lookup.
     *
     * @return the holds and their claims; empty without a shared store or without any budget that applies
     */
    Optional<Prepared> prepareShared(Spender who, String model, Money amount) {
        if (shared == null) {
            return Optional.empty();
        }
        List<Hold> holds = applicable(who, model, amount);
        if (holds.isEmpty()) {
            return Optional.empty();
        }
        List<BudgetStore.Bucket> buckets = shared.buckets(holds);
        return Optional.of(new Prepared(holds, buckets, shared.claims(holds, buckets), keyIdOf(who)));
    }

    /** Holds, buckets and claims of a reservation to be made elsewhere, and the key it is for. */
    record Prepared(List<Hold> holds, List<BudgetStore.Bucket> buckets, List<BudgetStore.Claim> claims,
            Optional<String> keyId) {
        /** @return the reservation, once the store has granted it */
        Reservation reserved(BudgetBook book, BudgetStore.Grant grant) {
            return book.new Reservation(holds, grant, keyId);
        }
    }

    /**
     * The outcome of {@link #reserve}: a reservation, or the budget that is exhausted.
     *
     * @param reservation the reservation, when every budget had room
     * @param exhausted the first budget without room
     */
    public record Result(Optional<Reservation> reservation, Optional<Exhausted> exhausted) {}

    /** @return budget windows held in this process's memory (0 when Redis holds them) */
    long budgetWindowsInMemory() {
        return local == null ? 0 : local.inMemory();
    }

    /** @return whether a user budget's window for {@code user} is in this process's memory */
    boolean userWindowInMemory(BudgetDef def, String user) {
        return local != null && local.inMemory(new Hold(def, Optional.of(user), def.limit(), Money.ZERO));
    }

    /**
     * @return the highest utilisation (spent and reserved over limit) of the global budgets, 0 with none; shared
     *     counters come from this replica's last settle when it is under {@link SharedBudgetCounters#RECENT} old
     */
    public double globalUtilization() {
        double max = 0;
        for (BudgetDef b : budgets) {
            if (b.scope() == BudgetScope.GLOBAL && shared != null) {
                BudgetStore.BucketState s = shared.recentState(new Hold(b, Optional.empty(), b.limit(),
                        Money.ZERO));
                max = Math.max(max, s.spent().plus(s.reserved()).ratioOf(b.limit()));
            } else if (b.scope() == BudgetScope.GLOBAL) {
                max = Math.max(max, local.utilization(new Hold(b, Optional.empty(), b.limit(), Money.ZERO)));
            }
        }
        return max;
    }

    /**
     * A budget's state for the admin API.
     *
     * @param name the budget
     * @param scope what it counts
     * @param scopeValue which key or model, if scoped
     * @param window day or month
     * @param limit the limit
     * @param spent spent in the window
     * @param reserved held by calls in flight
     * @param resetsAt when the window ends
     * @param onExhausted what happens when spent
     */
    public record Status(String name, BudgetScope scope, Optional<String> scopeValue, BudgetWindow window,
            Money limit, Money spent, Money reserved, Instant resetsAt, OnExhausted onExhausted) {
        /** @return spent plus reserved over the limit */
        public double utilization() {
            return spent.plus(reserved).ratioOf(limit);
        }
    }

    /**
     * A virtual key as budgets see it.
     *
     * @param id the key's id
     * @param ownBudget the key's own limit and window, if it has one
     * @param team the key's {@code team} tag, which team-scoped budgets count by
     * @param budgetGeneration which count of its own budget's spend is in force
     *     ({@link VirtualKey#budgetGeneration()})
     */
    public record BudgetedKey(String id, Optional<Map.Entry<Money, BudgetWindow>> ownBudget, Optional<String> team,
            long budgetGeneration) {
        public BudgetedKey {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(ownBudget, "ownBudget");
            Objects.requireNonNull(team, "team");
        }

        /**
         * @param id the key's id
         * @param limit its own budget limit, if any
         * @param window that budget's window
         * @param tags its tags; {@code team} among them places it in a team
         * @return the key as budgets see it
         */
        public static BudgetedKey of(String id, Optional<Money> limit, BudgetWindow window, Map<String, String> tags) {
            return of(id, limit, window, tags, 0);
        }

        /** As above, its own budget counted in {@code budgetGeneration}. */
        static BudgetedKey of(String id, Optional<Money> limit, BudgetWindow window, Map<String, String> tags,
                long budgetGeneration) {
            return new BudgetedKey(id, limit.map(l -> Map.entry(l, window)), Optional.ofNullable(tags.get("team")),
                    budgetGeneration);
        }

        /** @return a virtual key as budgets see it */
        public static BudgetedKey of(VirtualKey key) {
            return of(key.id(), key.budgetLimit(), key.budgetWindow(), key.tags(), key.budgetGeneration());
        }
    }

    /**
     * Whose spend a request is: the key it came with (its own, key and team budgets) and the end user it names (user
     * budgets; the body's {@code user} field).
     *
     * @param key the caller's virtual key, if any
     * @param user the end user, if the request names one
     */
    public record Spender(Optional<BudgetedKey> key, Optional<String> user) {
        /** No key, no user: only global and model budgets hold the request. */
        public static final Spender NOBODY = new Spender(Optional.empty(), Optional.empty());

        public Spender {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(user, "user");
        }

        /** @return a spender with this key and no user */
        public static Spender of(BudgetedKey key) {
            return new Spender(Optional.of(key), Optional.empty());
        }
    }

    /**
     * The state of every budget in its current window for these models and keys, including the model-, key- and
     * team-scoped windows no request has used since this book started (their spend is rebuilt from the ledger), so
     * that a restart does not hide them.
     *
     * @param models the models a model-scoped budget covers
     * @param keys the keys key- and team-scoped budgets cover, and those with a budget of their own
     * @return the states, by name and scope value
     */
    public List<Status> statuses(Collection<String> models, Collection<BudgetedKey> keys) {
        List<Hold> holds = new ArrayList<>();
        for (String model : models) {
            holds.addAll(applicable(Spender.NOBODY, model, Money.ZERO));
        }
        for (BudgetedKey k : keys) {
            applicable(Spender.of(k), "", Money.ZERO).stream()
                    .filter(h -> h.def().scope() == BudgetScope.KEY || h.def().scope() == BudgetScope.TEAM)
                    .forEach(holds::add);
        }
        for (Hold h : holds) {
            if (shared != null) {
                shared.track(h); // its state is read with every other known bucket's below
            } else {
                local.track(h);
            }
        }
        // A key's own budget shows in its current window only: not in one it had before a PATCH, nor once removed.
        Map<String, Optional<BudgetWindow>> ownWindows = new java.util.HashMap<>();
        keys.forEach(k -> ownWindows.put("key:" + k.id(), k.ownBudget().map(Map.Entry::getValue)));
        return statuses().stream().filter(s -> s.scope() != BudgetScope.KEY || !ownWindows.containsKey(s.name())
                || ownWindows.get(s.name()).equals(Optional.of(s.window()))).toList();
    }

    /** @return the state of every budget counted so far in its current window (global ones always) */
    public List<Status> statuses() {
        if (shared != null) {
            return sharedStatuses();
        }
        for (BudgetDef b : budgets) {
            if (b.scope() == BudgetScope.GLOBAL) {
                local.track(new Hold(b, Optional.empty(), b.limit(), Money.ZERO));
            }
        }
        List<Status> out = local.statuses();
        out.sort(java.util.Comparator.comparing(Status::name).thenComparing(s -> s.scopeValue().orElse("")));
        return out;
    }

    /**
     * Restores the spend of every budget window Redis lacks from the ledger: global windows now, the others the first
     * time they are used. Called at start; a window Redis loses later is rebuilt the next time it is used or read.
     * Nothing to do without a shared store (local counters are rebuilt on first use).
     */
    public void rebuildSharedFromLedger() {
        if (shared == null) {
            return;
        }
        for (BudgetDef b : budgets) {
            if (b.scope() == BudgetScope.GLOBAL) {
                shared.state(new Hold(b, Optional.empty(), b.limit(), Money.ZERO));
            }
        }
    }

    private List<Status> sharedStatuses() {
        for (BudgetDef b : budgets) {
            if (b.scope() == BudgetScope.GLOBAL) {
                shared.state(new Hold(b, Optional.empty(), b.limit(), Money.ZERO));
            }
        }
        Instant current = clock.instant();
        Map<BudgetStore.Bucket, Hold> known = shared.known();
        // A key's own budget counted afresh leaves the bucket of its earlier count among the known: not shown.
        Map<String, Long> latest = new HashMap<>();
        known.values().forEach(h -> latest.merge(countName(h), h.generation(), Math::max));
        List<Status> out = new ArrayList<>();
        known.forEach((bucket, h) -> {
            if (!bucket.windowStart().equals(windowStart(h.def().window(), current))
                    || h.generation() < latest.get(countName(h))) {
                return; // a past window, or an earlier count
            }
            BudgetStore.BucketState s = shared.state(h);
            out.add(new Status(h.def().name(), h.def().scope(), h.scopeValue(), h.def().window(), h.limit(),
                    s.spent(), s.reserved(), windowEnd(h.def().window(), bucket.windowStart()),
                    h.def().onExhausted()));
        });
        out.sort(java.util.Comparator.comparing(Status::name).thenComparing(s -> s.scopeValue().orElse("")));
        return out;
    }

    /** @return the budget, window and scope value a hold counts, whatever its generation */
    private static String countName(Hold h) {
        return h.def().name() + "|" + h.def().window() + "|" + h.scopeValue().orElse("");
    }

    private List<Hold> applicable(Spender who, String model, Money amount) {
        Optional<BudgetedKey> key = who.key();
        List<Hold> holds = new ArrayList<>();
        for (BudgetDef b : budgets) {
            switch (b.scope()) {
                case GLOBAL -> holds.add(new Hold(b, Optional.empty(), b.limit(), amount));
                case KEY -> key.ifPresent(k -> holds.add(new Hold(b, Optional.of(k.id()), b.limit(), amount)));
                case MODEL -> holds.add(new Hold(b, Optional.of(model), b.limit(), amount));
                // A key without a team tag is not held by team budgets: there is no team to count it under.
                case TEAM -> key.flatMap(BudgetedKey::team)
                        .ifPresent(t -> holds.add(new Hold(b, Optional.of(t), b.limit(), amount)));
                // Likewise a request that names no end user is not held by user budgets.
                case USER -> who.user().ifPresent(u -> holds.add(new Hold(b, Optional.of(u), b.limit(), amount)));
            }
        }
        // Charged only while the key has a budget: a budget added back, or moved to another window, is a new
        // generation, counted afresh from the ledger (which holds the spend made meanwhile), never the old counter.
        key.ifPresent(k -> {
            latestKeys.merge(k.id(), k, (was, now) -> now.budgetGeneration() >= was.budgetGeneration() ? now : was);
            ownHold(k, amount).ifPresent(holds::add);
        });
        return holds;
    }

    /** @return the hold of the key's own budget, if it has one */
    private static Optional<Hold> ownHold(BudgetedKey k, Money amount) {
        return k.ownBudget().map(b -> {
            BudgetDef own = new BudgetDef("key:" + k.id(), BudgetScope.KEY, b.getValue(), b.getKey(),
                    OnExhausted.REJECT, Optional.empty(), List.of());
            return new Hold(own, Optional.of(k.id()), own.limit(), amount, k.budgetGeneration());
        });
    }

    /** @return the ledger records a hold's window counts: all, or those of its key, model, team or user */
    static Map<String, String> ledgerMatch(Hold h) {
        return switch (h.def().scope()) {
            case GLOBAL -> Map.of();
            case KEY -> Map.of("key", h.scopeValue().orElse(""));
            case MODEL -> Map.of("model", h.scopeValue().orElse(""));
            case TEAM -> Map.of("team", h.scopeValue().orElse(""));
            case USER -> Map.of("user", h.scopeValue().orElse(""));
        };
    }

    static Instant windowStart(BudgetWindow w, Instant now) {
        return calendar(w).spanAt(now).start();
    }

    static Instant windowEnd(BudgetWindow w, Instant start) {
        return calendar(w).spanAt(start).end();
    }

    /**
     * The library's window a configured one counts by (the planner counts a replayed budget by the same): the
     * gateway's days and months are UTC ones.
     *
     * @param w the configured window
     * @return the window
     */
    static dev.costwise.llm.budget.BudgetWindow calendar(BudgetWindow w) {
        return switch (w) {
            case DAY -> dev.costwise.llm.budget.BudgetWindow.daily(ZoneOffset.UTC);
            case MONTH -> dev.costwise.llm.budget.BudgetWindow.monthly(ZoneOffset.UTC);
        };
    }
}
