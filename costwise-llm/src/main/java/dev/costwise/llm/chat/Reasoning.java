package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * A request's reasoning setting: an effort level, a token budget for the reasoning, or both.
 *
 * <p>Clients speak one or the other (OpenAI's {@code reasoning_effort}, Anthropic's {@code thinking.budget_tokens});
 * providers take one or the other. {@link #effortOrNearest()} and {@link #budgetOrNearest()} convert with one table,
 * so a request reaches any provider with the setting closest to what the caller asked:
 *
 * <table>
 *   <caption>Effort and budget</caption>
 *   <tr><th>effort</th><th>budget (tokens)</th></tr>
 *   <tr><td>none</td><td>0</td></tr>
 *   <tr><td>minimal</td><td>512</td></tr>
 *   <tr><td>low</td><td>1,024</td></tr>
 *   <tr><td>medium</td><td>8,192</td></tr>
 *   <tr><td>high</td><td>24,576</td></tr>
 *   <tr><td>xhigh</td><td>32,768</td></tr>
 *   <tr><td>max</td><td>65,536</td></tr>
 * </table>
 *
 * <p>Low, medium and high are Google's own mapping of OpenAI's efforts to Gemini budgets; a budget converts to the
 * effort whose budget is nearest on a logarithmic scale. A budget of 0 means no reasoning.
 *
 * @param effort the effort, if the caller gave one
 * @param budgetTokens the most tokens the model may spend reasoning, if the caller gave a budget
 */
public record Reasoning(Optional<ReasoningEffort> effort, Optional<Integer> budgetTokens) {

    private static final int[] BUDGETS = {0, 512, 1_024, 8_192, 24_576, 32_768, 65_536};

    public Reasoning {
        Objects.requireNonNull(effort, "effort");
        Objects.requireNonNull(budgetTokens, "budgetTokens");
        if (effort.isEmpty() && budgetTokens.isEmpty()) {
            throw new IllegalArgumentException("reasoning needs an effort or a budget");
        }
        budgetTokens.ifPresent(b -> {
            if (b < 0) {
                throw new IllegalArgumentException("the reasoning budget must be >= 0 tokens, was " + b);
            }
        });
    }

    /**
     * @param effort the effort
     * @return a setting of that effort
     */
    public static Reasoning effort(ReasoningEffort effort) {
        return new Reasoning(Optional.of(effort), Optional.empty());
    }

    /**
     * @param tokens the most tokens the model may spend reasoning; 0 turns reasoning off
     * @return a setting of that budget
     */
    public static Reasoning budget(int tokens) {
        return new Reasoning(Optional.empty(), Optional.of(tokens));
    }

    /** @return a setting that turns reasoning off */
    public static Reasoning off() {
        return effort(ReasoningEffort.NONE);
    }

    /** @return {@code true} if the caller asked for no reasoning */
    public boolean isOff() {
        return effort.map(e -> e == ReasoningEffort.NONE).orElse(false) || budgetTokens.map(b -> b == 0).orElse(false);
    }

    /** @return the effort, or the one whose budget is nearest the given budget */
    public ReasoningEffort effortOrNearest() {
        return effort.orElseGet(() -> nearestEffort(budgetTokens.orElseThrow()));
    }

    /** @return the budget, or the table's budget for the given effort */
    public int budgetOrNearest() {
        return budgetTokens.orElseGet(() -> budgetFor(effort.orElseThrow()));
    }

    /**
     * This setting lowered to at most {@code max}: an effort above it becomes {@code max}, a budget above
     * {@code max}'s budget becomes that budget. What a reasoning cap (the library's {@code ReasoningCap}, the
     * gateway's {@code max_reasoning_effort}) sends.
     *
     * @param max the most reasoning allowed
     * @return the lowered setting; equal to this one if it asks no more
     */
    public Reasoning atMost(ReasoningEffort max) {
        return new Reasoning(effort.map(e -> e.compareTo(max) > 0 ? max : e),
                budgetTokens.map(b -> Math.min(b, budgetFor(max))));
    }

    /**
     * @param effort an effort
     * @return its budget in the table above
     */
    public static int budgetFor(ReasoningEffort effort) {
        return BUDGETS[effort.ordinal()];
    }

    /**
     * @param budget a budget in tokens
     * @return the effort whose budget is nearest on a logarithmic scale; {@link ReasoningEffort#NONE} for 0
     */
    public static ReasoningEffort nearestEffort(int budget) {
        if (budget <= 0) {
            return ReasoningEffort.NONE;
        }
        ReasoningEffort best = ReasoningEffort.MINIMAL;
        double bestDistance = Double.MAX_VALUE;
        for (ReasoningEffort e : ReasoningEffort.values()) {
            if (e == ReasoningEffort.NONE) {
                continue;
            }
            double distance = Math.abs(Math.log((double) budget / BUDGETS[e.ordinal()]));
            if (distance < bestDistance) {
                best = e;
                bestDistance = distance;
            }
        }
        return best;
    }
}
