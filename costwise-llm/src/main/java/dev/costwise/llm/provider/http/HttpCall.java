package dev.costwise.llm.provider.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One HTTP request to a provider: method, absolute URI, headers and body.
 *
 * <p>Immutable. {@link #toString()} never shows the body, the value of a credential header ({@code Authorization},
 * {@code x-api-key}, {@code api-key}, {@code x-goog-api-key}) nor the URI's user info and query, so a call can be
 * logged safely.
 *
 * @param method the HTTP method, such as {@code POST}
 * @param uri the absolute URI
 * @param headers request headers (names as given; one value each)
 * @param body the request body; empty for none
 */
public record HttpCall(String method, URI uri, Map<String, String> headers, byte[] body) {

    private static final Set<String> SECRET_HEADERS =
            Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key", "proxy-authorization");

    public HttpCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        if (!uri.isAbsolute()) {
            throw new IllegalArgumentException("uri must be absolute, was " + uri);
        }
    }

    /**
     * A {@code POST} with a JSON body.
     *
     * @param uri the absolute URI
     * @param headers extra headers (credentials, provider headers); {@code Content-Type} and {@code Accept} are added
     * @param json the JSON body
     * @return the call
     */
    public static HttpCall postJson(URI uri, Map<String, String> headers, byte[] json) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Content-Type", "application/json");
        all.put("Accept", "application/json");
        all.putAll(headers);
        return new HttpCall("POST", uri, all, json);
    }

    /**
     * A {@code POST} with a JSON body that asks for a streamed answer ({@code Accept: text/event-stream} unless
     * {@code headers} says otherwise).
     *
     * @param uri the absolute URI
     * @param headers extra headers
     * @param json the JSON body
     * @return the call
     */
    public static HttpCall postJsonForStream(URI uri, Map<String, String> headers, byte[] json) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Content-Type", "application/json");
        all.put("Accept", "text/event-stream");
        all.putAll(headers);
        return new HttpCall("POST", uri, all, json);
    }

    /** @return the body as UTF-8 text (for tests and diagnostics; never log it, it holds the prompt) */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpCall c && method.equals(c.method) && uri.equals(c.uri) && headers.equals(c.headers)
                && java.util.Arrays.equals(body, c.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, uri, headers, java.util.Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        headers.forEach((k, v) -> shown.put(k, SECRET_HEADERS.contains(k.toLowerCase(Locale.ROOT)) ? "<redacted>" : v));
        return "HttpCall[" + method + " " + SafeUrls.withoutSecrets(uri.toString()) + ", headers=" + shown + ", body="
                + body.length + " bytes]";
    }
}
