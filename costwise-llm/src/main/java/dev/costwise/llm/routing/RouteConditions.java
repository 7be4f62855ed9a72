package dev.costwise.llm.routing;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The conditions of a gateway route ({@code routes[].when}); a route matches when every condition it sets holds. The
 * gateway's route selector and the planner replaying a gateway configuration both match with it.
 *
 * @param minChars the prompt (every message's text) has at least this many characters, if set
 * @param maxChars the prompt has at most this many characters, if set
 * @param keywords the last user message has one of these where a word starts ({@link WordStarts}), both
 *     {@linkplain WordStarts#fold folded} (Unicode form, case and whitespace aside), if not empty
 * @param complexity the classifier's complexity, if set
 * @param maxBudgetUtilization the global budget's utilisation is below this share, if set
 * @param minBudgetUtilization the global budget's utilisation is at least this share, if set
 * @param headroomAbove the route's model has more than this share of its tightest rate limit left, if set (a
 *     model nothing is known of counts as full)
 */
public record RouteConditions(Optional<Integer> minChars, Optional<Integer> maxChars, List<String> keywords,
        Optional<String> complexity, Optional<Double> maxBudgetUtilization, Optional<Double> minBudgetUtilization,
        Optional<Double> headroomAbove) {

    public RouteConditions {
        Objects.requireNonNull(minChars, "minChars");
        Objects.requireNonNull(maxChars, "maxChars");
        keywords = keywords.stream().map(k -> WordStarts.fold(k).strip()).toList(); // matched as WordStarts folds
        Objects.requireNonNull(complexity, "complexity");
        Objects.requireNonNull(maxBudgetUtilization, "maxBudgetUtilization");
        Objects.requireNonNull(minBudgetUtilization, "minBudgetUtilization");
        Objects.requireNonNull(headroomAbove, "headroomAbove");
    }

    /** Conditions without a rate-limit headroom condition. */
    public RouteConditions(Optional<Integer> minChars, Optional<Integer> maxChars, List<String> keywords,
            Optional<String> complexity, Optional<Double> maxBudgetUtilization, Optional<Double> minBudgetUtilization) {
        this(minChars, maxChars, keywords, complexity, maxBudgetUtilization, minBudgetUtilization, Optional.empty());
    }

    /**
     * Matches with the route's model counted at full rate-limit headroom (nothing is known of its limits, as when
     * replaying a trace).
     *
     * @param c the prompt's classification ({@link PromptClassifier#classify})
     * @param lastUser the last user message
     * @param utilization the global budget's utilisation (0..1)
     * @return whether every set condition holds
     */
    public boolean matches(PromptClassifier.Classification c, String lastUser, double utilization) {
        return matches(c, lastUser, utilization, 1.0);
    }

    /**
     * @param c the prompt's classification ({@link PromptClassifier#classify})
     * @param lastUser the last user message
     * @param utilization the global budget's utilisation (0..1)
     * @param headroom the share of its tightest rate limit the route's model has left (0..1; 1 when unknown)
     * @return whether every set condition holds
     */
    public boolean matches(PromptClassifier.Classification c, String lastUser, double utilization,
            double headroom) {
        if (headroomAbove.isPresent() && headroom <= headroomAbove.get()) {
            return false;
        }
        if (minChars.isPresent() && c.chars() < minChars.get()) {
            return false;
        }
        if (maxChars.isPresent() && c.chars() > maxChars.get()) {
            return false;
        }
        if (!keywords.isEmpty() && noKeywordIn(WordStarts.fold(lastUser))) {
            return false;
        }
        if (complexity.isPresent() && !complexity.get().equals(c.complexity())) {
            return false;
        }
        if (maxBudgetUtilization.isPresent() && utilization >= maxBudgetUtilization.get()) {
            return false;
        }
        return minBudgetUtilization.isEmpty() || utilization >= minBudgetUtilization.get();
    }

    private boolean noKeywordIn(String folded) {
        return keywords.stream().noneMatch(k -> WordStarts.contains(folded, k));
    }
}
