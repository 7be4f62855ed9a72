package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import dev.costwise.llm.provider.http.Redirects;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Maps Gemini API errors (https://ai.google.dev/gemini-api/docs/troubleshooting) to {@link ProviderException}s.
 *
 * <p>The body is Google's {@code {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}}.
 * The {@code status} decides, the HTTP code is the fallback; a redirect (3xx, never followed) is a server error
 * whatever its body ({@link Redirects}):
 *
 * <table>
 *   <caption>Gemini status to Costwise exception</caption>
 *   <tr><th>HTTP</th><th>status</th><th>exception</th></tr>
 *   <tr><td>400</td><td>INVALID_ARGUMENT</td><td>InvalidRequest; ContextLengthExceeded when the message says the
 *       input token count exceeds the limit; AuthenticationFailed for {@code API_KEY_INVALID}</td></tr>
 *   <tr><td>400</td><td>FAILED_PRECONDITION</td><td>InvalidRequest (for example free tier not available in the
 *       caller's region)</td></tr>
 *   <tr><td>401</td><td>UNAUTHENTICATED</td><td>AuthenticationFailed</td></tr>
 *   <tr><td>403</td><td>PERMISSION_DENIED</td><td>PermissionDenied</td></tr>
 *   <tr><td>404</td><td>NOT_FOUND</td><td>NotFound</td></tr>
 *   <tr><td>429</td><td>RESOURCE_EXHAUSTED</td><td>RateLimited, retry after {@code RetryInfo.retryDelay} (or the
 *       {@code Retry-After} header); QuotaExhausted when a {@code QuotaFailure} names a per-day quota (the free
 *       tier's daily requests: waiting seconds will not help, another model will), with the same wait: when the
 *       quota resets</td></tr>
 *   <tr><td>500</td><td>INTERNAL</td><td>ServerError</td></tr>
 *   <tr><td>503</td><td>UNAVAILABLE</td><td>Overloaded</td></tr>
 *   <tr><td>504</td><td>DEADLINE_EXCEEDED</td><td>ProviderTimeout</td></tr>
 * </table>
 */
final class GeminiErrorMapper {

    private static final int MAX_MESSAGE = 300;

    private final ObjectMapper json;

    GeminiErrorMapper(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Maps an HTTP error response.
     *
     * @param details provider, model, status and request id
     * @param body the response body, possibly not JSON
     * @param retryAfterHeader the parsed {@code Retry-After} header, used when the body has no {@code RetryInfo}
     * @param timeout the adapter's timeout, reported for {@code DEADLINE_EXCEEDED}
     * @return the exception to throw
     */
    ProviderException fromResponse(Details details, String body, Optional<Duration> retryAfterHeader,
            Duration timeout) {
        int status = details.status().orElse(0);
        if (Redirects.isRedirect(status)) {
            return Redirects.failure(details, status);
        }
        JsonNode error = parse(body).path("error");
        String message = error.path("message").asText("");
        if (message.isEmpty()) {
            message = body.isBlank() ? "empty error body" : "HTTP error body: " + shorten(body.strip());
        }
        return fromError(details, error, shorten(message), retryAfterHeader, timeout);
    }

    /**
     * Maps an error object, from an error response or from inside a stream.
     *
     * @param details provider, model, status (if any) and request id
     * @param error the {@code error} object
     * @param message the message to report, already shortened and free of secrets
     * @param retryAfterHeader the {@code Retry-After} header's wait, used when the error has no {@code RetryInfo}
     * @param timeout the adapter's timeout
     * @return the exception to throw
     */
    ProviderException fromError(Details details, JsonNode error, String message, Optional<Duration> retryAfterHeader,
            Duration timeout) {
        String status = error.path("status").asText("");
        if (status.isEmpty()) {
            status = statusForCode(details.status().orElse(error.path("code").asInt(0)));
        }
        return switch (status) {
            case "INVALID_ARGUMENT" -> {
                if (hasReason(error, "API_KEY_INVALID")) {
                    yield new ProviderException.AuthenticationFailed(details, message);
                }
                yield isContextLength(message) ? new ProviderException.ContextLengthExceeded(details, message)
                        : new ProviderException.InvalidRequest(details, message);
            }
            case "FAILED_PRECONDITION", "OUT_OF_RANGE" -> new ProviderException.InvalidRequest(details, message);
            case "UNAUTHENTICATED" -> new ProviderException.AuthenticationFailed(details, message);
            case "PERMISSION_DENIED" -> new ProviderException.PermissionDenied(details, message);
            case "NOT_FOUND" -> new ProviderException.NotFound(details, message);
            case "RESOURCE_EXHAUSTED" -> dailyQuota(error)
                    .<ProviderException>map(quota -> new ProviderException.QuotaExhausted(details,
                            message + " (daily quota " + quota + ")", retryDelay(error).or(() -> retryAfterHeader)))
                    .orElseGet(() -> new ProviderException.RateLimited(details, message,
                            retryDelay(error).or(() -> retryAfterHeader)));
            case "UNAVAILABLE" -> new ProviderException.Overloaded(details, message,
                    retryDelay(error).or(() -> retryAfterHeader));
            case "DEADLINE_EXCEEDED" -> new ProviderException.ProviderTimeout(details,
                    "Gemini request (" + message + ")", timeout);
            default -> new ProviderException.ServerError(details, (status.isEmpty() ? "" : status + ": ") + message);
        };
    }

    private static String statusForCode(int code) {
        return switch (code) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "INTERNAL";
        };
    }

    static boolean isContextLength(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("token count") && (m.contains("exceeds") || m.contains("exceeded"))
                || m.contains("context window") || m.contains("too many tokens");
    }

    /**
     * The id of a per-day quota the error says was exhausted ({@code google.rpc.QuotaFailure} violation whose
     * {@code quotaId} names a day, such as {@code GenerateRequestsPerDayPerProjectPerModel-FreeTier}).
     *
     * @param error the error object
     * @return the quota id, if a daily quota ran out
     */
    static Optional<String> dailyQuota(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (detail.path("@type").asText().endsWith("google.rpc.QuotaFailure")) {
                for (JsonNode violation : detail.path("violations")) {
                    String id = violation.path("quotaId").asText("");
                    if (id.contains("PerDay")) {
                        return Optional.of(id);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static boolean hasReason(JsonNode error, String reason) {
        for (JsonNode detail : error.path("details")) {
            if (reason.equals(detail.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The {@code retryDelay} of a {@code google.rpc.RetryInfo} detail.
     *
     * @param error the error object
     * @return the delay, if the error carries a readable one
     */
    static Optional<Duration> retryDelay(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (detail.path("@type").asText().endsWith("google.rpc.RetryInfo")) {
                return parseProtoDuration(detail.path("retryDelay").asText(""));
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a protobuf JSON duration such as {@code "37s"} or {@code "1.500s"}.
     *
     * @param text the text
     * @return the duration, or empty if the text is not one
     */
    static Optional<Duration> parseProtoDuration(String text) {
        if (!text.endsWith("s")) {
            return Optional.empty();
        }
        try {
            BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1));
            if (seconds.signum() < 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(seconds.movePointRight(9).longValueExact()));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private JsonNode parse(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isArray() && !node.isEmpty()) {
                return node.get(0); // streamGenerateContent without alt=sse wraps errors in an array
            }
            return node == null ? json.createObjectNode() : node;
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }

    static String shorten(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }
}
