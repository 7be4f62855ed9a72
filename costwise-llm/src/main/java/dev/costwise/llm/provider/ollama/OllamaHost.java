package dev.costwise.llm.provider.ollama;

import dev.costwise.llm.provider.http.BaseUrls;
import dev.costwise.llm.provider.http.SafeUrls;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Where the Ollama server is: {@code OLLAMA_HOST} as the Ollama CLI reads it ({@code host}, {@code host:port} or a
 * full http(s) URL), default {@code http://localhost:11434}.
 */
public final class OllamaHost {

    /** The default server. */
    public static final URI DEFAULT = URI.create("http://localhost:11434");

    private OllamaHost() {}

    /**
     * Reads {@code OLLAMA_HOST} from {@code env}.
     *
     * @param env the environment
     * @return the base URL, without a trailing slash
     * @throws IllegalArgumentException if the variable is set but is not a host, host:port or http(s) URL (naming
     *     it)
     */
    public static URI fromEnvironment(Map<String, String> env) {
        String v = env.get("OLLAMA_HOST");
        return v == null || v.isBlank() ? DEFAULT : parse("OLLAMA_HOST", v.strip());
    }

    /**
     * Parses a host, host:port or http(s) URL; a missing scheme is {@code http}, a missing port 11434.
     *
     * @param value the text
     * @return the base URL
     * @throws IllegalArgumentException if it cannot be read as one, or is a URL of another scheme (naming
     *     {@code baseUrl})
     */
    public static URI parse(String value) {
        return parse("baseUrl", value);
    }

    /**
     * Checks a server's URL.
     *
     * @param url an absolute http(s) URL
     * @return the base URL, without a trailing slash
     * @throws IllegalArgumentException if it is not an absolute http(s) URL (naming {@code baseUrl} and it)
     */
    public static URI of(URI url) {
        return parse("baseUrl", BaseUrls.require(url).toString());
    }

    /**
     * Parses a host, host:port or URL; a missing scheme is {@code http}, a missing port 11434.
     *
     * @param setting where the text came from, named in the error: {@code baseUrl} or {@code OLLAMA_HOST}
     * @param value the text
     * @return the base URL
     * @throws IllegalArgumentException if it cannot be read as one
     */
    static URI parse(String setting, String value) {
        Objects.requireNonNull(value, setting);
        String s = value.contains("://") ? value : "http://" + value;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        URI u;
        try {
            u = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw notAHost(setting, value, e);
        }
        if (value.contains("://")) {
            BaseUrls.require(setting, u); // a URL: http(s), as the URI overload checks it
        }
        if (u.getHost() == null) {
            throw notAHost(setting, value, null);
        }
        if (u.getPort() == -1 && !value.contains("://")) {
            u = URI.create(u.getScheme() + "://" + u.getHost() + ":11434" + (u.getPath() == null ? "" : u.getPath()));
        }
        return u;
    }

    /** The error naming the value without user info or query, which may hold credentials. */
    private static IllegalArgumentException notAHost(String setting, String value, Throwable cause) {
        String shown = value.contains("://") ? SafeUrls.withoutSecrets(value)
                : SafeUrls.withoutSecrets("//" + value).substring(2);
        return new IllegalArgumentException(setting + " is not a host or URL: '" + shown + "'", cause);
    }
}
