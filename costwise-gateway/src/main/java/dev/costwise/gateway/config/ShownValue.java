package dev.costwise.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A value as an error message shows it: cut to 60 characters, so a message never quotes a whole prompt or a
 * runaway value. Stateless.
 */
public final class ShownValue {
    private static final int MAX_CHARS = 60;

    private ShownValue() {}

    /**
     * @param s the value
     * @return {@code s}, cut to 60 characters and marked {@code …} when longer
     */
    public static String clip(String s) {
        return s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) + "…" : s;
    }

    /**
     * @param v a JSON value
     * @return its JSON text, cut as {@link #clip} cuts
     */
    public static String of(JsonNode v) {
        return clip(v.toString());
    }
}
