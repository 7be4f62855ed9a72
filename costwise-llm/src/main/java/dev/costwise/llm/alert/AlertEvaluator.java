package dev.costwise.llm.alert;

import dev.costwise.core.Money;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetListener;
import dev.costwise.llm.budget.BudgetStatus;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges {@link AlertRule}s as events arrive and sends the alerts they raise to the sinks, each condition at most
 * once per its rule's cool-down.
 *
 * <p>Feed it from the request path: {@link #onCost} for every billed attempt, {@link #onCacheHit}/{@link
 * #onCacheMiss}, {@link #onSuccess}/{@link #onError} for every request, {@link #onResponse} (which also notices silent
 * model downgrades), and budget events through {@link #budgetListener()}. Every method is cheap, never blocks and never
 * throws because of a sink. Windows are read on the injected clock. Thread-safe.
 *
 * <pre>{@code
 * AlertEvaluator alerts = AlertEvaluator.builder()
 *     .rules(AlertRules.specDefaults())
 *     .sink(new LogAlertSink())
 *     .sink(WebhookAlertSink.of(URI.create(slackUrl)))
 *     .build();
 * }</pre>
 */
public final class AlertEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);
    /** The name of the alerts raised when a budget crosses one of its soft thresholds. */
    public static final String BUDGET_THRESHOLD_RULE = "budget_threshold";

    private final Clock clock;
    private final List<AlertRule> rules;
    private final List<AlertSink> sinks;
    private final Map<AlertRule, WindowedTally> tallies;
    /** The budget utilization rules, apart: budget events judge only these, and nothing when there are none. */
    private final List<AlertRule.BudgetUtilizationAtLeast> utilizationRules;
    private final ConcurrentMap<String, Instant> lastFired = new ConcurrentHashMap<>();
    private final LongAdder fired = new LongAdder();
    private final LongAdder suppressed = new LongAdder();

    private AlertEvaluator(Builder b) {
        this.clock = b.clock;
        this.rules = List.copyOf(b.rules);
        this.sinks = List.copyOf(b.sinks);
        Map<AlertRule, WindowedTally> t = new java.util.IdentityHashMap<>();
        for (AlertRule r : rules) {
            switch (r) {
                case AlertRule.SpendAbove s -> t.put(r, new WindowedTally(s.window().toMillis()));
                case AlertRule.CacheHitRateBelow c -> t.put(r, new WindowedTally(c.window().toMillis()));
                case AlertRule.ErrorRateAbove e -> t.put(r, new WindowedTally(e.window().toMillis()));
                case AlertRule.ModelDowngrades d -> t.put(r, new WindowedTally(d.window().toMillis()));
                case AlertRule.BudgetUtilizationAtLeast u -> { }
            }
        }
        this.tallies = t;
        this.utilizationRules = rules.stream().filter(AlertRule.BudgetUtilizationAtLeast.class::isInstance)
                .map(AlertRule.BudgetUtilizationAtLeast.class::cast).toList();
    }

    /** @return a builder: UTC system clock, no rules, no sinks */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Counts a billed attempt's cost towards spend rules.
     *
     * @param record the attempt
     */
    public void onCost(CostRecord record) {
        onSpend(record.cost());
    }

    /**
     * Counts spend towards spend rules.
     *
     * @param cost the amount spent
     */
    public void onSpend(Money cost) {
        Objects.requireNonNull(cost, "cost");
        long now = clock.millis();
        for (AlertRule r : rules) {
            if (r instanceof AlertRule.SpendAbove s) {
                WindowedTally t = tallies.get(r);
                t.add(now, 0, 0, cost);
                Money spent = t.money(now);
                int vsThreshold = spent.compareTo(s.threshold());
                if (vsThreshold >= 0) { // reaching the threshold counts, as for budget_utilization
                    // exact when rounding for people would show the threshold itself, yet it is not reached exactly
                    String shown = vsThreshold > 0 && spent.format().equals(s.threshold().format()) ? "$" + spent
                            : spent.format();
                    raise(s, "", () -> "COST ALERT: spend in the last " + human(s.window()) + " is " + shown
                            + (vsThreshold == 0 ? ", at " : ", above ") + s.threshold().format());
                }
            }
        }
    }

    /** Counts a cache hit towards hit-rate rules. */
    public void onCacheHit() {
        onCacheLookup(1, 0);
    }

    /** Counts a cache miss towards hit-rate rules. */
    public void onCacheMiss() {
        onCacheLookup(0, 1);
    }

    private void onCacheLookup(long hit, long miss) {
        long now = clock.millis();
        for (AlertRule r : rules) {
            if (r instanceof AlertRule.CacheHitRateBelow c) {
                WindowedTally t = tallies.get(r);
                t.add(now, hit, miss, Money.ZERO);
                long[] n = t.counts(now);
                long samples = n[0] + n[1];
                double rate = samples == 0 ? 1.0 : (double) n[0] / samples;
                if (samples >= c.minSamples() && rate < c.threshold()) {
                    raise(c, "", () -> String.format(Locale.ROOT,
                            "CACHE ALERT: hit rate %.1f%% over the last %s (%d lookups), below %.1f%%", rate * 100,
                            human(c.window()), samples, c.threshold() * 100));
                }
            }
        }
    }

    /** Counts a request that succeeded towards error-rate rules. */
    public void onSuccess() {
        onRequest(0, 1, "");
    }

    /**
     * Counts a request that failed towards error-rate rules.
     *
     * @param kind the failure kind ({@code rate_limited}, {@code timeout}…), shown in the alert as the latest
     */
    public void onError(String kind) {
        onRequest(1, 0, Objects.requireNonNull(kind, "kind"));
    }

    private void onRequest(long error, long success, String kind) {
        long now = clock.millis();
        for (AlertRule r : rules) {
            if (r instanceof AlertRule.ErrorRateAbove e) {
                WindowedTally t = tallies.get(r);
                t.add(now, error, success, Money.ZERO);
                long[] n = t.counts(now);
                long samples = n[0] + n[1];
                double rate = samples == 0 ? 0.0 : (double) n[0] / samples;
                if (samples >= e.minSamples() && rate >= e.threshold()) {
                    raise(e, "", () -> String.format(Locale.ROOT,
                            "ERROR ALERT: error rate %.1f%% over the last %s (%d requests), %s %.1f%%%s",
                            rate * 100, human(e.window()), samples, rate == e.threshold() ? "at" : "above",
                            e.threshold() * 100,
                            kind.isEmpty() ? "" : "; latest failure: " + kind));
                }
            }
        }
    }

    /**
     * Counts a successful response, and a silent downgrade when the provider answered with another model.
     *
     * @param response the response
     */
    public void onResponse(ChatResponse response) {
        onSuccess();
        if (response.modelDowngraded()) {
            onDowngrade(response.requestedModel(), response.model());
        }
    }

    /**
     * Counts a provider answering with another model than the one asked for.
     *
     * @param requested the model asked for
     * @param served the model that answered
     */
    public void onDowngrade(String requested, String served) {
        long now = clock.millis();
        for (AlertRule r : rules) {
            if (r instanceof AlertRule.ModelDowngrades d) {
                WindowedTally t = tallies.get(r);
                t.add(now, 1, 0, Money.ZERO);
                long count = t.counts(now)[0];
                if (count >= d.minCount()) {
                    raise(d, "", () -> "DOWNGRADE ALERT: " + count + " responses in the last " + human(d.window())
                            + " came from another model than requested (latest: " + served + " answered for "
                            + requested + ")");
                }
            }
        }
    }

    /**
     * Judges budget rules against a budget's status.
     *
     * @param status the budget's status
     */
    public void onBudgetStatus(BudgetStatus status) {
        Objects.requireNonNull(status, "status");
        if (utilizationRules.isEmpty()) {
            return;
        }
        double used = status.utilization();
        for (AlertRule.BudgetUtilizationAtLeast u : utilizationRules) {
            judge(u, status, used);
        }
    }

    /**
     * Raises {@code rule} for the status's budget if its utilization {@code used} has reached the rule's threshold;
     * the message is built only when the alert is sent (past the rule's cool-down).
     */
    private void judge(AlertRule.BudgetUtilizationAtLeast rule, BudgetStatus status, double used) {
        if (used < rule.threshold()) {
            return;
        }
        String budget = status.budget().name();
        raise(rule, budget, () -> "BUDGET ALERT: " + status.budget().window().label().toLowerCase(Locale.ROOT)
                + " budget '" + budget + "' " + (rule.threshold() >= 1.0 ? "exceeded"
                        : String.format(Locale.ROOT, "at %.1f%%", used * 100))
                + ": spent " + status.spent().format() + " of " + status.limit().format() + "; resets at "
                + status.windowEnd());
    }

    /**
     * Judges budget rules as a budget's utilisation moves, once a call has settled: a rule raises when the move crosses
     * its threshold ({@code before < threshold <= after}), at most once per budget per cool-down.
     *
     * @param budget names the budget, with the key, model, team or user it counts for if any ({@code 'team' for red})
     * @param before settled spend before the call, as a share of the limit
     * @param after settled spend after the call, as a share of the limit
     * @param detail the numbers, appended to the alert ({@code spent $0.63 of $1.00 this day})
     */
    public void onBudgetUtilization(String budget, double before, double after, String detail) {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(detail, "detail");
        for (AlertRule.BudgetUtilizationAtLeast u : utilizationRules) {
            if (before < u.threshold() && after >= u.threshold()) {
                String what = u.threshold() >= 1.0 ? "reached its limit"
                        : String.format(Locale.ROOT, "passed %.0f%% of its limit", u.threshold() * 100);
                raise(u, budget, () -> "BUDGET ALERT: budget " + budget + " " + what + ": " + detail);
            }
        }
    }

    /**
     * A listener to give a {@link dev.costwise.llm.budget.BudgetGuard}. Soft thresholds crossed raise a
     * {@value #BUDGET_THRESHOLD_RULE} warning (the guard already reports each once per window). The
     * {@link AlertRule.BudgetUtilizationAtLeast} rules are judged, each within its cool-down per budget, after every
     * settled call against each budget it was charged to ({@link BudgetListener#onSettled}): a rule below 1.0 fires
     * with the call whose settle takes the budget's utilization to its threshold, whether or not the budget has soft
     * thresholds. A budget that refuses a call has its rules judged the same way, on its settled spend (a budget
     * restored from the ledger may refuse before any settle): a refusal alone raises nothing, as a call whose worst
     * case does not fit is refused while smaller calls still pass; one once spend has reached the limit raises the
     * rules of threshold 1.0 or more as exhausted, every call with a cost being refused (or downgraded) until the
     * window resets.
     *
     * <p>With no utilization rule, a settle costs nothing more than the call; with some, one comparison per rule
     * until a threshold is reached, and the alert's text is built only when it is sent.
     *
     * @return the listener
     */
    public BudgetListener budgetListener() {
        return new BudgetListener() {
            @Override
            public void onThresholdCrossed(BudgetStatus status, double threshold) {
                Alert alert = new Alert(BUDGET_THRESHOLD_RULE, AlertSeverity.WARNING, String.format(Locale.ROOT,
                        "BUDGET ALERT: budget '%s' passed %.0f%% of its %s limit: spent %s of %s",
                        status.budget().name(), threshold * 100, status.budget().window().label().toLowerCase(Locale.ROOT),
                        status.spent().format(), status.limit().format()),
                        BUDGET_THRESHOLD_RULE + ":" + status.budget().name() + ":" + threshold, clock.instant());
                fired.increment();
                dispatch(alert);
            }

            @Override
            public void onSettled(BudgetStatus status) {
                onBudgetStatus(status);
            }

            @Override
            public void onExhausted(BudgetStatus status, Budget.Action action) {
                double used = status.utilization();
                for (AlertRule.BudgetUtilizationAtLeast u : utilizationRules) {
                    if (used < u.threshold()) {
                        continue; // a call that did not fit was refused, but spend is short of this rule
                    }
                    if (u.threshold() < 1.0) {
                        judge(u, status, used);
                    } else {
                        String budget = status.budget().name();
                        raise(u, budget, () -> "BUDGET ALERT: "
                                + status.budget().window().label().toLowerCase(Locale.ROOT)
                                + " budget '" + budget + "' exhausted: spent " + status.spent().format() + " (+"
                                + status.reserved().format() + " reserved) of " + status.limit().format()
                                + "; calls that cost anything are "
                                + (action == Budget.Action.REJECT ? "rejected" : "downgraded")
                                + " until " + status.windowEnd());
                    }
                }
            }
        };
    }

    /** @return alerts sent so far */
    public long firedCount() {
        return fired.sum();
    }

    /** @return alerts held back by a cool-down so far */
    public long suppressedCount() {
        return suppressed.sum();
    }

    private void raise(AlertRule rule, String subject, Supplier<String> message) {
        Instant now = clock.instant();
        String key = subject.isEmpty() ? rule.name() : rule.name() + ":" + subject;
        AtomicBoolean fire = new AtomicBoolean();
        lastFired.compute(key, (k, last) -> {
            if (last == null || !now.isBefore(last.plus(rule.cooldown()))) {
                fire.set(true);
                return now;
            }
            return last;
        });
        if (!fire.get()) {
            suppressed.increment();
            return;
        }
        fired.increment();
        dispatch(new Alert(rule.name(), rule.severity(), message.get(), key, now));
    }

    private void dispatch(Alert alert) {
        for (AlertSink sink : sinks) {
            try {
                sink.send(alert);
            } catch (RuntimeException e) {
                LOG.warn("alert sink {} failed on alert '{}'; ignored", sink.getClass().getSimpleName(),
                        alert.rule(), e);
            }
        }
    }

    static String human(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() == 1 ? "day" : d.toDays() + " days";
        }
        if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
            return d.toHours() == 1 ? "hour" : d.toHours() + " hours";
        }
        if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
            return d.toMinutes() == 1 ? "minute" : d.toMinutes() + " minutes";
        }
        return d.toString();
    }

    /** Builds an {@link AlertEvaluator}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private final List<AlertRule> rules = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private final List<AlertSink> sinks = new ArrayList<>();

        private Builder() {}

        /** @param value the clock windows and cool-downs are read on; default UTC system clock; @return this */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Adds a rule.
         *
         * @param rule the rule
         * @return this builder
         * @throws IllegalStateException if a rule of the same name was already added
         */
        public Builder rule(AlertRule rule) {
            Objects.requireNonNull(rule, "rule");
            if (!names.add(rule.name())) {
                throw new IllegalStateException("an alert rule named '" + rule.name() + "' was already added");
            }
            rules.add(rule);
            return this;
        }

        /** @param values rules to add; @return this builder */
        public Builder rules(List<AlertRule> values) {
            Objects.requireNonNull(values, "rules").forEach(this::rule);
            return this;
        }

        /** @param sink where alerts go; add several to fan out; @return this builder */
        public Builder sink(AlertSink sink) {
            sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /** @return the evaluator */
        public AlertEvaluator build() {
            return new AlertEvaluator(this);
        }
    }
}
