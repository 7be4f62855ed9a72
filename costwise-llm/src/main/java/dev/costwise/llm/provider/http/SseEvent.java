package dev.costwise.llm.provider.http;

import java.util.Objects;
import java.util.Optional;

/**
 * One server-sent event.
 *
 * @param event the {@code event:} type, if the server named one (Anthropic does; OpenAI does not)
 * @param data the {@code data:} lines joined by {@code \n}
 * @param id the {@code id:} field, if present
 */
public record SseEvent(Optional<String> event, String data, Optional<String> id) {
    public SseEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(id, "id");
    }

    /**
     * An event with data only.
     *
     * @param data the data
     * @return the event
     */
    public static SseEvent data(String data) {
        return new SseEvent(Optional.empty(), data, Optional.empty());
    }
}
