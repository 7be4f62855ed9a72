package dev.costwise.llm.sim;

import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** A failure the simulator can inject, thrown as the same {@link ProviderException} a real adapter would throw. */
public enum SimulatedFailure {
    /** HTTP 429 with a {@code Retry-After}. */
    RATE_LIMITED(429),
    /** HTTP 429 {@code insufficient_quota}. */
    QUOTA_EXHAUSTED(429),
    /** HTTP 529/503: the provider is overloaded. */
    OVERLOADED(529),
    /** HTTP 500. */
    SERVER_ERROR(500),
    /** No answer within the simulator's timeout (the simulator waits that long first). */
    TIMEOUT(0),
    /** The connection broke. */
    CONNECTION(0),
    /** The answer could not be parsed. */
    MALFORMED_RESPONSE(200),
    /** HTTP 400: the prompt is too long for the window (also raised, without injection, when it really is). */
    CONTEXT_LENGTH(400),
    /** HTTP 400: the safety filter refused. */
    CONTENT_FILTERED(400),
    /** HTTP 400: a caller's mistake. */
    INVALID_REQUEST(400),
    /** HTTP 401: a bad key. */
    AUTHENTICATION(401);

    private final int status;

    SimulatedFailure(int status) {
        this.status = status;
    }

    /**
     * Builds the exception.
     *
     * @param model the simulated model
     * @param retryAfter the retry-after hint for rate limits and overloads
     * @param timeout the limit reported by a timeout
     * @return the exception, with provider {@code sim}
     */
    ProviderException toException(String model, Duration retryAfter, Duration timeout) {
        Details d = new Details(SimulatedChatModel.PROVIDER, model,
                status == 0 ? OptionalInt.empty() : OptionalInt.of(status), Optional.empty());
        return switch (this) {
            case RATE_LIMITED -> new ProviderException.RateLimited(d, "simulated rate limit", Optional.of(retryAfter));
            case QUOTA_EXHAUSTED -> new ProviderException.QuotaExhausted(d, "simulated quota exhausted");
            case OVERLOADED -> new ProviderException.Overloaded(d, "simulated overload", Optional.of(retryAfter));
            case SERVER_ERROR -> new ProviderException.ServerError(d, "simulated server error");
            case TIMEOUT -> new ProviderException.ProviderTimeout(d, "simulated request", timeout);
            case CONNECTION -> new ProviderException.ConnectionFailed(d, "simulated connection reset", null);
            case MALFORMED_RESPONSE -> new ProviderException.MalformedResponse(d, "simulated malformed body", null);
            case CONTEXT_LENGTH -> new ProviderException.ContextLengthExceeded(d, "simulated context length error");
            case CONTENT_FILTERED -> new ProviderException.ContentFiltered(d, "simulated content filter");
            case INVALID_REQUEST -> new ProviderException.InvalidRequest(d, "simulated invalid request");
            case AUTHENTICATION -> new ProviderException.AuthenticationFailed(d, "simulated bad credentials");
        };
    }
}
