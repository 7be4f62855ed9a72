package dev.costwise.llm.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.InBandErrors;
import dev.costwise.llm.provider.http.Redirects;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Maps Anthropic's error responses (https://docs.claude.com/en/api/errors) to {@link ProviderException}s.
 *
 * <p>The body is {@code {"type":"error","error":{"type":"…","message":"…"}}}. The error {@code type} decides, the
 * HTTP status is the fallback when the body is not Anthropic's (a proxy's HTML page, an empty body). A redirect
 * (3xx, never followed) is a server error whatever its body ({@link Redirects}):
 *
 * <table>
 *   <caption>Anthropic error to Costwise exception</caption>
 *   <tr><th>status</th><th>type</th><th>exception</th></tr>
 *   <tr><td>400</td><td>invalid_request_error</td><td>InvalidRequest; ContextLengthExceeded when the message says
 *       the prompt is too long or exceeds the context limit</td></tr>
 *   <tr><td>401</td><td>authentication_error</td><td>AuthenticationFailed</td></tr>
 *   <tr><td>402</td><td>billing_error</td><td>QuotaExhausted</td></tr>
 *   <tr><td>403</td><td>permission_error</td><td>PermissionDenied</td></tr>
 *   <tr><td>404</td><td>not_found_error</td><td>NotFound</td></tr>
 *   <tr><td>413</td><td>request_too_large</td><td>InvalidRequest</td></tr>
 *   <tr><td>429</td><td>rate_limit_error</td><td>RateLimited with {@code retry-after}; QuotaExhausted for a spend
 *       limit ({@code enforced_spend_limit_reached})</td></tr>
 *   <tr><td>500</td><td>api_error</td><td>ServerError; at 503 Overloaded and at 504 ProviderTimeout, as the
 *       status says for every provider</td></tr>
 *   <tr><td>504</td><td>timeout_error</td><td>ProviderTimeout</td></tr>
 *   <tr><td>529</td><td>overloaded_error</td><td>Overloaded with {@code retry-after}</td></tr>
 * </table>
 *
 * <p>The provider's message is kept, with the API key and anything shaped like a provider key removed
 * ({@link ApiKey#redactFrom}), then shortened to 300 characters. Anthropic's own messages do not echo the key, but a
 * proxy in front of it, or a server speaking its format, may: in an error response as in a stream's error event.
 */
final class AnthropicErrorMapper {

    private static final int MAX_MESSAGE = 300;

    private final ObjectMapper json;
    private final ApiKey key;

    /**
     * @param json the mapper error bodies are parsed with
     * @param key the key the adapter sends, removed from every message
     */
    AnthropicErrorMapper(ObjectMapper json, ApiKey key) {
        this.json = json;
        this.key = key;
    }

    /**
     * Maps an HTTP error response.
     *
     * @param details provider, model, status and request id
     * @param body the response body, possibly not JSON, possibly quoting the key
     * @param retryAfter the parsed {@code retry-after} header, if any
     * @param timeout the adapter's timeout, reported by a {@code timeout_error}
     * @return the exception to throw
     */
    ProviderException fromResponse(Details details, String body, Optional<Duration> retryAfter, Duration timeout) {
        int status = details.status().orElse(0);
        if (Redirects.isRedirect(status)) {
            return Redirects.failure(details, status);
        }
        JsonNode error = parse(body).path("error");
        String type = error.path("type").asText("");
        String message = error.path("message").asText("");
        if (message.isEmpty()) {
            message = body.isBlank() ? "empty error body" : "HTTP error body: " + body.strip();
        }
        if (type.isEmpty() || type.equals("api_error") && status >= 500) {
            // api_error is the catch-all: the status says more (a 503 is overloaded, as from every provider)
            type = AnthropicErrorTypes.forStatus(status);
        }
        String code = error.path("details").path("error_code").asText("");
        return map(details, type, clean(message), code, retryAfter, timeout);
    }

    /**
     * Maps an {@code event: error} received in the middle of a stream, whose HTTP status was already a success: typed
     * by the error's type, with no status, the message saying it was an error event ({@link InBandErrors}).
     *
     * @param details provider, model and request id (no status)
     * @param status the status the stream began with
     * @param data the event's data
     * @param timeout the adapter's timeout
     * @return the exception to throw
     */
    ProviderException fromStreamEvent(Details details, int status, JsonNode data, Duration timeout) {
        JsonNode error = data.path("error");
        String message = clean(error.path("message").asText("error event without a message"));
        return map(details, error.path("type").asText("api_error"), InBandErrors.streamEvent(message, status),
                error.path("details").path("error_code").asText(""), Optional.empty(), timeout);
    }

    private ProviderException map(Details d, String type, String message, String code,
            Optional<Duration> retryAfter, Duration timeout) {
        return switch (type) {
            case "invalid_request_error" -> isContextLength(message)
                    ? new ProviderException.ContextLengthExceeded(d, message)
                    : new ProviderException.InvalidRequest(d, message);
            case "authentication_error" -> new ProviderException.AuthenticationFailed(d, message);
            case "billing_error" -> new ProviderException.QuotaExhausted(d, message);
            case "permission_error" -> new ProviderException.PermissionDenied(d, message);
            case "not_found_error" -> new ProviderException.NotFound(d, message);
            case "request_too_large" -> new ProviderException.InvalidRequest(d, "request too large: " + message);
            case "rate_limit_error" -> "enforced_spend_limit_reached".equals(code)
                    ? new ProviderException.QuotaExhausted(d, message)
                    : new ProviderException.RateLimited(d, message, retryAfter);
            case "overloaded_error" -> new ProviderException.Overloaded(d, message, retryAfter);
            case "timeout_error" -> new ProviderException.ProviderTimeout(d, "Anthropic request (" + message + ")",
                    timeout);
            default -> new ProviderException.ServerError(d, clean(type) + ": " + message); // type is theirs too
        };
    }

    static boolean isContextLength(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("prompt is too long") || m.contains("exceed context limit")
                || m.contains("context window") || m.contains("too many tokens");
    }

    private JsonNode parse(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node == null ? json.createObjectNode() : node;
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }

    /** The key removed before shortening, so that no cut can leave a part of it that no longer matches. */
    private String clean(String message) {
        return shorten(key.redactFrom(message));
    }

    static String shorten(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }
}
