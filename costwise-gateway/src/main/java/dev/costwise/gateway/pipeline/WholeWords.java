package dev.costwise.gateway.pipeline;

/**
 * Finds a word or phrase in a text as whole words: {@code code} is in "fix this code." but not in "decode" or
 * "barcode", and {@code stack trace} is in "here is the stack trace:". A boundary is anything that is not a letter or
 * a digit (the start or end of the text, a space, punctuation). Stateless.
 */
final class WholeWords {
    private WholeWords() {}

    /**
     * @param text the text, lowercased as {@code phrase} is
     * @param phrase one or more words
     * @return whether {@code phrase} occurs in {@code text} with a boundary on each side
     */
    static boolean contains(String text, String phrase) {
        if (phrase.isEmpty()) {
            return false;
        }
        for (int at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
            int end = at + phrase.length();
            if (boundaryBefore(text, at) && boundaryAt(text, end)) {
                return true;
            }
        }
        return false;
    }

    private static boolean boundaryBefore(String text, int at) {
        return at == 0 || !Character.isLetterOrDigit(text.codePointBefore(at));
    }

    private static boolean boundaryAt(String text, int at) {
        return at == text.length() || !Character.isLetterOrDigit(text.codePointAt(at));
    }
}
