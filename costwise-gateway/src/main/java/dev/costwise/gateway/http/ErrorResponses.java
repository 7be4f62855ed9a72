package dev.costwise.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.costwise.llm.provider.ProviderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps every way a request can fail to its HTTP status and OpenAI error JSON, in one exhaustive switch per sealed
 * tree, so a new failure kind does not compile until it has a status.
 */
public final class ErrorResponses {
    /**
     * Codes of answers that no retry by the client fixes soon: the official OpenAI and Anthropic SDKs retry a 429 or
     * 5xx on their own (twice by default), obeying a {@code Retry-After} of hours, unless the answer says
     * {@code x-should-retry: false}. Left out on purpose: {@code rate_limit_exceeded} (the key's own minute frees up
     * within its short {@code Retry-After}), {@code shutting_down} (another replica can serve the retry) and
     * {@code internal_error}.
     */
    private static final Set<String> NOT_FOR_CLIENT_RETRY = Set.of(
            // Retry-After is the budget's reset, hours away: a scheduler's business, not an SDK's (unless only
            // requests in flight hold it: ApiError.clearsSoon)
            "budget_exceeded",
            // the gateway has already spent its retries (and retry budget) and fallbacks on these: a client's retry
            // replays the whole pipeline, multiplying the calls to a provider in trouble and opening its circuit
            "upstream_rate_limited", "upstream_overloaded", "upstream_error", "upstream_unreachable",
            "upstream_malformed", "upstream_timeout",
            // no retry fixes these: the gateway's own provider key or account is at fault, or the model is not
            // called at all until its circuit closes
            "upstream_auth_failed", "upstream_forbidden", "upstream_not_found", "upstream_quota_exhausted",
            "upstream_circuit_open");

    private ErrorResponses() {}

    /**
     * Whether the answer tells clients not to retry it on their own ({@code x-should-retry: false}, which the official
     * OpenAI and Anthropic SDKs obey before status and {@code Retry-After}).
     *
     * @param e the error answer
     * @return {@code true} if an automatic retry would only wait or repeat the failure
     */
    public static boolean noClientRetry(ApiError e) {
        return !e.clearsSoon() && e.code().filter(NOT_FOR_CLIENT_RETRY::contains).isPresent();
    }

    /**
     * The answer for a gateway failure.
     *
     * @param e the failure
     * @return status and body
     */
    public static ApiError of(GatewayException e) {
        return answer(e).withBilled(e.billed());
    }

    /**
     * The answer for a bug: a 500 without details, pointing to the gateway's log.
     *
     * @param requestId the request's id, which the log names
     * @return status and body
     */
    public static ApiError internal(String requestId) {
        return ApiError.of(500, "server_error", "internal_error",
                "internal error in the gateway (request " + requestId + "); see the gateway log");
    }

    private static ApiError answer(GatewayException e) {
        return switch (e) {
            case GatewayException.InvalidJson x -> ApiError.of(400, "invalid_request_error", "invalid_json",
                    x.getMessage());
            case GatewayException.InvalidField x -> new ApiError(400, "invalid_request_error",
                    Optional.of("invalid_value"), Optional.of(x.field()).filter(f -> !f.isEmpty()), x.getMessage(),
                    Optional.empty(), "");
            case GatewayException.Unauthorized x -> ApiError.of(401, "authentication_error", "invalid_api_key",
                    x.getMessage());
            case GatewayException.Forbidden x -> ApiError.of(403, "permission_error", x.code(), x.getMessage());
            case GatewayException.NotFound x -> ApiError.of(404, "invalid_request_error", x.code(), x.getMessage());
            case GatewayException.BodyTooLarge x -> ApiError.of(413, "invalid_request_error", "body_too_large",
                    x.getMessage());
            case GatewayException.RateLimited x -> new ApiError(429, "rate_limit_error",
                    Optional.of("rate_limit_exceeded"), Optional.empty(), x.getMessage(), Optional.of(x.retryAfter()),
                    "");
            case GatewayException.BudgetExceeded x -> new ApiError(429, "budget_exceeded",
                    Optional.of("budget_exceeded"), Optional.empty(), x.getMessage(), Optional.of(x.retryAfter()),
                    ",\"budget\":" + quote(x.budget()) + ",\"limit\":" + quote(x.limit().toString())
                            + ",\"spent\":" + quote(x.spent().toString())
                            + ",\"reserved\":" + quote(x.reserved().toString())
                            + ",\"worst_case\":" + quote(x.worstCase().toString())
                            + ",\"resets_at\":" + quote(x.resetsAt().toString()), x.heldInFlight());
            case GatewayException.ShuttingDown x -> ApiError.of(503, "server_error", "shutting_down",
                    x.getMessage());
            case GatewayException.Interrupted x -> ApiError.of(503, "server_error", "interrupted", x.getMessage());
            case GatewayException.CircuitOpen x -> new ApiError(503, "server_error",
                    Optional.of("upstream_circuit_open"), Optional.empty(), x.getMessage(),
                    Optional.of(x.retryAfter()), "");
            case GatewayException.UpstreamFailed x -> withProviderError(upstream(x), x.last());
        };
    }

