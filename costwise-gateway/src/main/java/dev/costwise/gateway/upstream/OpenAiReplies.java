package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Reads the parts of OpenAI's wire format the gateway needs: usage, and errors mapped to the typed
 * {@link ProviderException} tree.
 *
 * <p>See https://platform.openai.com/docs/guides/error-codes and
 * https://platform.openai.com/docs/api-reference/chat/object (usage with prompt_tokens_details.cached_tokens and
 * completion_tokens_details.reasoning_tokens).
 */
public final class OpenAiReplies {
    private static final Pattern SECRET = Pattern.compile("(sk|pk|gsk|hf|AIza)[-_A-Za-z0-9*]{6,}");
    private static final int MAX_MESSAGE = 300;

    private OpenAiReplies() {}

    /**
     * Usage from a completion or a chunk's {@code usage} object.
     *
     * @param usage the {@code usage} node (may be missing)
     * @return the usage, or empty when the node has none
     */
    public static Optional<Usage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        long in = usage.path("prompt_tokens").asLong(0);
        long out = usage.path("completion_tokens").asLong(0);
        long cached = Math.min(in, usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        long reasoning = Math.min(out, usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        return Optional.of(new Usage(Math.max(0, in), Math.max(0, cached), 0, Math.max(0, out), Math.max(0,
                reasoning), false));
    }

    /**
     * Maps an error answer to the typed tree.
     *
     * @param provider provider id
     * @param model model name
     * @param status HTTP status
     * @param body the parsed error body, or a missing node
     * @param retryAfter the {@code Retry-After} (or {@code retry-after-ms}) the provider sent
     * @param requestId the provider's request id
     * @return the exception to throw
     */
    public static ProviderException error(String provider, String model, int status, JsonNode body,
            Optional<Duration> retryAfter, Optional<String> requestId) {
        Details d = new Details(provider, model, OptionalInt.of(status), requestId);
        JsonNode err = body.path("error");
        String code = err.path("code").asText("");
        String type = err.path("type").asText("");
        String message = redact(err.path("message").asText(err.isTextual() ? err.asText() : "no error message"));
        if (status == 400 && (code.equals("context_length_exceeded") || message.contains("context length")
                || message.contains("maximum context"))) {
            return new ProviderException.ContextLengthExceeded(d, message);
        }
        if (status == 400 && code.equals("content_filter")) {
            return new ProviderException.ContentFiltered(d, message);
        }
        return switch (status) {
            case 400, 409, 422 -> new ProviderException.InvalidRequest(d, message);
            case 401 -> new ProviderException.AuthenticationFailed(d, message);
            case 402 -> new ProviderException.QuotaExhausted(d, message);
            case 403 -> new ProviderException.PermissionDenied(d, message);
            case 404 -> new ProviderException.NotFound(d, message);
            case 408 -> new ProviderException.ProviderTimeout(d, "provider request timeout", Duration.ZERO);
            case 429 -> code.equals("insufficient_quota") || type.equals("insufficient_quota")
                    ? new ProviderException.QuotaExhausted(d, message)
                    : new ProviderException.RateLimited(d, message, retryAfter);
            case 503, 529 -> new ProviderException.Overloaded(d, message, retryAfter);
            case 504 -> new ProviderException.ProviderTimeout(d, "gateway timeout upstream", Duration.ZERO);
            default -> status >= 500 ? new ProviderException.ServerError(d, message)
                    : new ProviderException.InvalidRequest(d, message);
        };
    }

    /**
     * Parses {@code Retry-After} (seconds or an HTTP date is not supported: seconds only) or {@code retry-after-ms}.
     *
     * @param seconds the Retry-After value, if sent
     * @param millis the retry-after-ms value, if sent
     * @return the wait
     */
    public static Optional<Duration> retryAfter(Optional<String> seconds, Optional<String> millis) {
        try {
            if (millis.isPresent()) {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(millis.get().trim())));
            }
            if (seconds.isPresent()) {
                return Optional.of(Duration.ofMillis((long) (Double.parseDouble(seconds.get().trim()) * 1000)));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** @return {@code text} with anything that looks like an API key masked and at most 300 characters */
    public static String redact(String text) {
        String s = SECRET.matcher(text).replaceAll("[redacted]");
        return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "…" : s;
    }
}
