package dev.costwise.core.composition;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.internal.Attributes;
import dev.costwise.core.internal.Checks;
import dev.costwise.core.internal.Instrumented;
import dev.costwise.core.metrics.PrimitiveMetrics;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Sends each input to one of several named routes chosen by a {@link RouteSelector}.
 *
 * <p>A route name the router does not have goes to the default route when one is set, and fails with
 * {@link UnknownRouteException} (listing the known routes) otherwise. {@link #select} answers which route an input
 * would take without running it. Records a {@code route} event ({@code route}, and {@code requested} when the
 * default replaced an unknown name) and keeps per-route counts. {@link #dispatch} routes the same way but lets the
 * caller run the chosen route, for targets with more operations than {@code execute}. Thread-safe.
 *
 * <pre>{@code
 * Router<Req, Resp> router = Router.<Req, Resp>builder("tier")
 *     .route("cheap", cheap).route("premium", premium)
 *     .selector((req, ctx) -> req.isComplex() ? "premium" : "cheap")
 *     .defaultRoute("cheap")
 *     .build();
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class Router<I, O> implements Primitive<I, O> {

    private final String name;
    private final Map<String, Primitive<I, O>> routes;
    private final RouteSelector<? super I> selector;
    private final String defaultRoute;
    private final PrimitiveMetrics metrics;
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    private Router(Builder<I, O> b) {
        this.name = b.name;
        this.routes = Collections.unmodifiableMap(new LinkedHashMap<>(b.routes));
        this.selector = b.selector;
        this.defaultRoute = b.defaultRoute;
        this.metrics = PrimitiveMetrics.failSafe(b.metrics);
        routes.keySet().forEach(r -> counts.put(r, new LongAdder()));
    }

    /**
     * Starts building a router.
     *
     * @param name names the router in records, metrics and errors
     * @param <I> input type
     * @param <O> output type
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <I, O> Builder<I, O> builder(String name) {
        return new Builder<>(Checks.requireName(name));
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the route names, in declaration order */
    public java.util.Set<String> routeNames() {
        return routes.keySet();
    }

    /** @return the default route, if set */
    public Optional<String> defaultRoute() {
        return Optional.ofNullable(defaultRoute);
    }

    /**
     * The route {@code input} would take, without running it or counting it.
     *
     * @param input the input
     * @param context the request's context
     * @return the route name (the default when the selector names an unknown route)
     * @throws UnknownRouteException if the selector names an unknown route and there is no default
     */
    public String select(I input, WorkflowContext context) {
        String requested = selector.select(input, context);
        String route = resolve(requested);
        if (route == null) {
            throw new UnknownRouteException(name, requested, routes.keySet());
        }
        return route;
    }

    /** @return the route a selector's answer leads to: itself if known, else the default; {@code null} if neither */
    private String resolve(String requested) {
        return requested != null && routes.containsKey(requested) ? requested : defaultRoute;
    }

    /** @return calls per route since the router was built, every route listed, in declaration order */
    public Map<String, Long> routeCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        routes.keySet().forEach(r -> out.put(r, counts.get(r).sum()));
        return out;
    }

    @Override
    public O execute(I input, WorkflowContext context) {
        return dispatch(input, context, route -> routes.get(route).execute(input, context));
    }

    /**
     * Routes {@code input} exactly as {@link #execute} does, but hands the chosen route's name to {@code onRoute}
     * instead of running the route's primitive: the same selection, default and unknown-route handling,
     * {@code route} record, route count and metrics, the call timed around {@code onRoute}. For routers whose targets
     * do more than {@code execute}, such as chat models that also stream: {@code onRoute} runs the chosen target's
     * other operation.
     *
     * @param input the input
     * @param context the request's context
     * @param onRoute runs the chosen route, given its name (one of {@link #routeNames()})
     * @param <R> what {@code onRoute} returns
     * @return what {@code onRoute} returned
     * @throws UnknownRouteException if the selector names an unknown route and there is no default
     */
    public <R> R dispatch(I input, WorkflowContext context, Function<String, ? extends R> onRoute) {
        Objects.requireNonNull(onRoute, "onRoute");
        return Instrumented.call(metrics, name, "router", context, () -> {
            String requested = selector.select(input, context);
            String route = resolve(requested);
            if (route == null) {
                metrics.onRejected(name, "unknown_route");
                throw new UnknownRouteException(name, requested, routes.keySet());
            }
            context.record(name, "route", route.equals(requested) ? Attributes.of("route", route)
                    : Attributes.of("route", route, "requested", String.valueOf(requested)));
            counts.get(route).increment();
            metrics.onRoute(name, route);
            return onRoute.apply(route);
        });
    }

    @Override
    public String toString() {
        return "Router[" + name + ", routes=" + routes.keySet() + ", default=" + defaultRoute + "]";
    }

    /**
     * Builds a {@link Router}. Not thread-safe.
     *
     * @param <I> input type
     * @param <O> output type
     */
    public static final class Builder<I, O> {
        private final String name;
        private final Map<String, Primitive<I, O>> routes = new LinkedHashMap<>();
        private RouteSelector<? super I> selector;
        private String defaultRoute;
        private PrimitiveMetrics metrics = PrimitiveMetrics.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Adds a route.
         *
         * @param routeName names the route; unique
         * @param primitive what runs on the route
         * @return this builder
         * @throws IllegalArgumentException if {@code routeName} is blank or already used
         */
        public Builder<I, O> route(String routeName, Primitive<I, O> primitive) {
            Checks.requireName(routeName);
            Checks.requireArgument(!routes.containsKey(routeName),
                    "route name must be unique in router '%s', '%s' was already used", name, routeName);
            routes.put(routeName, Objects.requireNonNull(primitive, "primitive"));
            return this;
        }

        /**
         * Adds every route of a map, in its iteration order.
         *
         * @param named routes by name
         * @return this builder
         */
        public Builder<I, O> routes(Map<String, ? extends Primitive<I, O>> named) {
            named.forEach(this::route);
            return this;
        }

        /**
         * Sets the routing function. Required.
         *
         * @param selector names the route for an input
         * @return this builder
         */
        public Builder<I, O> selector(RouteSelector<? super I> selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /**
         * Sets the route taken when the selector names an unknown one. Default: none (an unknown route fails).
         *
         * @param routeName one of the routes (checked in {@link #build()})
         * @return this builder
         */
        public Builder<I, O> defaultRoute(String routeName) {
            this.defaultRoute = Checks.requireName(routeName);
            return this;
        }

        /**
         * Sets where calls and routes are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder<I, O> metrics(PrimitiveMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @return the router
         * @throws IllegalStateException if there is no route, no selector, or the default route is not a route
         */
        public Router<I, O> build() {
            Checks.requireState(!routes.isEmpty(), "router '%s' needs at least one route, had 0", name);
            Checks.requireState(selector != null, "router '%s' needs a selector, none was set", name);
            Checks.requireState(defaultRoute == null || routes.containsKey(defaultRoute),
                    "defaultRoute of router '%s' must be one of %s, was '%s'", name, routes.keySet(), defaultRoute);
            return new Router<>(this);
        }
    }
}
