package dev.costwise.core.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds record attributes that keep the order they are given in, so records print readably. Not public API. */
public final class Attributes {

    private Attributes() {}

    /**
     * @param keysAndValues alternating keys (strings) and values
     * @return an ordered map
     */
    public static Map<String, Object> of(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
