package dev.costwise.llm.provider.http;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider API key. Its {@link #toString()} never shows the key, so it is safe in logs, exception messages and the
 * {@code toString} of any object that holds it; only {@link #reveal()} gives the secret, for the request header.
 */
public final class ApiKey {

    private final String secret;

    private ApiKey(String secret) {
        this.secret = secret;
    }

    /**
     * Wraps a key.
     *
     * @param secret the key
     * @return the key
     * @throws IllegalArgumentException if {@code secret} is blank (the message does not contain it)
     */
    public static ApiKey of(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.isBlank()) {
            throw new IllegalArgumentException("an API key cannot be blank");
        }
        return new ApiKey(secret.strip());
    }

    /**
     * Reads a key from the first of {@code names} set (and not blank) in {@code env}.
     *
     * @param env the environment, usually {@link System#getenv()}
     * @param names variable names in order of preference, such as {@code OPENAI_API_KEY}
     * @return the key, if any variable held one
     */
    public static Optional<ApiKey> fromEnvironment(Map<String, String> env, String... names) {
        for (String name : names) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return Optional.of(new ApiKey(v.strip()));
            }
        }
        return Optional.empty();
    }

    /** @return the secret, for the request header only; never log it */
    public String reveal() {
        return secret;
    }

    /**
     * Removes this key, and anything shaped like a provider key, from a text (a provider's error message may quote
     * the key it rejected, in part).
     *
     * @param text the text
     * @return the text with secrets replaced by {@code [redacted]}
     */
    public String redactFrom(String text) {
        return SecretRedactor.redact(text, Optional.of(secret));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey k && secret.equals(k.secret);
    }

    @Override
    public int hashCode() {
        return secret.hashCode();
    }

    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }
}