    /**
     * Adds what the provider's own error body said: the field it named as {@code param} when the caller's request is
     * at fault (the gateway passes the caller's body through, so it is the caller's field; a 5xx is the gateway's
     * own trouble), and its code as {@code upstream_code}, next to the gateway's stable {@code code}.
     */
    private static ApiError withProviderError(ApiError e, Optional<ProviderException> last) {
        if (last.isEmpty()) {
            return e;
        }
        ProviderException p = last.get();
        Optional<String> param = e.status() < 500 ? e.param().or(p::param) : e.param();
        String extra = e.extra() + p.providerCode().map(c -> ",\"upstream_code\":" + quote(c)).orElse("");
        return new ApiError(e.status(), e.type(), e.code(), param, e.message(), e.retryAfter(), extra);
    }

    /** Picks the status for a request whose every attempt failed, from the last failure. */
    private static ApiError upstream(GatewayException.UpstreamFailed x) {
        String message = x.getMessage();
        List<ProviderException> causes = x.causes();
        boolean allTimeouts = causes.stream().allMatch(c -> c instanceof ProviderException.ProviderTimeout);
        if (allTimeouts || x.outOfTime().isPresent()) {
            return ApiError.of(504, "timeout_error", "upstream_timeout", message);
        }
        return switch (x.last().orElseThrow()) {
            // a provider's 413 (Anthropic's request_too_large) stays a 413: the request, not a field, is at fault
            case ProviderException.InvalidRequest p -> p.status().orElse(400) == 413
                    ? ApiError.of(413, "invalid_request_error", "upstream_request_too_large", message)
                    : ApiError.of(400, "invalid_request_error", "upstream_rejected", message);
            // an OpenAI-format provider's 413 is a prompt too long: the request is at fault, and stays a 413
            case ProviderException.ContextLengthExceeded p -> ApiError.of(p.status().orElse(400) == 413 ? 413 : 400,
                    "invalid_request_error", "context_length_exceeded", message);
            case ProviderException.ContentFiltered p -> ApiError.of(400, "invalid_request_error", "content_filter",
                    message);
            // a 400, as OpenAI answers a batch over its own limits: the input must be split, and SDKs do not retry it
            case ProviderException.AnswerTooLarge p -> new ApiError(400, "invalid_request_error",
                    Optional.of("answer_too_large"), Optional.of("input"), message, Optional.empty(), "");
            case ProviderException.RateLimited p -> new ApiError(503, "server_error", Optional.of("upstream_rate_limited"),
                    Optional.empty(), message, p.retryAfter(), "");
            case ProviderException.Overloaded p -> new ApiError(503, "server_error", Optional.of("upstream_overloaded"),
                    Optional.empty(), message, p.retryAfter(), "");
            case ProviderException.QuotaExhausted p -> ApiError.of(503, "server_error", "upstream_quota_exhausted",
                    message);
            case ProviderException.ProviderTimeout p -> ApiError.of(504, "timeout_error", "upstream_timeout",
                    message);
            case ProviderException.ServerError p -> ApiError.of(502, "server_error", "upstream_error", message);
            case ProviderException.ConnectionFailed p -> ApiError.of(502, "server_error", "upstream_unreachable",
                    message);
            case ProviderException.MalformedResponse p -> ApiError.of(502, "server_error", "upstream_malformed",
                    message);
            case ProviderException.AuthenticationFailed p -> ApiError.of(502, "server_error",
                    "upstream_auth_failed", message);
            case ProviderException.PermissionDenied p -> ApiError.of(502, "server_error", "upstream_forbidden",
                    message);
            case ProviderException.NotFound p -> ApiError.of(502, "server_error", "upstream_not_found", message);
        };
    }

    /**
     * The JSON body of an error.
     *
     * @param e the error
     * @return the bytes
     */
    public static byte[] body(ApiError e) {
        StringBuilder sb = new StringBuilder(160 + e.message().length());
        sb.append("{\"error\":{\"message\":").append(quote(e.message())).append(",\"type\":").append(quote(e.type()))
                .append(",\"param\":").append(e.param().map(ErrorResponses::quote).orElse("null"))
                .append(",\"code\":").append(e.code().map(ErrorResponses::quote).orElse("null")).append(e.extra());
        // as in a stream's error event: inside the error (the OpenAI SDKs raise it alone) and beside it
        String billed = e.billed().map(ErrorResponses::costwise).orElse("");
        sb.append(billed).append('}').append(billed).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return {@code ,"costwise":{…}}: the {@code costwise} object of a usage chunk, for what a failure was billed */
    private static String costwise(GatewayException.Billed b) {
        return ",\"" + CostwiseObject.FIELD + "\":" + CostwiseObject.of(b).toJson();
    }

    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
