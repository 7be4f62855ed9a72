package dev.costwise.planner.scenario;

import dev.costwise.llm.chat.ReasoningEffort;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request pipeline in the order the spec composes its primitives: cache → budget → router → retry → fallback.
 * It mirrors the gateway's pipeline concepts (cache, router, retries, fallbacks, budgets); a pipeline either routes
 * ({@code router}) or calls one {@code target}.
 *
 * @param cache a cache in front of everything, if any
 * @param router the router, if any
 * @param target the single target when there is no router
 * @param retry retries of transient failures, if any
 * @param fallbacks models tried in order when a call fails for good
 * @param budgets the budgets that hold every request, in the order the gateway checks them (a scenario's one; a
 *     gateway config's global and per-model ones); the first one's tiers pick routes
 * @param contextWindowFallback the gateway's {@code context_window_fallback} models: a call whose estimated prompt is
 *     over its model's context window, or that fails with a context-length error, goes to these instead (empty: none)
 * @param teams each known virtual key's team (a gateway config's {@code keys[].tags.team}), which {@code scope: team}
 *     budgets count its requests under; a key not listed is in no team
 * @param refusedKeys the virtual keys whose {@code models} list does not name this pipeline, each with its list: the
 *     gateway refuses their requests (403), so a replayed line naming one is refused, costing nothing
 * @param maxReasoningEffort the gateway's {@code max_reasoning_effort} of the pipeline, if it has one: a request's
 *     reasoning is lowered to it before its cache key is taken ({@link dev.costwise.llm.wire.ReasoningBodyCap}), so
 *     requests that differ only in an effort above it share cache entries
 * @param keyRequired whether the gateway requires a virtual key of every request (its configuration lists keys): it
 *     refuses one that comes with none (401), so a replayed line naming no key is refused, costing nothing
 */
public record PipelineSpec(Optional<CacheSpec> cache, Optional<RouterSpec> router, Optional<Target> target,
        Optional<RetrySpec> retry, List<CallSite> fallbacks, List<BudgetSpec> budgets,
        List<CallSite> contextWindowFallback, Map<String, String> teams, Map<String, List<String>> refusedKeys,
        Optional<ReasoningEffort> maxReasoningEffort, boolean keyRequired) {

    public PipelineSpec {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(retry, "retry");
        fallbacks = List.copyOf(fallbacks);
        budgets = List.copyOf(budgets);
        contextWindowFallback = List.copyOf(contextWindowFallback);
        teams = Map.copyOf(teams);
        refusedKeys = Map.copyOf(refusedKeys);
        Objects.requireNonNull(maxReasoningEffort, "maxReasoningEffort");
        ScenarioException.require(router.isPresent() != target.isPresent(),
                "a pipeline needs exactly one of 'router' or 'model'/'steps'");
        for (BudgetSpec budget : budgets) {
            for (BudgetSpec.Tier tier : budget.tiers()) {
                ScenarioException.require(router.isPresent() && router.get().routes().containsKey(tier.route()),
                        "budget tier names route '%s', which is not a router route", tier.route());
            }
            budget.exhaustedRoute().ifPresent(r -> ScenarioException.require(
                    router.isPresent() && router.get().routes().containsKey(r),
                    "budget exhausted names route '%s', which is not a router route", r));
        }
    }

    /**
     * A pipeline that caps no reasoning and takes requests without a key; the components as above.
     */
    public PipelineSpec(Optional<CacheSpec> cache, Optional<RouterSpec> router, Optional<Target> target,
            Optional<RetrySpec> retry, List<CallSite> fallbacks, List<BudgetSpec> budgets,
            List<CallSite> contextWindowFallback, Map<String, String> teams, Map<String, List<String>> refusedKeys) {
        this(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, teams, refusedKeys,
                Optional.empty(), false);
    }

    /**
     * A pipeline every key may call; the components as above.
     */
    public PipelineSpec(Optional<CacheSpec> cache, Optional<RouterSpec> router, Optional<Target> target,
            Optional<RetrySpec> retry, List<CallSite> fallbacks, List<BudgetSpec> budgets,
            List<CallSite> contextWindowFallback, Map<String, String> teams) {
        this(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, teams, Map.of());
    }

    /**
     * A pipeline whose keys are in no team; the components as above.
     */
    public PipelineSpec(Optional<CacheSpec> cache, Optional<RouterSpec> router, Optional<Target> target,
            Optional<RetrySpec> retry, List<CallSite> fallbacks, List<BudgetSpec> budgets,
            List<CallSite> contextWindowFallback) {
        this(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, Map.of());
    }

    /**
     * A pipeline with at most one budget; the components as above.
     */
    public PipelineSpec(Optional<CacheSpec> cache, Optional<RouterSpec> router, Optional<Target> target,
            Optional<RetrySpec> retry, List<CallSite> fallbacks, Optional<BudgetSpec> budget,
            List<CallSite> contextWindowFallback) {
        this(cache, router, target, retry, fallbacks, budget.stream().toList(), contextWindowFallback);
    }

    /** @return the first budget, whose tiers pick routes, if any */
    public Optional<BudgetSpec> budget() {
        return budgets.stream().findFirst();
    }

    /**
     * A pipeline without a context-window fallback; the components as above.
     */
    public PipelineSpec(Optional<CacheSpec> cache, Optional<RouterSpec> router, Optional<Target> target,
            Optional<RetrySpec> retry, List<CallSite> fallbacks, Optional<BudgetSpec> budget) {
        this(cache, router, target, retry, fallbacks, budget, List.of());
    }

    /**
     * @param sites the context-window fallback models
     * @return this pipeline with them
     */
    public PipelineSpec withContextWindowFallback(List<CallSite> sites) {
        return new PipelineSpec(cache, router, target, retry, fallbacks, budgets, sites, teams, refusedKeys,
                maxReasoningEffort, keyRequired);
    }

    /**
     * @param keyTeams each known virtual key's team
     * @return this pipeline with them
     */
    public PipelineSpec withTeams(Map<String, String> keyTeams) {
        return new PipelineSpec(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, keyTeams,
                refusedKeys, maxReasoningEffort, keyRequired);
    }

    /**
     * @param keys the virtual keys that may not call this pipeline, each with the models it may call
     * @return this pipeline with them
     */
    public PipelineSpec withRefusedKeys(Map<String, List<String>> keys) {
        return new PipelineSpec(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, teams, keys,
                maxReasoningEffort, keyRequired);
    }

    /**
     * @param max the most reasoning a request may ask for, if capped
     * @return this pipeline with that cap
     */
    public PipelineSpec withMaxReasoningEffort(Optional<ReasoningEffort> max) {
        return new PipelineSpec(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, teams,
                refusedKeys, max, keyRequired);
    }

    /**
     * @return this pipeline behind a gateway that requires a virtual key of every request (its configuration lists
     *     keys), so that a request without one is refused
     */
    public PipelineSpec withKeyRequired() {
        return new PipelineSpec(cache, router, target, retry, fallbacks, budgets, contextWindowFallback, teams,
                refusedKeys, maxReasoningEffort, true);
    }

    /**
     * A pipeline that sends everything to one model, with nothing else.
     *
     * @param model the catalog model
     * @return the pipeline
     */
    public static PipelineSpec direct(String model) {
        return new PipelineSpec(Optional.empty(), Optional.empty(), Optional.of(new Target.Single(CallSite.of(model))),
                Optional.empty(), List.of(), Optional.empty());
    }
}
