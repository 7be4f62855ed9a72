package dev.costwise.gateway.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a tag may be, wherever it is set: a virtual key's {@code tags} (config file or admin API) or a request's
 * {@code x-costwise-tags} header. Tags name ledger groups and budget windows ({@code team}), so their names are short
 * lowercase identifiers and their values printable.
 */
public final class TagRules {
    /** The longest value a tag may have. */
    public static final int MAX_VALUE_CHARS = 128;
    /**
     * The name spend reports ({@code /v1/spend}, {@code costwise report} as a table, CSV or JSON) give the rows that
     * have no value for what they group by (no team, user, feature). No tag and no end user may be called so, or
     * their spend would merge with the untagged rows.
     */
    public static final String NO_VALUE = "(none)";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,39}");

    private TagRules() {}

    /**
     * @param name a tag's name
     * @return why it is not a valid tag name, or empty when it is
     */
    public static Optional<String> nameProblem(String name) {
        return NAME.matcher(name).matches() ? Optional.empty() : Optional.of("tag name '" + clip(name)
                + "' must start with a lowercase letter and use only a-z, 0-9, '_', '.' or '-' (at most 40 "
                + "characters)");
    }

    /**
     * @param name the tag's name
     * @param value its value
     * @return why it is not a valid value, or empty when it is
     */
    public static Optional<String> valueProblem(String name, String value) {
        if (value.equals(NO_VALUE)) {
            return Optional.of(reservedProblem("the value of tag '" + name + "'"));
        }
        return value.length() > MAX_VALUE_CHARS || value.chars().anyMatch(Character::isISOControl)
                ? Optional.of("the value of tag '" + name + "' must be at most " + MAX_VALUE_CHARS
                        + " printable characters")
                : Optional.empty();
    }

    /**
     * A virtual key's tag: a valid name and value, and neither {@code key} (the ledger sets it to the key's id) nor
     * {@code user} (the end user a request names, whose budgets it counts against). {@code team} is a key's to set.
     *
     * @param name the tag's name
     * @param value its value
     * @return why the key cannot have this tag, or empty when it can
     */
    public static Optional<String> keyTagProblem(String name, String value) {
        if (name.equals("key") || name.equals("user")) {
            return Optional.of("tag '" + name + "' cannot be set on a key: " + (name.equals("key")
                    ? "the ledger records the key's id under it" : "it names the end user, from a request's body"));
        }
        return nameProblem(name).or(() -> valueProblem(name, value));
    }

    /**
     * @param what what may not be {@link #NO_VALUE}, such as {@code the value of tag 'team'}
     * @return why it may not
     */
    public static String reservedProblem(String what) {
        return what + " cannot be '" + NO_VALUE + "': spend reports name the rows without one so";
    }

    /** @return {@code s}, cut to 60 characters for an error message */
    public static String clip(String s) {
        return ShownValue.clip(s);
    }
}
