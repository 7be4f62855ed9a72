package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig.RouteRule;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks a pipeline's route for a prompt: the first rule whose every set condition holds (length, keywords,
 * classified complexity, global budget utilisation), else the pipeline's default. Keywords, the route's and the
 * classifier's, match where a word starts, case-insensitively ({@code code} is in "codebase", not in "decode").
 * Stateless and thread-safe.
 */
public final class RouteSelector {
    private static final List<String> COMPLEX_WORDS = List.of("analyze", "analyse", "prove", "design", "architect",
            "step by step", "derive", "optimize", "optimise", "refactor", "compare", "evaluate", "trade-off",
            "strategy", "debug");
    private static final List<String> SIMPLE_WORDS = List.of("translate", "summarize", "summarise", "classify",
            "extract", "list", "define", "what is", "format", "spell", "yes or no");

    /** The name of the route taken when no rule matches. */
    public static final String DEFAULT_ROUTE = "default";

    /**
     * What the rule-based classifier thinks of a prompt.
     *
     * @param complexity {@code simple}, {@code moderate} or {@code complex}
     * @param chars the prompt's length in characters
     * @param reason why, in a few words
     */
    public record Classification(String complexity, int chars, String reason) {}

    /**
     * The route chosen.
     *
     * @param name the route's name ({@code default} when no rule matched)
     * @param target the model, alias or group that serves it; empty means the requested name itself
     * @param classification what the classifier said
     */
    public record Choice(String name, Optional<String> target, Classification classification) {}

    /**
     * Classifies a prompt by length and keywords.
     *
     * @param allText every message's text
     * @param lastUser the last user message
     * @return the classification
     */
    public Classification classify(String allText, String lastUser) {
        String lower = lastUser.toLowerCase(Locale.ROOT);
        int chars = allText.length();
        for (String w : COMPLEX_WORDS) {
            if (WordStarts.contains(lower, w)) {
                return new Classification("complex", chars, "asks to " + w);
            }
        }
        if (chars > 4000) {
            return new Classification("complex", chars, "long prompt (" + chars + " chars)");
        }
        for (String w : SIMPLE_WORDS) {
            if (WordStarts.contains(lower, w) && chars < 2000) {
                return new Classification("simple", chars, "asks to " + w);
            }
        }
        if (chars < 200) {
            return new Classification("simple", chars, "short prompt (" + chars + " chars)");
        }
        return new Classification("moderate", chars, "medium prompt (" + chars + " chars)");
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
        Classification c = classify(allText, lastUser);
        String lower = lastUser.toLowerCase(Locale.ROOT);
        for (RouteRule r : pipeline.routes()) {
            if (matches(r, c, lower, budgetUtilization)) {
                return new Choice(r.name(), Optional.of(r.model()), c);
            }
        }
        return new Choice(DEFAULT_ROUTE, pipeline.defaultRoute(), c);
    }

    private static boolean matches(RouteRule r, Classification c, String lower, double utilization) {
        if (r.minChars().isPresent() && c.chars() < r.minChars().get()) {
            return false;
        }
        if (r.maxChars().isPresent() && c.chars() > r.maxChars().get()) {
            return false;
        }
        if (!r.keywords().isEmpty() && r.keywords().stream().noneMatch(k -> WordStarts.contains(lower, k))) {
            return false;
        }
        if (r.complexity().isPresent() && !r.complexity().get().equals(c.complexity())) {
            return false;
        }
        if (r.maxBudgetUtilization().isPresent() && utilization >= r.maxBudgetUtilization().get()) {
            return false;
        }
        return r.minBudgetUtilization().isEmpty() || utilization >= r.minBudgetUtilization().get();
    }
}
