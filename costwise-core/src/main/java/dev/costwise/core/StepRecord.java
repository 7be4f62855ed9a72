package dev.costwise.core;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing a primitive did during a request: a route taken, a cache hit, a retry, a fallback, a model call and its
 * cost.
 *
 * @param at when it happened
 * @param primitive the name of the primitive that recorded it
 * @param event a short, stable word: {@code route}, {@code cache_hit}, {@code cache_miss}, {@code retry},
 *     {@code fallback}, {@code timeout}, {@code cost}…
 * @param branch the parallel branch it happened in, empty on the main line
 * @param attributes details ({@code route=premium}, {@code attempt=2}); values may be any object, such as a cost record
 */
public record StepRecord(Instant at, String primitive, String event, String branch, Map<String, Object> attributes) {

    public StepRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(primitive, "primitive");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(branch, "branch");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /**
     * One attribute, if present and of the given type.
     *
     * @param key the attribute name
     * @param type the expected type
     * @param <T> the type
     * @return the value, or empty when absent or of another type
     */
    public <T> Optional<T> attribute(String key, Class<T> type) {
        Object value = attributes.get(key);
        return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
    }

    StepRecord inBranch(String name) {
        String path = branch.isEmpty() ? name : name + "/" + branch;
        return new StepRecord(at, primitive, event, path, attributes);
    }
}
