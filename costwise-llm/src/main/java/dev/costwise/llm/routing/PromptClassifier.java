package dev.costwise.llm.routing;

import java.util.List;
import java.util.Objects;

/**
 * The gateway's rule-based classifier: a prompt's complexity from its length and the words its last user message
 * starts with ({@link WordStarts}). The gateway routes on it, and the planner replaying a gateway configuration routes
 * on the very same, so that both pick the same route. Stateless.
 */
public final class PromptClassifier {
    private static final List<String> COMPLEX_WORDS = List.of("analyze", "analyse", "prove", "design", "architect",
            "step by step", "derive", "optimize", "optimise", "refactor", "compare", "evaluate", "trade-off",
            "strategy", "debug");
    private static final List<String> SIMPLE_WORDS = List.of("translate", "summarize", "summarise", "classify",
            "extract", "list", "define", "what is", "format", "spell", "yes or no");

    private PromptClassifier() {}

    /**
     * What the classifier thinks of a prompt.
     *
     * @param complexity {@code simple}, {@code moderate} or {@code complex}
     * @param chars the prompt's length in characters (every message's text)
     * @param reason why, in a few words
     */
    public record Classification(String complexity, int chars, String reason) {
        public Classification {
            Objects.requireNonNull(complexity, "complexity");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Classifies a prompt by length and keywords.
     *
     * @param allText every message's text ({@code PromptTokens.allText})
     * @param lastUser the last user message ({@code PromptTokens.lastUserText})
     * @return the classification
     */
    public static Classification classify(String allText, String lastUser) {
        String lower = WordStarts.fold(lastUser); // its words are matched as route keywords are
        int chars = allText.codePointCount(0, allText.length()); // an emoji is one character, not two
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
}
