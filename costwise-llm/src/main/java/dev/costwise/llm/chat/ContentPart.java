package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/** One part of a multi-part message: text or an image. */
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
