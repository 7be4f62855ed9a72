package dev.costwise.gateway.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values {@code ${ENV}} references put into a config, remembered so that no message about the config shows one:
 * an API key or a password written where a name or a URL belongs would otherwise be printed by {@code config check}
 * and {@code serve}, into a terminal or a CI log. A message shows {@code the value of ${NAME}} instead.
 *
 * <p>Every value is hidden in the messages about the field it was put into; a value long enough to be a secret (at
 * least {@value #SECRET_LENGTH} characters) is hidden in every message. Not thread-safe: one per config read.
 */
final class EnvValues {
    /** Shorter values are hidden only in their own field's messages, where a {@code 0} is not part of a range. */
    static final int SECRET_LENGTH = 8;

    private record Value(String variable, String text) {}

    private final Map<String, List<Value>> byPath = new HashMap<>();
    private final List<Value> secrets = new ArrayList<>();

    /**
     * Records a value an environment variable put into a field.
     *
     * @param path the field's path in the file
     * @param variable the variable's name
     * @param text its value
     */
    void record(String path, String variable, String text) {
        if (text.isEmpty()) {
            return;
        }
        Value v = new Value(variable, text);
        byPath.computeIfAbsent(path, p -> new ArrayList<>()).add(v);
        if (text.length() >= SECRET_LENGTH) {
            secrets.add(v);
        }
    }

    /**
     * @param path a field's path
     * @return whether an environment variable put (part of) the field's value there
     */
    boolean cameFromEnv(String path) {
        return byPath.containsKey(path);
    }

    /**
     * @param path the path a message is about
     * @param message the message
     * @return the message with every value from the environment replaced by {@code the value of ${NAME}}
     */
    String hide(String path, String message) {
        List<Value> values = new ArrayList<>(secrets);
        values.addAll(byPath.getOrDefault(path, List.of()));
        if (values.isEmpty()) {
            return message;
        }
        values.sort(Comparator.comparingInt((Value v) -> v.text().length()).reversed()); // longest first
        String out = message;
        for (Value v : values) {
            String shown = Matcher.quoteReplacement("the value of ${" + v.variable() + "}");
            out = out.replace("'" + v.text() + "'", "the value of ${" + v.variable() + "}");
            // a long value is hidden wherever it is; a short one only as a whole word ("0", not the 0 of "[0, 10]")
            String bounds = v.text().length() >= SECRET_LENGTH ? "%s" : "(?<![\\w.-])%s(?![\\w.-])";
            out = Pattern.compile(bounds.formatted(Pattern.quote(v.text()))).matcher(out).replaceAll(shown);
        }
        return out;
    }
}
