package dev.costwise.llm.provider.http;

import java.util.regex.Pattern;

/**
 * Replaces anything shaped like a provider key in a text: OpenAI ({@code sk-…}, including OpenAI's own masked echo
 * {@code sk-abc*****wxyz}), OpenRouter ({@code sk-or-…}), Anthropic ({@code sk-ant-…}), Groq ({@code gsk_…}),
 * Hugging Face ({@code hf_…}), Google ({@code AIza…}) and bearer tokens.
 */
public final class SecretRedactor {

    private static final Pattern KEY_LIKE = Pattern.compile(
            "(?:sk-[A-Za-z0-9_\\-*.]{6,}|gsk_[A-Za-z0-9*]{6,}|hf_[A-Za-z0-9*]{6,}|AIza[0-9A-Za-z_\\-]{20,}"
                    + "|(?i:bearer)\\s+[A-Za-z0-9_\\-.*]{6,})");

    private SecretRedactor() {}

    /**
     * @param text any text
     * @return the text with key-like substrings replaced by {@code [redacted]}
     */
    public static String redact(String text) {
        return text == null ? "" : KEY_LIKE.matcher(text).replaceAll("[redacted]");
    }
}
