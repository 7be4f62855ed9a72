package dev.costwise.core;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * References to environment variables as configuration files write them: {@code ${NAME}}, or {@code ${NAME:-default}}
 * with a default used when the variable is not set. A name is a letter or underscore followed by letters, digits and
 * underscores; anything else between {@code ${} and {@code }} is left as written. One rule for the gateway, which reads
 * the environment, and the planner, which reads a gateway configuration without it. Stateless.
 */
public final class EnvReferences {

    private static final String NAME = "[A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern VARIABLE = Pattern.compile(NAME);
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(" + NAME + ")(?::-([^}]*))?}");

    private EnvReferences() {}

    /**
     * One reference in a text.
     *
     * @param variable the variable's name
     * @param fallback what {@code :-} gives when the variable is not set; empty without {@code :-} ({@code ${A:-}}
     *     has an empty text as its fallback)
     */
    public record Reference(String variable, Optional<String> fallback) {
        /**
         * @throws NullPointerException if an argument is null
         */
        public Reference {
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(fallback, "fallback");
        }
    }

    /**
     * @param text a text
     * @return whether it is a variable's name ({@code OPENAI_API_KEY}), as a reference writes one
     */
    public static boolean isVariableName(String text) {
        return VARIABLE.matcher(text).matches();
    }

    /**
     * @param text a text, as written (not trimmed)
     * @return the reference it is, when the whole text is one ({@code ${PROXY_URL}}); empty otherwise
     */
    public static Optional<Reference> whole(String text) {
        Matcher m = REFERENCE.matcher(text);
        return m.matches() ? Optional.of(reference(m)) : Optional.empty();
    }

    /**
     * Replaces each reference in a text, left to right.
     *
     * @param text a text
     * @param value the text to put in place of a reference; called once per reference, in order
     * @return the text with every reference replaced; {@code text} itself when it holds none
     * @throws NullPointerException if {@code value} returns null
     */
    public static String substitute(String text, Function<Reference, String> value) {
        if (text.indexOf("${") < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement = Objects.requireNonNull(value.apply(reference(m)), "value");
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Reference reference(Matcher m) {
        return new Reference(m.group(1), Optional.ofNullable(m.group(2)));
    }
}
