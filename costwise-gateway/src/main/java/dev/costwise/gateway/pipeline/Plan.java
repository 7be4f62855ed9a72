package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.http.IntegerField;
import dev.costwise.gateway.upstream.CacheMarkers;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.cost.WorstCaseCost;
import dev.costwise.llm.wire.OpenAiWire;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway will do with one chat request, decided before any model is called: the pipeline, the route, the
 * models to try in order and the worst-case cost. Route explain returns it without executing it.
 *
 * @param requested the model name the caller sent
 * @param pipeline the pipeline's settings
 * @param route the route chosen
 * @param candidates the models to try, primary first, fallbacks after
 * @param body the request body
 * @param estimatedInputTokens estimated prompt tokens
 * @param maxOutputTokens the output limit used for the worst case on the primary (0: nothing is generated)
 * @param worstCase the worst-case cost on the primary model (of a workflow: of the whole run)
 * @param worstCaseByModel a workflow's worst case of the calls each model it may call may make, which that model's
 *     budgets reserve; empty for a request to one model at a time
 */
public record Plan(String requested, Pipeline pipeline, RouteSelector.Choice route, List<Model> candidates,
        ObjectNode body, long estimatedInputTokens, long maxOutputTokens, Money worstCase,
        Map<String, Money> worstCaseByModel) {

    private static final OpenAiWire WIRE = new OpenAiWire();

    public Plan {
        candidates = List.copyOf(candidates);
        worstCaseByModel = Map.copyOf(worstCaseByModel);
    }

    /** A plan that calls one model at a time (the primary, then fallbacks): its worst case holds on each. */
    public Plan(String requested, Pipeline pipeline, RouteSelector.Choice route, List<Model> candidates,
            ObjectNode body, long estimatedInputTokens, long maxOutputTokens, Money worstCase) {
        this(requested, pipeline, route, candidates, body, estimatedInputTokens, maxOutputTokens, worstCase,
                Map.of());
    }

    /** @return the primary model */
    public Model primary() {
        return candidates.getFirst();
    }

    /**
     * The output limit a worst case on another candidate assumes: the request's own limit, else that model's.
     *
     * @param model a candidate
     * @return the most output tokens the call may bill
     */
    public long outputLimitOn(Model model) {
        if (maxOutputTokens == 0) {
            return 0; // nothing to generate (embeddings)
        }
        return outputLimit(body, model);
    }

    /**
     * @param body a chat body
     * @param model the model that would answer it
     * @return the request's own output limit, else the model's, plus for an Anthropic model a thinking budget at
     *     least as large as that limit (its adapter then sends the sum as {@code max_tokens})
     */
    static long outputLimit(ObjectNode body, Model model) {
        Optional<Reasoning> reasoning = body.has("reasoning_effort") || body.has("reasoning")
                ? WIRE.readReasoning(body) : Optional.empty();
        return WorstCaseCost.outputLimit(requestedOutputLimit(body), model.maxOutputTokens(), model.provider(),
                reasoning);
    }

    /**
     * The output tokens a worst case on {@code model} holds: {@link #outputLimitOn} for each of the {@code n} choices
     * the request asks for, as each choice may run to the limit and every one is billed.
     *
     * @param model a candidate
     * @return the most output tokens the call may bill over all its choices
     */
    public long worstCaseOutputOn(Model model) {
        return outputLimitOn(model) * choicesIn(body);
    }

    /** @return the number of choices the request asks for ({@code n}), 1 when it sets none */
    static long choicesIn(ObjectNode body) {
        return IntegerField.N.readFrom(body).orElse(1);
    }

    /** @return the request's {@code max_completion_tokens} or {@code max_tokens}; 0 when it sets neither */
    static long requestedOutputLimit(ObjectNode body) {
        return IntegerField.outputLimitOf(body).orElse(0);
    }

    /** @return the service tier the request asks for ({@code service_tier}), if it names one */
    public Optional<ServiceTier> serviceTier() {
        return serviceTierIn(body);
    }

    /**
     * @param body a validated chat request
     * @return the tier its {@code service_tier} names; none when absent, {@code auto} or {@code scale}
     */
    static Optional<ServiceTier> serviceTierIn(ObjectNode body) {
        return body.has("service_tier") ? WIRE.readServiceTier(body) : Optional.empty();
    }

    /** @return the longest-lived prompt-cache write the request's own breakpoints may cause, if it places any */
    public Optional<CacheControl.Ttl> cacheWrites() {
        return cacheWritesIn(body);
    }

    /**
     * @param body a chat request
     * @return the longest lifetime among its {@code cache_control} breakpoints (on tools, messages and content parts)
     */
    static Optional<CacheControl.Ttl> cacheWritesIn(ObjectNode body) {
        CacheControl.Ttl[] longest = {null};
        CacheMarkers.forEachHolder(body, holder -> longest[0] = longer(longest[0], holder));
        return Optional.ofNullable(longest[0]);
    }

    private static CacheControl.Ttl longer(CacheControl.Ttl sofar, JsonNode holder) {
        JsonNode mark = holder.get("cache_control");
        if (mark == null || mark.isNull()) {
            return sofar;
        }
        // An unknown lifetime is refused later, naming the field; until then, price it as the longest.
        JsonNode given = mark.path("ttl");
        CacheControl.Ttl ttl = given.isMissingNode() || given.isNull() ? CacheControl.Ttl.FIVE_MINUTES
                : CacheControl.Ttl.fromWire(given.asText()).orElse(CacheControl.Ttl.ONE_HOUR);
        return sofar == null || ttl.compareTo(sofar) > 0 ? ttl : sofar;
    }

    /** @return this plan with other candidates (a budget downgrade), its output limit that of the new primary */
    public Plan withCandidates(List<Model> others, Money newWorstCase, String routeName) {
        return new Plan(requested, pipeline, new RouteSelector.Choice(routeName, route.target(),
                route.classification()), others, body, estimatedInputTokens, outputLimitOn(others.getFirst()),
                newWorstCase);
    }
}
