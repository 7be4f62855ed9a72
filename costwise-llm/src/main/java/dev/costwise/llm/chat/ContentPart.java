package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * One part of a multi-part message: text, an image, or (in an assistant message) the model's reasoning as its
 * provider returned it, kept so that it can be sent back in the next turn.
 */
public sealed interface ContentPart {

    /** @return the prompt-cache breakpoint placed after this part, if any */
    Optional<CacheControl> cacheControl();

    /**
     * Plain text.
     *
     * @param text the text
     * @param cacheControl a prompt-cache breakpoint after this part, if any
     */
    record Text(String text, Optional<CacheControl> cacheControl) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(cacheControl, "cacheControl");
        }

        /** @param text the text, with no cache breakpoint */
        public Text(String text) {
            this(text, Optional.empty());
        }
    }

    /**
     * An image by URL or {@code data:} URI, as OpenAI's {@code image_url} part.
     *
     * @param url an {@code https:} URL or a {@code data:image/...;base64,...} URI
     * @param detail OpenAI's {@code detail} hint ({@code low}, {@code high}, {@code auto}), if given
     * @param cacheControl a prompt-cache breakpoint after this part, if any
     */
    record Image(String url, Optional<String> detail, Optional<CacheControl> cacheControl) implements ContentPart {
        public Image {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(cacheControl, "cacheControl");
        }

        /**
         * @param url the URL or data URI
         * @param detail the detail hint, if given; no cache breakpoint
         */
        public Image(String url, Optional<String> detail) {
            this(url, detail, Optional.empty());
        }

        /** @return {@code true} if the image is inline base64 data rather than a link */
        public boolean isInline() {
            return url.startsWith("data:");
        }
    }

    /**
     * A block of the model's reasoning in an assistant message, as Anthropic returns it: the text and the signature
     * that proves it is the model's own. Anthropic requires the blocks of a tool-use turn back, unchanged, with the
     * tool results; other providers ignore them. Never part of {@link Message#text()}.
     *
     * @param text the reasoning text (may be empty, as when a provider returns only a summary elsewhere)
     * @param signature the provider's signature of the block, if it sent one
     */
    record Thinking(String text, Optional<String> signature) implements ContentPart {
        public Thinking {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(signature, "signature");
        }

        /** Reasoning blocks cannot carry a cache breakpoint. */
        @Override
        public Optional<CacheControl> cacheControl() {
            return Optional.empty();
        }
    }

    /**
     * A block of reasoning the provider's safety systems encrypted (Anthropic's {@code redacted_thinking}): opaque,
     * but it must be sent back like {@link Thinking}.
     *
     * @param data the encrypted block
     */
    record RedactedThinking(String data) implements ContentPart {
        public RedactedThinking {
            Objects.requireNonNull(data, "data");
        }

        /** Reasoning blocks cannot carry a cache breakpoint. */
        @Override
        public Optional<CacheControl> cacheControl() {
            return Optional.empty();
        }
    }

    /**
     * A text part.
     *
     * @param text the text
     * @return the part
     */
    static ContentPart text(String text) {
        return new Text(text);
    }

    /**
     * An image part with no detail hint.
     *
     * @param url the URL or data URI
     * @return the part
     */
    static ContentPart image(String url) {
        return new Image(url, Optional.empty());
    }
}
