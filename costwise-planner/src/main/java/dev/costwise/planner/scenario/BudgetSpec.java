package dev.costwise.planner.scenario;

import dev.costwise.core.Money;
import dev.costwise.llm.budget.BudgetWindow;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A budget in a pipeline: a limit on the spend of each window (a UTC day, as the gateway counts {@code window: day};
 * a UTC month for {@code window: month}), starting again from zero in the next. With {@code tiers}, routing follows
 * utilization (the window's spend / limit): the first tier whose {@code below} exceeds the utilization picks the route
 * (the spec's Pattern 3: below 50% premium, below 80% mid, else free). When the budget has no room left for a
 * request's worst case (reserved before the call, as the gateway does), the request goes to {@code exhaustedRoute}
 * (Pattern 2's budget-aware fallback: the free model; the gateway's {@code downgrade_to}) or, without one, is rejected.
 * A request sent there is tried on that route and then on {@code exhaustedFallbacks} only, never on the pipeline's
 * fallbacks: the gateway's downgrade replaces the request's candidates by the models {@code downgrade_to} names.
 * A budget's {@link Scope} says whose spend it counts, as the gateway's {@code scope} does: all of it, or each
 * model's, virtual key's, team's or end user's apart, each against the whole limit. A {@code scope: model} budget
 * holds a call by the model it goes to; a key, team or user budget holds only the requests of a caller that names one
 * (the trace's {@code key}, the key's team, the request's {@code user}), as the gateway holds none of the others.
 *
 * @param limit the most spent in one window, at least 0
 * @param window the period the spend is counted over, the library's {@link BudgetWindow}
 * @param tiers utilization tiers, ascending
 * @param exhaustedRoute where requests go once the budget has no room for their worst case
 * @param exhaustedFallbacks what is tried after the exhausted route fails (the rest of a {@code downgrade_to} group)
 * @param scope whose spend it counts
 * @param key the one virtual key it holds, for a key's own budget (the gateway's {@code keys[].budget}); empty for a
 *     budget that holds every key ({@code scope: key}) or is not scoped to keys
 */
public record BudgetSpec(Money limit, BudgetWindow window, List<Tier> tiers, Optional<String> exhaustedRoute,
        List<CallSite> exhaustedFallbacks, Scope scope, Optional<String> key) {

    /** Whose spend a budget counts: the gateway's {@code scope}. */
    public enum Scope {
        /** All spend. */
        GLOBAL,
        /** Each model's spend apart. */
        MODEL,
        /** Each virtual key's spend apart; requests without a key are not held. */
        KEY,
        /** Each team's spend apart (the {@code team} tag of the caller's key); requests without one are not held. */
        TEAM,
        /** Each end user's spend apart (the request's {@code user}); requests naming none are not held. */
        USER
    }

    public BudgetSpec {
        Objects.requireNonNull(limit, "limit");
        // as the gateway: a $0 limit is a budget too, with room for free calls only
        ScenarioException.require(!limit.isNegative(), "budget limit cannot be negative, was %s", limit);
        Objects.requireNonNull(window, "window");
        tiers = List.copyOf(tiers);
        Objects.requireNonNull(exhaustedRoute, "exhaustedRoute");
        exhaustedFallbacks = List.copyOf(exhaustedFallbacks);
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(key, "key");
        ScenarioException.require(key.isEmpty() || scope == Scope.KEY, "only a key budget holds one key, not a %s"
                + " budget", scope);
        for (int i = 1; i < tiers.size(); i++) {
            ScenarioException.require(tiers.get(i).below() > tiers.get(i - 1).below(),
                    "budget tiers must ascend, %s follows %s", tiers.get(i).below(), tiers.get(i - 1).below());
        }
    }

    /**
     * A budget on all spend, or each model's; the components as above.
     *
     * @param perModel {@code true} to count each model's spend apart ({@code scope: model}); {@code false} for all
     */
    public BudgetSpec(Money limit, BudgetWindow window, List<Tier> tiers, Optional<String> exhaustedRoute,
            List<CallSite> exhaustedFallbacks, boolean perModel) {
        this(limit, window, tiers, exhaustedRoute, exhaustedFallbacks, perModel ? Scope.MODEL : Scope.GLOBAL,
                Optional.empty());
    }

    /** @return whether it counts each model's spend apart ({@code scope: model}) */
    public boolean perModel() {
        return scope == Scope.MODEL;
    }

    /**
     * A budget on all spend ({@code scope: global}); the components as above.
     */
    public BudgetSpec(Money limit, BudgetWindow window, List<Tier> tiers, Optional<String> exhaustedRoute,
            List<CallSite> exhaustedFallbacks) {
        this(limit, window, tiers, exhaustedRoute, exhaustedFallbacks, false);
    }

    /**
     * A budget per UTC day, the gateway's {@code window: day}.
     *
     * @param limit the most spent in one day
     * @param tiers utilization tiers, ascending
     * @param exhaustedRoute where requests go once the budget has no room for their worst case
     * @return the budget
     */
    public static BudgetSpec daily(Money limit, List<Tier> tiers, Optional<String> exhaustedRoute) {
        return new BudgetSpec(limit, BudgetWindow.daily(ZoneOffset.UTC), tiers, exhaustedRoute, List.of());
    }

    /**
     * One utilization tier.
     *
     * @param below the tier applies while utilization is below this share of the budget, in (0, 1]
     * @param route the route to take
     */
    public record Tier(double below, String route) {
        public Tier {
            ScenarioException.require(below > 0 && below <= 1, "budget tier below must be in (0, 1], was %s", below);
            Objects.requireNonNull(route, "route");
        }
    }
}
