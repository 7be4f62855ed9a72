package dev.costwise.llm.routing;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds a word or phrase in a text where a word starts: {@code code} is in "fix this code.", "codes" and "codebase"
 * but not in "decode" or "barcode", {@code design} is in "designing", and {@code stack trace} is in "here is the stack
 * trace:". Matching at word starts, not whole words, keeps the inflections a keyword list means ("debugging",
 * "compares", "lists") while a keyword inside another word ("list" in "realistic") no longer counts. A word starts
 * after anything that is not a letter or a digit, or at the start of the text. Text and phrase are compared as
 * {@link #fold} makes them: "naïve" typed on macOS (decomposed), "Stack  Trace" and "stack⏎trace" and fullwidth
 * "ｃｏｄｅ" match as "naïve", "stack trace" and "code" do. The gateway's route keywords and classifier match with it,
 * and the planner with the gateway's rules. Stateless.
 */
public final class WordStarts {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private WordStarts() {}

    /**
     * The form text and phrases are matched in: NFKC-normalised (composed, compatibility forms such as fullwidth
     * letters as their plain ones), case-folded, and every run of whitespace (line breaks included) one space.
     *
     * @param text any text
     * @return its folded form
     */
    public static String fold(String text) {
        String normal = Normalizer.normalize(text, Normalizer.Form.NFKC);
        // upper then lower folds what lowercasing alone leaves apart (ß and SS, ſ and s)
        String folded = normal.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return WHITESPACE.matcher(folded).replaceAll(" ");
    }

    /**
     * @param text the text, {@linkplain #fold folded} as {@code phrase} is
     * @param phrase one or more words
     * @return whether {@code phrase} occurs in {@code text} at the start of a word
     */
    public static boolean contains(String text, String phrase) {
        if (phrase.isEmpty()) {
            return false;
        }
        for (int at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
            if (at == 0 || !Character.isLetterOrDigit(text.codePointBefore(at))) {
                return true;
            }
        }
        return false;
    }
}
