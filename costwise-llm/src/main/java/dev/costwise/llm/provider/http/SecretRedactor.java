package dev.costwise.llm.provider.http;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Replaces anything shaped like a provider key in a text: OpenAI ({@code sk-…}, including OpenAI's own masked echo
 * {@code sk-abc*****wxyz}), OpenRouter ({@code sk-or-…}), Anthropic ({@code sk-ant-…}), Groq ({@code gsk_…}),
 * Hugging Face ({@code hf_…}), Google ({@code AIza…}) and bearer tokens. A prefix only counts at the start of a
 * word, so that names such as {@code task-runner-v2} stay readable.
 */
public final class SecretRedactor {

    private static final Pattern KEY_LIKE = Pattern.compile(
            "(?<![A-Za-z0-9_\\-])(?:sk-[A-Za-z0-9_\\-*.]{6,}|gsk_[A-Za-z0-9*]{6,}|hf_[A-Za-z0-9*]{6,}"
                    + "|AIza[0-9A-Za-z_\\-]{20,}|(?i:bearer)\\s+[A-Za-z0-9_\\-.*]{6,})");

    private SecretRedactor() {}

    /**
     * @param text any text
     * @return the text with key-like substrings replaced by {@code [redacted]}
     */
    public static String redact(String text) {
        return text == null ? "" : KEY_LIKE.matcher(text).replaceAll("[redacted]");
    }

    /**
     * Removes a known secret, then anything shaped like a provider key: a key of a format this class does not
     * recognise (a self-hosted server's, Mistral's, Together's) is only caught by its exact value.
     *
     * @param text any text
     * @param secret the secret to remove wherever it appears, if known
     * @return the text with secrets replaced by {@code [redacted]}
     */
    public static String redact(String text, Optional<String> secret) {
        String s = text == null ? "" : text;
        if (secret.isPresent() && !secret.get().isBlank()) {
            s = s.replace(secret.get(), "[redacted]");
        }
        return redact(s);
    }
}
