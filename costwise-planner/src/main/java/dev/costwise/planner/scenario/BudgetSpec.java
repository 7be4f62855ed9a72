package dev.costwise.planner.scenario;

import dev.costwise.core.Money;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A daily budget in a pipeline. With {@code tiers}, routing follows utilization (spend / daily): the first tier whose
 * {@code below} exceeds the utilization picks the route (the spec's Pattern 3: below 50% premium, below 80% mid, else
 * free). When the budget has no room left for a request's worst case (reserved before the call, as the gateway
 * does), the request goes to {@code exhaustedRoute} (Pattern 2's budget-aware fallback: the free model) or, without
 * one, is rejected.
 *
 * @param daily the budget per day
 * @param tiers utilization tiers, ascending
 * @param exhaustedRoute where requests go once the budget has no room for their worst case
 */
public record BudgetSpec(Money daily, List<Tier> tiers, Optional<String> exhaustedRoute) {

    public BudgetSpec {
        Objects.requireNonNull(daily, "daily");
        ScenarioException.require(daily.isPositive(), "budget daily must be positive, was %s", daily);
        tiers = List.copyOf(tiers);
        Objects.requireNonNull(exhaustedRoute, "exhaustedRoute");
        for (int i = 1; i < tiers.size(); i++) {
            ScenarioException.require(tiers.get(i).below() > tiers.get(i - 1).below(),
                    "budget tiers must ascend, %s follows %s", tiers.get(i).below(), tiers.get(i - 1).below());
        }
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
