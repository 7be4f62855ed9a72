package dev.costwise.llm.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.InBandErrors;
import dev.costwise.llm.provider.http.Redirects;
import dev.costwise.llm.provider.http.SecretRedactor;
import dev.costwise.llm.wire.WireError;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Maps an OpenAI-compatible error (HTTP status plus the {@code {"error": {...}}} body) to the typed
 * {@link ProviderException} hierarchy.
 *
 * <p>400 is an invalid request, except a context-length error ({@link #isContextLength}) and a content-policy code
 * (content filtered); 401 authentication; 402 (OpenRouter credits) quota exhausted; 403 permission, except an
 * OpenRouter moderation flag (content filtered); 404 not found; 408 timeout; 413 context length; 422 invalid; 429 rate
 * limited with its retry-after, except {@code insufficient_quota} (quota exhausted); 500, 502 and other 5xx server
 * error; 503 and 529 overloaded; 504 timeout; a redirect (3xx, never followed) a server error whatever its body
 * ({@link Redirects}). The retry-after is the headers', else the {@code estimated_time} of a Hugging Face "model is
 * loading" body; for a 429, adapters also read the reset OpenRouter puts in the error's metadata
 * ({@link #untilMetadataReset}). Messages are the provider's, shortened, with any key removed. An error
 * sent inside a success answer (a stream's error event, OpenRouter's error in a 200 body) is typed the same way by
 * its code and type ({@link #statusOf}), but reports no HTTP status, since none was sent for it.
 *
 * @see <a href="https://platform.openai.com/docs/guides/error-codes">OpenAI error codes</a>
 * @see <a href="https://openrouter.ai/docs/api-reference/errors">OpenRouter errors</a>
 */
public final class OpenAiErrorMapper {

    private static final int MAX_MESSAGE = 300;
    /** Resets below this are epoch seconds: as milliseconds they would be in 1973, as seconds in the year 5138. */
    private static final long EPOCH_MILLIS_FLOOR = 100_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiErrorMapper() {}

    /**
     * Maps one error response.
     *
     * @param details provider, model, status and request id
     * @param status the HTTP status to map
     * @param error the parsed error body, if it parsed
     * @param rawBody the raw body, used when it did not parse
     * @param retryAfter the wait the response headers asked for
     * @param elapsed how long the call took (for a provider-side timeout)
     * @param key the key used, to scrub from messages; empty for none
     * @return the exception to throw
     */
    public static ProviderException map(Details details, int status, Optional<WireError> error, String rawBody,
            Optional<Duration> retryAfter, Duration elapsed, Optional<ApiKey> key) {
        if (Redirects.isRedirect(status)) {
            return Redirects.failure(withError(details, OptionalInt.of(status), Optional.empty()), status);
        }
        String message = clean(error.map(WireError::message).filter(m -> !m.isBlank()).orElse(rawBody), key);
        if (message.isBlank()) {
            message = "HTTP " + status + " with no error message";
        }
        return byStatus(withError(details, OptionalInt.of(status), error), status, message, error,
                retryAfter.or(() -> estimatedTime(rawBody)), elapsed);
    }

    /**
     * The wait a Hugging Face "model is loading" answer gives in its body ({@code {"error": "Model … is currently
     * loading", "estimated_time": 20.0}}, seconds), for an answer whose headers gave none.
     *
     * @param rawBody the error body
     * @return the wait, if the body is JSON with a finite, non-negative {@code estimated_time}
     */
    static Optional<Duration> estimatedTime(String rawBody) {
        if (!rawBody.contains("estimated_time")) {
            return Optional.empty();
        }
        try {
            JsonNode seconds = JSON.readTree(rawBody).path("estimated_time");
            if (!seconds.isNumber() || !Double.isFinite(seconds.doubleValue()) || seconds.doubleValue() < 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(seconds.decimalValue().movePointRight(9).setScale(0,
                    RoundingMode.CEILING).min(BigDecimal.valueOf(Long.MAX_VALUE)).longValueExact()));
        } catch (IOException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /**
     * When the limit an OpenRouter 429 reports resets, for an answer whose HTTP headers gave no wait: OpenRouter passes
     * the limit's own headers in the error's {@code metadata.headers}, {@code X-RateLimit-Reset} in epoch
     * milliseconds ({@code {"error": {"message": "Rate limit exceeded: free-models-per-day", "code": 429,
     * "metadata": {"headers": {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0",
     * "X-RateLimit-Reset": "1741305600000"}, "provider_name": null}}}}); a value below 10^11 is read as epoch
     * seconds, as an upstream's own header passed on may be. A reset is when the limit is whole again,
     * possibly hours away (a daily limit), so callers bound the wait as they bound any other.
     *
     * @param metadata the error's {@code metadata}, if it had one
     * @param now the current time
     * @return the time until the reset, zero when it has passed, if the metadata gave one as a whole number
     */
    public static Optional<Duration> untilMetadataReset(Optional<JsonNode> metadata, Instant now) {
        JsonNode headers = metadata.map(m -> m.path("headers")).orElse(JSON.missingNode());
        for (Map.Entry<String, JsonNode> h : headers.properties()) {
            if (h.getKey().equalsIgnoreCase("x-ratelimit-reset")) { // header names are not case-sensitive
                return wholeNumber(h.getValue()).map(reset -> {
                    Duration left = Duration.between(now, resetInstant(reset));
                    return left.isNegative() ? Duration.ZERO : left;
                });
            }
        }
        return Optional.empty();
    }

    /**
     * @return the reset as an instant: epoch milliseconds as OpenRouter sends it, or epoch seconds (as many other
     *     providers' {@code X-RateLimit-Reset} is) when below 10^11, which in milliseconds would be March 1973
     */
    private static Instant resetInstant(long reset) {
        return reset < EPOCH_MILLIS_FLOOR ? Instant.ofEpochSecond(reset) : Instant.ofEpochMilli(reset);
    }

    private static Optional<Long> wholeNumber(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Optional.of(value.longValue());
        }
        try {
            return value.isTextual() ? Optional.of(Long.parseLong(value.asText().trim())) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Maps an error event read from a stream that began with a success status ({@code data: {"error": ...}}, an
     * Ollama {@code {"error": ...}} line). Its type follows the error's code and type ({@link #statusOf}), as for an
     * error response with that status; it reports no {@link ProviderException#status()}, since none was sent for it,
     * and its message says it was an error event in the stream ({@link InBandErrors#streamEvent}).
     *
     * @param details provider, model, the stream's status and request id
     * @param error the event's error
     * @param key the key used, to scrub from the message; empty for none
     * @return the exception to throw
     */
    public static ProviderException mapStreamEvent(Details details, WireError error, Optional<ApiKey> key) {
        String message = InBandErrors.streamEvent(inBandMessage(error, key), details.status().orElse(200));
        return byStatus(withError(details, OptionalInt.empty(), Optional.of(error)), statusOf(error), message,
                Optional.of(error), Optional.empty(), Duration.ZERO);
    }

    /**
     * Maps an error object in the body of a success response (OpenRouter's errors once the model has started), as
     * {@link #mapStreamEvent} maps an error event: typed by its code and type, with no {@link
     * ProviderException#status()}, its message saying where it came from ({@link InBandErrors#inBody}).
     *
     * @param details provider, model, the response's status and request id
     * @param error the body's error
     * @param retryAfter the wait the response headers asked for
     * @param elapsed how long the call took (for a provider-side timeout)
     * @param key the key used, to scrub from the message; empty for none
     * @return the exception to throw
     */
    public static ProviderException mapInBody(Details details, WireError error, Optional<Duration> retryAfter,
            Duration elapsed, Optional<ApiKey> key) {
        String message = InBandErrors.inBody(inBandMessage(error, key), details.status().orElse(200));
        return byStatus(withError(details, OptionalInt.empty(), Optional.of(error)), statusOf(error), message,
                Optional.of(error), retryAfter, elapsed);
    }

    private static String inBandMessage(WireError error, Optional<ApiKey> key) {
        String message = clean(error.message(), key);
        return message.isBlank() ? "an error with no message" : message;
    }

    private static Details withError(Details details, OptionalInt status, Optional<WireError> error) {
        return new Details(details.provider(), details.model(), status, details.providerRequestId())
                .withProviderError(error.flatMap(WireError::param), error.flatMap(WireError::code));
    }

    /** The exception an error response with {@code status} maps to; {@code d} says whether that status was sent. */
    private static ProviderException byStatus(Details d, int status, String message, Optional<WireError> error,
            Optional<Duration> retryAfter, Duration elapsed) {
        String code = error.flatMap(WireError::code).orElse("").toLowerCase(Locale.ROOT);
        String type = error.flatMap(WireError::type).orElse("").toLowerCase(Locale.ROOT);
        String lower = message.toLowerCase(Locale.ROOT);
        String answered = d.status().isPresent() ? "the provider answered " + status + ": " : "";
        return switch (status) {
            case 400 -> isContextLength(code, lower) ? new ProviderException.ContextLengthExceeded(d, message)
                    : isContentPolicy(code, type) ? new ProviderException.ContentFiltered(d, message)
                    : new ProviderException.InvalidRequest(d, message);
            case 401 -> new ProviderException.AuthenticationFailed(d, message);
            case 402 -> new ProviderException.QuotaExhausted(d, message);
            case 403 -> isModeration(error, lower) ? new ProviderException.ContentFiltered(d, message)
                    : new ProviderException.PermissionDenied(d, message);
            case 404 -> new ProviderException.NotFound(d, message);
            case 408, 504 -> new ProviderException.ProviderTimeout(d, "request (" + answered + message + ")",
                    elapsed);
            case 413 -> new ProviderException.ContextLengthExceeded(d, message);
            case 422 -> isContextLength(code, lower) ? new ProviderException.ContextLengthExceeded(d, message)
                    : new ProviderException.InvalidRequest(d, message);
            case 429 -> code.equals("insufficient_quota") || type.equals("insufficient_quota")
                    ? new ProviderException.QuotaExhausted(d, message)
                    : new ProviderException.RateLimited(d, message, retryAfter);
            case 503, 529 -> new ProviderException.Overloaded(d, message, retryAfter);
            default -> status >= 500 ? new ProviderException.ServerError(d, message)
                    : new ProviderException.InvalidRequest(d, message);
        };
    }

    /**
     * The status an error inside a 200 body (or a stream event) stands for: its numeric {@code code} if it has one
     * (OpenRouter's, TGI's {@code http_status_code}), else what a known code or type stands for (TGI's
     * {@code validation} type is the 422 it answers unstreamed), else 500.
     *
     * @param error the error
     * @return the status to map it by
     */
    public static int statusOf(WireError error) {
        return error.code().flatMap(c -> {
            try {
                int n = Integer.parseInt(c.trim());
                return n >= 400 && n <= 599 ? Optional.of(n) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }).orElseGet(() -> {
            String code = error.code().orElse("").toLowerCase(Locale.ROOT);
            String type = error.type().orElse("").toLowerCase(Locale.ROOT);
            if (code.equals("context_length_exceeded")) {
                return 400;
            }
            if (code.equals("rate_limit_exceeded") || type.equals("rate_limit_error")) {
                return 429;
            }
            if (code.equals("insufficient_quota")) {
                return 429;
            }
            if (type.equals("invalid_request_error")) {
                return 400;
            }
            if (type.equals("validation")) {
                return 422; // Hugging Face TGI's validation error: a caller's mistake, the prompt too long among them
            }
            return 500;
        });
    }

    /**
     * Whether a 400 or 422 says the prompt (with the output asked for) does not fit the model's window: OpenAI's
     * {@code context_length_exceeded} code or its sentence ("maximum context length"), the same words from other
     * servers, and Hugging Face TGI's validation errors ({@code "`inputs` tokens + `max_new_tokens` must be <= 8192"},
     * {@code "`inputs` must have less than 8192 tokens"}, https://github.com/huggingface/text-generation-inference).
     *
     * @param code the error's code, or ""
     * @param message the error's message
     * @return {@code true} if a model with a larger window may take the request
     */
    public static boolean isContextLength(String code, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        return code.equalsIgnoreCase("context_length_exceeded") || code.equalsIgnoreCase("string_above_max_length")
                || lower.contains("maximum context length") || lower.contains("context length")
                || lower.contains("context window") || lower.contains("too many tokens")
                || lower.contains("tokens + `max_new_tokens` must be <=")
                || lower.contains("`inputs` must have less than");
    }

    private static boolean isContentPolicy(String code, String type) {
        return code.equals("content_filter") || code.equals("content_policy_violation")
                || type.equals("content_filter");
    }

    private static boolean isModeration(Optional<WireError> error, String lowerMessage) {
        boolean flagged = error.flatMap(WireError::metadata)
                .map(m -> m.has("reasons") || m.has("flagged_input")).orElse(false);
        return flagged || lowerMessage.contains("moderation") || lowerMessage.contains("flagged");
    }

    private static String clean(String message, Optional<ApiKey> key) {
        String m = key.map(k -> k.redactFrom(message)).orElseGet(() -> SecretRedactor.redact(message)).strip();
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "…" : m;
    }
}
