package dev.costwise.llm.routing;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.RouteSelector;
import dev.costwise.core.composition.Router;
import dev.costwise.core.composition.UnknownRouteException;
import dev.costwise.core.metrics.PrimitiveMetrics;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A core {@link Router} over chat models that is itself a {@link ChatModel}: it streams, and every decorator that takes
 * a chat model ({@code CachedChatModel}, {@code BudgetedChatModel}, {@code MeteredChatModel}, the
 * {@code dev.costwise.llm.resilience} decorators) can wrap the whole router. Its {@link #models()} are every route's,
 * so a budget around it holds each call at the dearest model a route may bill, and a budget on one route's model at
 * that model's worst case.
 *
 * <p>Calls and streams are routed by one core router, so they share its selection, its default route and
 * {@link UnknownRouteException}, its {@code route} record ({@code route}, and {@code requested} when the default
 * replaced an unknown name; cost records name the route from it), its {@link #routeCounts()} and its metrics. A
 * stream goes to the chosen model's {@link ChatModel#stream}. The request reaches the chosen model unchanged. Each
 * call is routed and run on its own {@linkplain WorkflowContext#scope() scope} of the context, so calls routed at the
 * same time on one context each record their own route on their cost records; every record lands in the context.
 *
 * <pre>{@code
 * ChatRouter router = ChatRouter.builder("router")
 *     .route("local", llama).route("mini", mini).route("premium", cachedGpt4o)
 *     .selector((req, ctx) -> req.lastUserText().length() < 100 ? "local" : "mini")
 *     .defaultRoute("mini").build();
 * ChatModel protectedRouter = ResilientChatModel.builder(router).retry(retry).build();
 * try (ChatStream s = protectedRouter.stream(request, ctx)) { s.forEachRemaining(c -> ui.append(c.contentDelta())); }
 * }</pre>
 *
 * <p>Its {@link #name()} is the router's, its {@link #provider()} is {@code router}. Immutable and thread-safe.
 */
public final class ChatRouter implements ChatModel {

    private final Router<ChatRequest, ChatResponse> router;
    private final Map<String, ChatModel> models;
    /** Every route's models, fixed at build: a budget around the router asks for them on each call. */
    private final Set<String> billable;

    private ChatRouter(Builder b) {
        this.router = b.router.build();
        this.models = Collections.unmodifiableMap(new LinkedHashMap<>(b.models));
        this.billable = ChatModel.modelsOf(models.values());
    }

    /**
     * Starts building a router.
     *
     * @param name names the router in records, metrics and errors
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return router.name();
    }

    /** @return the models of every route */
    @Override
    public Set<String> models() {
        return billable;
    }

    /** @return {@code router} */
    @Override
    public String provider() {
        return "router";
    }

    /** @return the route names, in declaration order */
    public Set<String> routeNames() {
        return router.routeNames();
    }

    /** @return the default route, if set */
    public Optional<String> defaultRoute() {
        return router.defaultRoute();
    }

    /**
     * The route a request would take, without calling or counting it.
     *
     * @param request the request
     * @param context the request's context
     * @return the route name (the default when the selector names an unknown route)
     * @throws UnknownRouteException if the selector names an unknown route and there is no default
     */
    public String select(ChatRequest request, WorkflowContext context) {
        return router.select(request, context);
    }

    /** @return calls and streams per route since the router was built, every route listed, in declaration order */
    public Map<String, Long> routeCounts() {
        return router.routeCounts();
    }

    /**
     * @throws UnknownRouteException if the selector names an unknown route and there is no default
     */
    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        return router.execute(request, context.scope());
    }

    /**
     * Streams a completion from the model of the route the selector chooses.
     *
     * @param request the request
     * @param context the request's context
     * @return the chosen model's open stream; the caller must close it
     * @throws UnknownRouteException if the selector names an unknown route and there is no default
     */
    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        WorkflowContext call = context.scope();
        return router.dispatch(request, call, route -> models.get(route).stream(request, call));
    }

    @Override
    public String toString() {
        return "ChatRouter[" + name() + ", routes=" + routeNames() + ", default=" + defaultRoute().orElse(null) + "]";
    }

    /** Builds a {@link ChatRouter}. Not thread-safe. */
    public static final class Builder {
        private final Router.Builder<ChatRequest, ChatResponse> router;
        private final Map<String, ChatModel> models = new LinkedHashMap<>();

        private Builder(String name) {
            this.router = Router.builder(name);
        }

        /**
         * Adds a route.
         *
         * @param routeName names the route; unique
         * @param model the model on the route, possibly decorated
         * @return this builder
         * @throws IllegalArgumentException if {@code routeName} is blank or already used
         */
        public Builder route(String routeName, ChatModel model) {
            Objects.requireNonNull(model, "model");
            router.route(routeName, model);
            models.put(routeName, model);
            return this;
        }

        /**
         * Adds every route of a map, in its iteration order.
         *
         * @param named models by route name
         * @return this builder
         * @throws IllegalArgumentException if a route name is blank or already used
         */
        public Builder routes(Map<String, ? extends ChatModel> named) {
            named.forEach(this::route);
            return this;
        }

        /**
         * Sets the routing function. Required.
         *
         * @param selector names the route for a request; fast, thread-safe and free of side effects
         * @return this builder
         */
        public Builder selector(RouteSelector<? super ChatRequest> selector) {
            router.selector(selector);
            return this;
        }

        /**
         * Sets the route taken when the selector names an unknown one. Default: none (an unknown route fails).
         *
         * @param routeName one of the routes (checked in {@link #build()})
         * @return this builder
         */
        public Builder defaultRoute(String routeName) {
            router.defaultRoute(routeName);
            return this;
        }

        /**
         * Sets where calls, streams and routes are reported. Default {@link PrimitiveMetrics#NONE}.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder metrics(PrimitiveMetrics metrics) {
            router.metrics(metrics);
            return this;
        }

        /**
         * @return the router
         * @throws IllegalStateException if there is no route, no selector, or the default route is not a route
         */
        public ChatRouter build() {
            return new ChatRouter(this);
        }
    }
}
