package dev.costwise.core.composition;

import dev.costwise.core.CostwiseException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A {@link Router}'s selector named a route the router does not have, and it has no default route. */
public final class UnknownRouteException extends CostwiseException {

    private final String router;
    private final String route;
    private final List<String> knownRoutes;

    /**
     * @param router the router's name
     * @param route the route the selector asked for
     * @param knownRoutes the routes the router has
     */
    public UnknownRouteException(String router, String route, Set<String> knownRoutes) {
        super("router '" + router + "' has no route '" + route + "' and no default route; known routes: "
                + List.copyOf(knownRoutes));
        this.router = Objects.requireNonNull(router, "router");
        this.route = String.valueOf(route);
        this.knownRoutes = List.copyOf(knownRoutes);
    }

    /** @return the router's name */
    public String router() {
        return router;
    }

    /** @return the route asked for */
    public String route() {
        return route;
    }

    /** @return the routes the router has, in declaration order */
    public List<String> knownRoutes() {
        return knownRoutes;
    }
}
