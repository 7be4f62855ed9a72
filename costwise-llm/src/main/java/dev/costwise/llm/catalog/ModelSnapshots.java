package dev.costwise.llm.catalog;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether the model a provider says answered is the model that was asked for, and whether a name pins a
 * snapshot of a model ({@link #pinsSnapshotOf}): the one rule of model snapshots, which the pricer uses to send a
 * pinned snapshot as written.
 *
 * <p>A dated or numbered snapshot of the same model is the same model ({@code gpt-4o} answered by
 * {@code gpt-4o-2024-08-06}, {@code claude-sonnet-4-5} by {@code claude-sonnet-4-5-20250929}, {@code gemini-1.5-pro}
 * by {@code gemini-1.5-pro-002}, {@code llama3.2} by {@code llama3.2:latest}); a different model is a downgrade
 * ({@code gemini-2.5-pro} answered by {@code gemini-2.5-flash}). A vendor prefix ({@code openai/}, {@code models/}) is
 * ignored on both sides, and so is a routing suffix the answer drops (OpenRouter's {@code :free} or {@code :nitro},
 * the Hugging Face router's {@code :provider}); an Ollama size tag that differs ({@code qwen2.5:7b} answered by
 * {@code qwen2.5:14b}) is a different model. A request for a router's automatic choice ({@code openrouter/auto}) is
 * never a downgrade.
 */
public final class ModelSnapshots {

    /** A dated or numbered snapshot after a model id: {@code -2024-11-20}, {@code -20250929}, {@code -0125}. */
    private static final String DATED = "-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|-\\d{3,4}";
    private static final Pattern SNAPSHOT_PIN = Pattern.compile("(?:" + DATED + ")");
    /** What a provider may add to the model asked for when it names the one that answered. */
    private static final Pattern SNAPSHOT_SUFFIX = Pattern.compile("(?:" + DATED
            + "|-latest|-v\\d+(?:\\.\\d+)*|-preview(?:-\\d{2}-\\d{2}|-\\d{4}-\\d{2}-\\d{2})?|:latest)+");

    private ModelSnapshots() {}

    /**
     * Whether a name pins one dated or numbered snapshot of a model: {@code gpt-4o-2024-11-20},
     * {@code claude-sonnet-4-5-20250929}, {@code gpt-3.5-turbo-0125} of their model ids (any case). A moving name
     * ({@code gpt-4o-latest}), a preview or two suffixes pin none: they are not one snapshot a provider keeps.
     *
     * @param name the name, such as a catalog alias
     * @param model the model id it may pin a snapshot of
     * @return {@code true} if {@code name} is {@code model} followed by one snapshot date or number only
     */
    public static boolean pinsSnapshotOf(String name, String model) {
        String n = name.toLowerCase(Locale.ROOT);
        String m = model.toLowerCase(Locale.ROOT);
        return n.length() > m.length() && n.startsWith(m) && SNAPSHOT_PIN.matcher(n.substring(m.length())).matches();
    }

    /**
     * @param requested the model asked for
     * @param answered the model the provider reported
     * @return {@code true} if {@code answered} is {@code requested} or a snapshot of it
     */
    public static boolean sameModel(String requested, String answered) {
        String r = normalise(requested);
        String a = normalise(answered);
        if (r.equals(a) || a.isEmpty() || r.equals("auto")) {
            return true;
        }
        int colon = r.indexOf(':');
        if (colon > 0 && a.indexOf(':') < 0 && !r.endsWith(":latest")) {
            r = r.substring(0, colon); // a routing suffix the provider does not echo
            if (r.equals(a)) {
                return true;
            }
        }
        return isSnapshotOf(r, a) || isSnapshotOf(a, r);
    }

    private static boolean isSnapshotOf(String base, String candidate) {
        return candidate.startsWith(base)
                && SNAPSHOT_SUFFIX.matcher(candidate.substring(base.length())).matches();
    }

    private static String normalise(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        int slash = n.lastIndexOf('/');
        if (slash >= 0) {
            n = n.substring(slash + 1);
        }
        return n;
    }
}
