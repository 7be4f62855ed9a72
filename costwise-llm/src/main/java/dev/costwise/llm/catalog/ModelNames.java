package dev.costwise.llm.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Finds the known names closest to a misspelt one, by edit distance, for "did you mean" messages. */
public final class ModelNames {

    private static final int MAX_SUGGESTIONS = 3;

    private ModelNames() {}

    /**
     * The known names within a small edit distance of {@code wanted} (or containing it), closest first.
     *
     * @param wanted the unknown name
     * @param known every known name and alias
     * @return up to three suggestions
     */
    public static List<String> closest(String wanted, List<String> known) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int limit = Math.max(2, w.length() / 3);
        record Scored(String name, int distance) {}
        return known.stream()
                .map(k -> new Scored(k, distanceOrContainment(w, k.toLowerCase(Locale.ROOT))))
                .filter(s -> s.distance() <= limit)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(MAX_SUGGESTIONS)
                .map(Scored::name)
                .toList();
    }

    private static int distanceOrContainment(String wanted, String known) {
        int d = levenshtein(wanted, known);
        if (wanted.length() >= 4 && known.contains(wanted)) {
            return Math.min(d, 1);
        }
        return d;
    }

    /** Classic two-row Levenshtein distance: insertions, deletions and substitutions each cost 1. */
    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
