package dev.costwise.llm.provider.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Response headers with case-insensitive lookup. Names are stored in lower case.
 *
 * @param values header name (lower case) to its values, in arrival order
 */
public record HttpHeaders(Map<String, List<String>> values) {

    /** No headers. */
    public static final HttpHeaders EMPTY = new HttpHeaders(Map.of());

    public HttpHeaders {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        Objects.requireNonNull(values, "values").forEach((k, v) -> copy.merge(k.toLowerCase(Locale.ROOT),
                List.copyOf(v), (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList()));
        values = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * Headers with one value each.
     *
     * @param single name to value
     * @return the headers
     */
    public static HttpHeaders of(Map<String, String> single) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        single.forEach((k, v) -> m.put(k, List.of(v)));
        return new HttpHeaders(m);
    }

    /**
     * The first value of a header.
     *
     * @param name the header name, any case
     * @return its first value, if present
     */
    public Optional<String> first(String name) {
        List<String> v = values.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /**
     * Every value of a header.
     *
     * @param name the header name, any case
     * @return its values; empty when absent
     */
    public List<String> all(String name) {
        return values.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
}
