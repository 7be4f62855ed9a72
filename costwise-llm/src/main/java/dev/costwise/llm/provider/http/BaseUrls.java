package dev.costwise.llm.provider.http;

import java.net.URI;
import java.util.Objects;

/**
 * Checks a provider's base URL, and joins it with an endpoint's path. A base URL may carry a query that every call
 * needs (Azure OpenAI's {@code ?api-version=2024-10-21}): the path goes at the end of the base URL's path, before its
 * query, and a query the endpoint adds ({@code ?alt=sse}) follows the base URL's. Stateless.
 */
public final class BaseUrls {
    private BaseUrls() {}

    /**
     * Reads a base URL given as text, as every adapter builder's {@code baseUrl(String)} does.
     *
     * @param value such as {@code http://localhost:8080/v1}
     * @return the URL
     * @throws IllegalArgumentException if it is not an absolute http(s) URL, naming {@code baseUrl} and the text
     */
    public static URI parse(String value) {
        Objects.requireNonNull(value, "baseUrl");
        URI url;
        try {
            url = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL, was '"
                    + SafeUrls.withoutSecrets(value) + "'", e);
        }
        return require(url);
    }

    /**
     * Checks a base URL, as every adapter builder's {@code baseUrl(URI)} does.
     *
     * @param value such as {@code http://localhost:8080/v1}
     * @return {@code value}
     * @throws IllegalArgumentException if it is not an absolute http(s) URL with a host, naming {@code baseUrl} and
     *     the URL
     */
    public static URI require(URI value) {
        return require("baseUrl", value);
    }

    /**
     * Checks a base URL that came from {@code setting} (a builder's {@code baseUrl}, an environment variable such as
     * {@code OLLAMA_HOST}).
     *
     * @param setting where the URL came from, named in the error
     * @param value such as {@code http://localhost:8080/v1}
     * @return {@code value}
     * @throws IllegalArgumentException if it is not an absolute http(s) URL with a host, naming {@code setting} and
     *     the URL without its user info or query, which may hold credentials
     */
    public static URI require(String setting, URI value) {
        Objects.requireNonNull(value, setting);
        if (!value.isAbsolute() || value.getHost() == null
                || !("http".equalsIgnoreCase(value.getScheme()) || "https".equalsIgnoreCase(value.getScheme()))) {
            throw new IllegalArgumentException(setting + " must be an absolute http(s) URL, was "
                    + SafeUrls.withoutSecrets(value.toString()));
        }
        return value;
    }

    /**
     * @param baseUrl an absolute URL, with or without a trailing slash or a query (kept as written)
     * @param path the endpoint, with or without a leading slash, such as {@code /chat/completions}
     * @return the endpoint's URL, such as {@code https://host/v1/chat/completions?api-version=2024-10-21}
     */
    public static String resolve(String baseUrl, String path) {
        int q = baseUrl.indexOf('?');
        String base = q < 0 ? baseUrl : baseUrl.substring(0, q);
        String query = q < 0 ? "" : baseUrl.substring(q + 1);
        int pq = path.indexOf('?');
        String endpoint = pq < 0 ? path : path.substring(0, pq);
        String endpointQuery = pq < 0 ? "" : path.substring(pq + 1);
        boolean slashed = base.endsWith("/");
        String joined = slashed && endpoint.startsWith("/") ? base + endpoint.substring(1)
                : slashed || endpoint.startsWith("/") ? base + endpoint : base + "/" + endpoint;
        String queries = query.isEmpty() || endpointQuery.isEmpty() ? query + endpointQuery
                : query + "&" + endpointQuery;
        return queries.isEmpty() ? joined : joined + "?" + queries;
    }

    /**
     * @param baseUrl an absolute URL
     * @param path the endpoint
     * @return {@link #resolve(String, String)} as a URI
     */
    public static URI resolve(URI baseUrl, String path) {
        return URI.create(resolve(baseUrl.toString(), path));
    }
}
