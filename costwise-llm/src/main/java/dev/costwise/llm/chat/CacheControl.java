package dev.costwise.llm.chat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A prompt-cache breakpoint: the provider may cache the request's prefix up to and including the part, tool or message
 * that carries it, and a later request with the same prefix reads it at a fraction of the input price. Anthropic's
 * {@code cache_control} (https://docs.claude.com/en/docs/build-with-claude/prompt-caching), which Anthropic requires
 * for caching; providers that cache on their own (OpenAI, Gemini, DeepSeek) ignore it.
 *
 * <p>On the OpenAI wire it is written as Anthropic writes it, {@code "cache_control": {"type": "ephemeral"}} with an
 * optional {@code "ttl": "5m"} or {@code "1h"}, on a content part, a message or a tool (as LiteLLM and OpenRouter
 * accept it). A cache write costs more than plain input (1.25× for five minutes, 2× for an hour), so a breakpoint pays
 * off only for a prefix that is read again within its lifetime.
 *
 * @param ttl how long the provider keeps the cached prefix after its last use
 */
public record CacheControl(Ttl ttl) {
    /** A breakpoint kept five minutes, Anthropic's default. */
    public static final CacheControl FIVE_MINUTES = new CacheControl(Ttl.FIVE_MINUTES);
    /** A breakpoint kept one hour. */
    public static final CacheControl ONE_HOUR = new CacheControl(Ttl.ONE_HOUR);

    public CacheControl {
        Objects.requireNonNull(ttl, "ttl");
    }

    /**
     * @return the wire form, {@code {"type": "ephemeral"}}, with {@code "ttl": "1h"} for an hour (five minutes is the
     *     default and left unsaid)
     */
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("type", "ephemeral");
        if (ttl != Ttl.FIVE_MINUTES) {
            node.put("ttl", ttl.wire());
        }
        return node;
    }

    /** How long a cached prefix lives. */
    public enum Ttl {
        /** Five minutes ({@code "5m"}). */
        FIVE_MINUTES("5m"),
        /** One hour ({@code "1h"}). */
        ONE_HOUR("1h");

        private final String wire;

        Ttl(String wire) {
            this.wire = wire;
        }

        /** @return the wire form, {@code 5m} or {@code 1h} */
        public String wire() {
            return wire;
        }

        /**
         * @param wire {@code 5m} or {@code 1h}
         * @return the lifetime, or empty for anything else
         */
        public static Optional<Ttl> fromWire(String wire) {
            return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
        }
    }
}
