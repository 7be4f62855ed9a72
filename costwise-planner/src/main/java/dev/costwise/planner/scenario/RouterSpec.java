package dev.costwise.planner.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Named routes, rules that pick one, and the default route for requests no rule matches.
 *
 * @param routes route name to target, in declaration order
 * @param rules the rules, first match wins
 * @param defaultRoute the route when no rule matches
 */
public record RouterSpec(Map<String, Target> routes, List<RouteRule> rules, String defaultRoute) {

    public RouterSpec {
        routes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        rules = List.copyOf(rules);
        Objects.requireNonNull(defaultRoute, "defaultRoute");
        ScenarioException.require(!routes.isEmpty(), "router needs at least one route");
        ScenarioException.require(routes.containsKey(defaultRoute), "router default '%s' is not a route; routes are %s",
                defaultRoute, routes.keySet());
        for (RouteRule rule : rules) {
            ScenarioException.require(routes.containsKey(rule.route()), "router rule names route '%s', which is not"
                    + " a route; routes are %s", rule.route(), routes.keySet());
        }
    }
}
