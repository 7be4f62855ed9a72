package dev.costwise.llm.chat;

import java.util.Objects;
import java.util.Optional;

/** One part of a multi-part message: text or an image. */
public sealed interface ContentPart {

    /**
     * Plain text.
     *
     * @param text the text
     */
    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image by URL or {@code data:} URI, as OpenAI's {@code image_url} part.
     *
     * @param url an {@code https:} URL or a {@code data:image/...;base64,...} URI
     * @param detail OpenAI's {@code detail} hint ({@code low}, {@code high}, {@code auto}), if given
     */
    record Image(String url, Optional<String> detail) implements ContentPart {
        public Image {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(detail, "detail");
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
