package dev.costwise.llm.budget;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The spec's budget-aware routing (Pattern 3): below 50% of the budget used, calls go to the premium model; from 50%
 * to 80%, to the mid-tier model; from 80%, to the free model. Thresholds are configurable.
 *
 * <p>Utilization is committed spend (settled spend plus the reservations of calls still running) over the limit,
 * the highest among the governing budgets: those named with {@link Builder#budgets}, or by default every budget that is
 * not model-scoped and applies to the request's tags. Each call records a {@code route} step ({@code route},
 * {@code utilization}) and is sent to the chosen model with the request's {@code model} set to it.
 *
 * <p>The free model must cost $0 by the guard's catalog ({@link Builder#free} checks), and its calls go through the
 * guard: they reserve nothing and pass, and a model the catalog prices above $0 by then is refused, so routing to it
 * never takes spend past a hard limit. Wrap the premium and mid models in {@link BudgetedChatModel} with the same
 * guard, so their calls are held to the budgets too.
 *
 * <p>{@link #selector()} gives the same choice as a routing function for a generic router. Thread-safe.
 */
public final class BudgetAwareRouter implements ChatModel {

    /** Route name of the premium tier. */
    public static final String PREMIUM = "premium";
    /** Route name of the mid tier. */
    public static final String MID = "mid";
    /** Route name of the free tier. */
    public static final String FREE = "free";

    private final String name;
    private final Map<String, ChatModel> routes;
    private final BudgetUtilization utilization;
    private final double midAt;
    private final double freeAt;

    private BudgetAwareRouter(Builder b) {
        this.name = b.name;
        // in tier order, so models() lists them as documented, the same on every run
        Map<String, ChatModel> tiers = new LinkedHashMap<>();
        tiers.put(PREMIUM, b.premium);
        tiers.put(MID, b.mid);
        tiers.put(FREE, BudgetedChatModel.of(b.free, b.guard));
        this.routes = Collections.unmodifiableMap(tiers);
        this.utilization = new BudgetUtilization(b.guard.budgets(), b.names);
        this.midAt = b.midAt;
        this.freeAt = b.freeAt;
    }

    /**
     * Starts a router. Defaults: mid tier from 0.5, free tier from 0.8, every non-model budget that applies.
     *
     * @param name names the router in records
     * @param guard the guard whose budgets' utilization drives the choice, and which holds the free model's calls
     * @return a builder
     * @throws IllegalArgumentException if the name is blank
     */
    public static Builder builder(String name, BudgetGuard guard) {
        return new Builder(name, guard);
    }

    /**
     * The route for a request: {@value #PREMIUM}, {@value #MID} or {@value #FREE}.
     *
     * @param context the request's context
     * @return the route name
     */
    public String route(WorkflowContext context) {
        return routeAt(utilization.of(context));
    }

    private String routeAt(double used) {
        return used >= freeAt ? FREE : used >= midAt ? MID : PREMIUM;
    }

    /** @return the routing function ({@code (request, context) -> route name}) for a generic router */
    public BiFunction<ChatRequest, WorkflowContext, String> selector() {
        return (request, context) -> route(context);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the models of every model it may call, in tier order: premium's, then mid's, then free's */
    @Override
    public Set<String> models() {
        return ChatModel.modelsOf(routes.values());
    }

    @Override
    public String provider() {
        return "router";
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        ChatModel model = choose(context);
        return model.execute(request.withModel(model.name()), context);
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        ChatModel model = choose(context);
        return model.stream(request.withModel(model.name()), context);
    }

    private ChatModel choose(WorkflowContext context) {
        double used = utilization.of(context);
        String route = routeAt(used);
        ChatModel model = routes.get(route);
        context.record(name, "route", Map.of("route", route, "model", model.name(), "utilization", used));
        return model;
    }

    /** Builds a {@link BudgetAwareRouter}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final BudgetGuard guard;
        private final List<String> names = new ArrayList<>();
        private ChatModel premium;
        private ChatModel mid;
        private ChatModel free;
        private double midAt = 0.5;
        private double freeAt = 0.8;

        private Builder(String name, BudgetGuard guard) {
            this.name = Objects.requireNonNull(name, "name");
            this.guard = Objects.requireNonNull(guard, "guard");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name cannot be blank");
            }
        }

        /** @param model the model for low utilization (required); @return this builder */
        public Builder premium(ChatModel model) {
            this.premium = Objects.requireNonNull(model, "premium");
            return this;
        }

        /** @param model the model for middling utilization (required); @return this builder */
        public Builder mid(ChatModel model) {
            this.mid = Objects.requireNonNull(model, "mid");
            return this;
        }

        /**
         * Sets the model for high utilization (required). Its calls go through the guard.
         *
         * @param model a model the guard's catalog prices at $0
         * @return this builder
         * @throws IllegalArgumentException if the guard's catalog does not know the model, or prices it above $0 (the
         *     message names it and its price)
         */
        public Builder free(ChatModel model) {
            Objects.requireNonNull(model, "free");
            guard.requireFree("the free model of '" + name + "'", model.name());
            this.free = model;
            return this;
        }

        /**
         * Sets the utilization at which the mid and free tiers start. Default 0.5 and 0.8.
         *
         * @param mid where the mid tier starts, in (0, free]
         * @param free where the free tier starts, in [mid, 1]
         * @return this builder
         * @throws IllegalArgumentException if the values are out of range or out of order
         */
        public Builder thresholds(double mid, double free) {
            if (!(mid > 0 && mid <= free && free <= 1.0)) {
                throw new IllegalArgumentException("thresholds must satisfy 0 < mid <= free <= 1, were mid=" + mid
                        + ", free=" + free);
            }
            this.midAt = mid;
            this.freeAt = free;
            return this;
        }

        /**
         * Names the budgets that drive the choice. Default: every budget that is not model-scoped and applies to the
         * request's tags.
         *
         * @param budgetNames budget names
         * @return this builder
         */
        public Builder budgets(String... budgetNames) {
            names.addAll(List.of(budgetNames));
            return this;
        }

        /**
         * @return the router
         * @throws IllegalStateException if a tier's model is missing
         * @throws IllegalArgumentException if a named budget is unknown
         */
        public BudgetAwareRouter build() {
            if (premium == null || mid == null || free == null) {
                throw new IllegalStateException("router '" + name + "' needs premium, mid and free models; missing: "
                        + (premium == null ? "premium " : "") + (mid == null ? "mid " : "")
                        + (free == null ? "free" : ""));
            }
            return new BudgetAwareRouter(this);
        }
    }
}
