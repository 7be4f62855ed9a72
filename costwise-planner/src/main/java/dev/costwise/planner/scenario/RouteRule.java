package dev.costwise.planner.scenario;

import dev.costwise.llm.routing.PromptClassifier;
import dev.costwise.llm.routing.RouteConditions;
import dev.costwise.planner.engine.PromptText;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One routing rule; the first rule that matches a request picks its route. A rule matches when every condition it
 * sets holds: the request's complexity class, a prompt shorter than {@code maxPromptChars} characters (the spec's
 * {@code len(prompt) < 100}) or at least {@code minPromptChars} long, a prompt containing one of {@code keywords} (the
 * spec's support router), a budget utilization below a share (the gateway's {@code budget_utilization_below}) or at
 * least a share ({@code budget_utilization_above}).
 *
 * <p>A synthetic request carries its class; a replayed one is classed by prompt length
 * ({@link #complexityOf(String)}), a stand-in for the gateway's rule-based classifier.
 *
 * <p>A rule read from a gateway configuration ({@link #ofGateway}) matches as the gateway's route selector does, with
 * its own code: its {@link RouteConditions} on the gateway's {@link PromptClassifier} (length over every message's
 * text, {@code max_chars} inclusive, keywords where a word starts in the last user message).
 *
 * @param className the traffic class, if the rule tests it
 * @param maxPromptChars the prompt must be shorter than this, if set
 * @param keywords the prompt must contain one of these (case-insensitive), if not empty
 * @param route the route to take
 * @param minPromptChars the prompt must be at least this long, if set
 * @param budgetUtilizationBelow the budget's utilization must be below this share, if set
 * @param budgetUtilizationAbove the budget's utilization must be at least this share, if set
 * @param gateway the gateway's conditions, for a rule read from a gateway configuration (the others are then unset)
 */
public record RouteRule(Optional<String> className, OptionalInt maxPromptChars, List<String> keywords, String route,
        OptionalInt minPromptChars, OptionalDouble budgetUtilizationBelow, OptionalDouble budgetUtilizationAbove,
        Optional<RouteConditions> gateway) {

    public RouteRule {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(maxPromptChars, "maxPromptChars");
        keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(minPromptChars, "minPromptChars");
        Objects.requireNonNull(budgetUtilizationBelow, "budgetUtilizationBelow");
        Objects.requireNonNull(budgetUtilizationAbove, "budgetUtilizationAbove");
        Objects.requireNonNull(gateway, "gateway");
        ScenarioException.require(gateway.isPresent() || className.isPresent() || maxPromptChars.isPresent()
                || !keywords.isEmpty()
                || minPromptChars.isPresent() || budgetUtilizationBelow.isPresent()
                || budgetUtilizationAbove.isPresent(),
                "route rule for '%s' needs a condition (class, maxPromptChars, minPromptChars, keywords,"
                        + " budgetUtilizationBelow or budgetUtilizationAbove)", route);
    }

    /**
     * A rule of a planner pipeline; the components as above.
     */
    public RouteRule(Optional<String> className, OptionalInt maxPromptChars, List<String> keywords, String route,
            OptionalInt minPromptChars, OptionalDouble budgetUtilizationBelow, OptionalDouble budgetUtilizationAbove) {
        this(className, maxPromptChars, keywords, route, minPromptChars, budgetUtilizationBelow,
                budgetUtilizationAbove, Optional.empty());
    }

    /**
     * @param route the route to take
     * @param conditions a gateway route's {@code when}
     * @return a rule that matches as the gateway's route selector does
     */
    public static RouteRule ofGateway(String route, RouteConditions conditions) {
        return new RouteRule(Optional.empty(), OptionalInt.empty(), List.of(), route, OptionalInt.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), Optional.of(conditions));
    }

    /**
     * A rule with no lower bound on the budget's utilization; the other components as above.
     */
    public RouteRule(Optional<String> className, OptionalInt maxPromptChars, List<String> keywords, String route,
            OptionalInt minPromptChars, OptionalDouble budgetUtilizationBelow) {
        this(className, maxPromptChars, keywords, route, minPromptChars, budgetUtilizationBelow,
                OptionalDouble.empty());
    }

    /**
     * A rule on class, length and keywords.
     *
     * @param className the class, if tested
     * @param maxPromptChars the length bound, if tested
     * @param keywords keywords, if tested
     * @param route the route
     */
    public RouteRule(Optional<String> className, OptionalInt maxPromptChars, List<String> keywords, String route) {
        this(className, maxPromptChars, keywords, route, OptionalInt.empty(), OptionalDouble.empty(),
                OptionalDouble.empty());
    }

    /**
     * The complexity of a prompt without a class, by length: under 200 characters {@code simple}, under 2,000
     * {@code moderate}, else {@code complex}.
     *
     * @param promptText the prompt
     * @return the class
     */
    public static String complexityOf(String promptText) {
        int n = promptText.length();
        return n < 200 ? "simple" : n < 2000 ? "moderate" : "complex";
    }

    /**
     * @param requestClass the request's class, if it has one
     * @param promptText the prompt text (user messages)
     * @return whether the rule matches
     */
    public boolean matches(Optional<String> requestClass, String promptText) {
        return matches(requestClass, promptText, 0);
    }

    /**
     * @param requestClass the request's class, if it has one (else classed by length)
     * @param promptText the prompt text (user messages)
     * @param budgetUtilization the budget's utilization now, 0 without a budget
     * @return whether the rule matches
     */
    public boolean matches(Optional<String> requestClass, String promptText, double budgetUtilization) {
        return matches(requestClass, new PromptText(promptText, promptText), budgetUtilization);
    }

    /**
     * @param requestClass the request's class, if it has one (else classed by length)
     * @param text the request's text: a planner rule reads its last user message, a gateway rule reads as the gateway
     * @param budgetUtilization the budget's utilization now, 0 without a budget
     * @return whether the rule matches
     */
    public boolean matches(Optional<String> requestClass, PromptText text, double budgetUtilization) {
        if (gateway.isPresent()) {
            PromptClassifier.Classification c = PromptClassifier.classify(text.all(), text.lastUser());
            // a synthetic request's class stands for what the classifier would say of its prompt
            PromptClassifier.Classification classed = requestClass.map(k -> new PromptClassifier.Classification(k,
                    c.chars(), "synthetic class")).orElse(c);
            return gateway.get().matches(classed, text.lastUser(), budgetUtilization);
        }
        String promptText = text.lastUser();
        if (className.isPresent() && !className.get().equals(requestClass.orElseGet(() -> complexityOf(promptText)))) {
            return false;
        }
        if (minPromptChars.isPresent() && promptText.length() < minPromptChars.getAsInt()) {
            return false;
        }
        if (budgetUtilizationBelow.isPresent() && budgetUtilization >= budgetUtilizationBelow.getAsDouble()) {
            return false;
        }
        if (budgetUtilizationAbove.isPresent() && budgetUtilization < budgetUtilizationAbove.getAsDouble()) {
            return false;
        }
        if (maxPromptChars.isPresent() && promptText.length() >= maxPromptChars.getAsInt()) {
            return false;
        }
        if (!keywords.isEmpty()) {
            String lower = promptText.toLowerCase(Locale.ROOT);
            return keywords.stream().anyMatch(lower::contains);
        }
        return true;
    }
}
