package dev.costwise.gateway.http;

import java.time.Duration;
import java.util.Optional;

/**
 * An error answer in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 *
 * @param status the HTTP status
 * @param type OpenAI's error type ({@code invalid_request_error}, {@code authentication_error}…)
 * @param code a stable code, if any ({@code model_not_found}, {@code budget_exceeded}…)
 * @param param the offending field, if any
 * @param message what happened
 * @param retryAfter sent as {@code Retry-After} (whole seconds, rounded up)
 * @param extra more fields inside {@code error}, already JSON (for example {@code "resets_at":"…"}), or empty
 * @param clearsSoon the refusal clears on its own within its short {@code retryAfter} (a budget held only by requests
 *     in flight), so clients may retry it though its code alone would tell them not to ({@link
 *     ErrorResponses#noClientRetry})
 * @param billed what the failed request was billed, told as {@code x-costwise-cost} and a {@code costwise} object;
 *     empty when nothing was
 */
public record ApiError(int status, String type, Optional<String> code, Optional<String> param, String message,
        Optional<Duration> retryAfter, String extra, boolean clearsSoon, Optional<GatewayException.Billed> billed) {

    /** An error whose code alone says whether clients may retry it. */
    public ApiError(int status, String type, Optional<String> code, Optional<String> param, String message,
            Optional<Duration> retryAfter, String extra) {
        this(status, type, code, param, message, retryAfter, extra, false);
    }

    /** An error of a request that was billed nothing. */
    public ApiError(int status, String type, Optional<String> code, Optional<String> param, String message,
            Optional<Duration> retryAfter, String extra, boolean clearsSoon) {
        this(status, type, code, param, message, retryAfter, extra, clearsSoon, Optional.empty());
    }

    /** @return this error naming no field */
    public ApiError withoutParam() {
        return new ApiError(status, type, code, Optional.empty(), message, retryAfter, extra, clearsSoon, billed);
    }

    /** @return this error telling what the request was billed, if anything */
    public ApiError withBilled(Optional<GatewayException.Billed> what) {
        return new ApiError(status, type, code, param, message, retryAfter, extra, clearsSoon, what);
    }

    /**
     * @param wait how long a caller should wait
     * @return the whole seconds {@code Retry-After} says for it (rounded up, at least 1), as messages say it too
     */
    public static long retryAfterSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    static ApiError of(int status, String type, String code, String message) {
        return new ApiError(status, type, Optional.ofNullable(code), Optional.empty(), message, Optional.empty(), "");
    }
}
