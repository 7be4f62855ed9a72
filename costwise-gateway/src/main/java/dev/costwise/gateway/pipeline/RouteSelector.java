package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.RouteRule;
import dev.costwise.llm.routing.PromptClassifier;
import dev.costwise.llm.routing.RouteConditions;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Picks a pipeline's route for a prompt: the first rule whose every set condition holds (length, keywords,
 * classified complexity, global budget utilisation, the route model's rate-limit headroom), else the pipeline's
 * default. Keywords, the route's and the classifier's, match where a word starts, case-insensitively ({@code code}
 * is in "codebase", not in "decode").
 * The classifier and the conditions are costwise-llm's ({@link PromptClassifier}, {@link RouteConditions}), which the
 * planner replaying this configuration matches with too. Stateless and thread-safe.
 */
public final class RouteSelector {

    /** The name of the route taken when no rule matches. */
    public static final String DEFAULT_ROUTE = "default";

    /**
     * The route chosen.
     *
     * @param name the route's name ({@code default} when no rule matched)
     * @param target the model, alias or group that serves it; empty means the requested name itself
     * @param classification what the classifier said
     */
    public record Choice(String name, Optional<String> target, PromptClassifier.Classification classification) {}

    /**
     * Classifies a prompt by length and keywords.
     *
     * @param allText every message's text
     * @param lastUser the last user message
     * @return the classification
     */
    public PromptClassifier.Classification classify(String allText, String lastUser) {
        return PromptClassifier.classify(allText, lastUser);
    }

    /**
     * Chooses the route.
     *
     * @param pipeline the pipeline's rules
     * @param allText every message's text
     * @param lastUser the last user message
     * @param budgetUtilization the global budget's utilisation (0..1)
     * @return the choice
     */
    public Choice choose(Pipeline pipeline, String allText, String lastUser, double budgetUtilization) {
        return choose(pipeline, allText, lastUser, budgetUtilization, target -> 1.0);
    }

    /**
     * Chooses the route, with each route's {@code rate_limit_headroom_above} read against its model's headroom.
     *
     * @param pipeline the pipeline's rules
     * @param allText every message's text
     * @param lastUser the last user message
     * @param budgetUtilization the global budget's utilisation (0..1)
     * @param headroom the rate-limit headroom (0..1, 1 when unknown) of a route's target, read only for a route
     *     that sets the condition
     * @return the choice
     */
    public Choice choose(Pipeline pipeline, String allText, String lastUser, double budgetUtilization,
            ToDoubleFunction<String> headroom) {
        PromptClassifier.Classification c = classify(allText, lastUser);
        for (RouteRule r : pipeline.routes()) {
            double h = r.headroomAbove().isPresent() ? headroom.applyAsDouble(r.model()) : 1.0;
            if (conditions(r).matches(c, lastUser, budgetUtilization, h)) {
                return new Choice(r.name(), Optional.of(r.model()), c);
            }
        }
        return new Choice(DEFAULT_ROUTE, pipeline.defaultRoute(), c);
    }

    private static RouteConditions conditions(RouteRule r) {
        return new RouteConditions(r.minChars(), r.maxChars(), r.keywords(), r.complexity(), r.maxBudgetUtilization(),
                r.minBudgetUtilization(), r.headroomAbove());
    }
}
