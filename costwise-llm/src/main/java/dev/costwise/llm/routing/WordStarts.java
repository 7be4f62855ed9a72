package dev.costwise.llm.routing;

/**
 * Finds a word or phrase in a text where a word starts: {@code code} is in "fix this code.", "codes" and "codebase"
 * but not in "decode" or "barcode", {@code design} is in "designing", and {@code stack trace} is in "here is the stack
 * trace:". Matching at word starts, not whole words, keeps the inflections a keyword list means ("debugging",
 * "compares", "lists") while a keyword inside another word ("list" in "realistic") no longer counts. A word starts
 * after anything that is not a letter or a digit, or at the start of the text. The gateway's route keywords and
 * classifier match with it, and the planner with the gateway's rules. Stateless.
 */
public final class WordStarts {
    private WordStarts() {}

    /**
     * @param text the text, lowercased as {@code phrase} is
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
