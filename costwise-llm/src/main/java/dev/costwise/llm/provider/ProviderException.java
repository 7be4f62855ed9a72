package dev.costwise.llm.provider;

import dev.costwise.core.ClassifiedFailure;
import dev.costwise.core.CostwiseException;
import dev.costwise.core.FailureVerdict;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failure reported by (or on the way to) a model provider, mapped from the provider's own status codes and error
 * bodies into one typed hierarchy.
 *
 * <p>Every subtype carries the {@link #provider()}, the {@link #model()}, the HTTP {@link #status()} when there was
 * one, and the provider's request id. {@link #isTransient()} says whether the same call may succeed later; the
 * LLM failure classifier turns that into retry and fallback decisions. Messages summarise the provider's error text and
 * never contain an API key.
 */
public abstract sealed class ProviderException extends CostwiseException implements ClassifiedFailure
        permits ProviderException.RateLimited, ProviderException.QuotaExhausted, ProviderException.Overloaded,
        ProviderException.ServerError, ProviderException.ProviderTimeout, ProviderException.ConnectionFailed,
        ProviderException.MalformedResponse, ProviderException.AnswerTooLarge,
        ProviderException.AuthenticationFailed, ProviderException.PermissionDenied,
        ProviderException.NotFound, ProviderException.InvalidRequest, ProviderException.ContextLengthExceeded,
        ProviderException.ContentFiltered {

    private final String provider;
    private final String model;
    private final OptionalInt status;
    private final Optional<String> providerRequestId;
    private final Optional<String> param;
    private final Optional<String> providerCode;
    private volatile Optional<Usage> billedUsage = Optional.empty();

    /**
     * @param details the common fields
     * @param message what happened, without secrets
     * @param cause the underlying failure, or {@code null}
     */
    protected ProviderException(Details details, String message, Throwable cause) {
        super(details.provider() + " " + details.model() + ": " + message
                + details.status().stream().mapToObj(s -> " (HTTP " + s + ")").findFirst().orElse(""), cause);
        this.provider = details.provider();
        this.model = details.model();
        this.status = details.status();
        this.providerRequestId = details.providerRequestId();
        this.param = details.param();
        this.providerCode = details.providerCode();
    }

    /** @return the provider id, such as {@code openai} */
    public String provider() {
        return provider;
    }

    /** @return the model the call was for */
    public String model() {
        return model;
    }

    /**
     * @return the HTTP status the provider sent this error with; empty when it sent none: no answer at all (a
     *     connection failure, a timeout), or an error inside a success answer (an error event in a stream that began
     *     with 200, an error object in a 200 body), whose message says so and whose type follows the error's own
     *     type or code
     */
    public OptionalInt status() {
        return status;
    }

    /** @return the provider's request id, if it sent one */
    public Optional<String> providerRequestId() {
        return providerRequestId;
    }

    /** @return the request field the provider's error named (OpenAI's {@code param}), if it named one */
    public Optional<String> param() {
        return param;
    }

    /** @return the provider's own error code (OpenAI's {@code code}, e.g. {@code string_above_max_length}), if any */
    public Optional<String> providerCode() {
        return providerCode;
    }

    /**
     * The usage the provider reported for this failed call, which it billed: an answer it sent whole and that is
     * still a failure (Gemini's {@code MALFORMED_FUNCTION_CALL} with its {@code usageMetadata}, an OpenRouter
     * {@code error} inside a 200 answer with its {@code usage}). A failure with no answer (a timeout, a broken
     * connection, an HTTP error) has none, and is billed nothing. Cost records and budgets bill this rather than
     * zero, so a failed attempt the provider charged for is not ledgered as free.
     *
     * @return the usage, or empty when the provider reported none
     */
    public Optional<Usage> billedUsage() {
        return billedUsage;
    }

    /**
     * Sets the {@linkplain #billedUsage() usage the provider billed} for this failed call, once, before it is
     * thrown (as {@link Throwable#initCause} sets a cause): the subtypes' constructors stay as they are.
     *
     * @param usage what the provider reported, or empty when it reported nothing
     * @return this exception, to throw
     * @throws IllegalStateException if the usage was already set
     */
    public ProviderException withBilledUsage(Optional<Usage> usage) {
        Objects.requireNonNull(usage, "usage");
        synchronized (this) {
            if (billedUsage.isPresent()) {
                throw new IllegalStateException("the billed usage of this failure is already set");
            }
            billedUsage = usage;
        }
        return this;
    }

    /** @return {@code true} if the same call may succeed when tried again later */
    public abstract boolean isTransient();

    /** @return a short stable word for metrics and records, such as {@code rate_limited} */
    public abstract String kind();

    /**
     * @return how long the provider asked callers to wait before trying again ({@code Retry-After}, or the wait its
     *     error body gave); empty unless the failure is a rate limit, an overload or an exhausted quota that said so
     */
    public Optional<Duration> retryAfter() {
        return Optional.empty();
    }

    /**
     * How {@code Retry} and {@code Fallback} should treat this failure; the core default classifier asks the failure,
     * {@link dev.costwise.llm.resilience.ProviderFailureClassifier} too. A {@linkplain #isTransient() transient}
     * failure (rate limit, overload, server error, timeout, broken connection, malformed response) is retried, after
     * its {@linkplain #retryAfter() retry-after} when it has one; a context-length error or an exhausted quota only
     * falls back; a caller's mistake (invalid request, authentication, permission, not found, content filtered, an
     * answer too large) is neither retried nor passed on. The reason is {@link #kind()}.
     *
     * @return the verdict
     */
    @Override
    public final FailureVerdict verdict() {
        String reason = kind();
        FailureVerdict verdict;
        if (isTransient()) {
            verdict = FailureVerdict.transientFailure(reason);
        } else if (this instanceof ContextLengthExceeded || this instanceof QuotaExhausted) {
            verdict = FailureVerdict.fallbackOnly(reason); // a larger window or another account may take it
        } else {
            verdict = FailureVerdict.fatal(reason); // the caller's mistake: the same request fails anywhere
        }
        return retryAfter().map(verdict::withRetryAfter).orElse(verdict);
    }

    /**
     * Fields every provider failure has.
     *
     * @param provider provider id
     * @param model model name
     * @param status HTTP status, if any
     * @param providerRequestId the provider's request id, if any
     * @param param the request field the provider's error body named, if any (OpenAI's {@code param})
     * @param providerCode the provider's own error code, if its body had one (OpenAI's {@code code})
     */
    public record Details(String provider, String model, OptionalInt status, Optional<String> providerRequestId,
            Optional<String> param, Optional<String> providerCode) {
        public Details {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(providerRequestId, "providerRequestId");
            Objects.requireNonNull(param, "param");
            Objects.requireNonNull(providerCode, "providerCode");
        }

        /** Details whose error body named no field and no code of the provider's. */
        public Details(String provider, String model, OptionalInt status, Optional<String> providerRequestId) {
            this(provider, model, status, providerRequestId, Optional.empty(), Optional.empty());
        }

        /**
         * @param param the field the provider's error body named, if any
         * @param providerCode the provider's error code, if any
         * @return these details with them
         */
        public Details withProviderError(Optional<String> param, Optional<String> providerCode) {
            return new Details(provider, model, status, providerRequestId, param, providerCode);
        }

        /** @return details with no status and no request id */
        public static Details of(String provider, String model) {
            return new Details(provider, model, OptionalInt.empty(), Optional.empty());
        }

        /** @return details with a status and no request id */
        public static Details of(String provider, String model, int status) {
            return new Details(provider, model, OptionalInt.of(status), Optional.empty());
        }
    }

    /** 429 rate limit: try again after {@link #retryAfter()}, or move to another deployment. */
    public static final class RateLimited extends ProviderException {
        private final Optional<Duration> retryAfter;

        public RateLimited(Details d, String message, Optional<Duration> retryAfter) {
            super(d, "rate limited: " + message + retryAfter.map(r -> " (retry after " + r.toMillis() + " ms)")
                    .orElse(""), null);
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** @return when the provider says to try again, if it said */
        @Override
        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public String kind() {
            return "rate_limited";
        }
    }

    /**
     * Quota or credits exhausted (OpenAI {@code insufficient_quota}, OpenRouter 402): not fixed by waiting a moment.
     * When the provider said when the quota comes back (Gemini's {@code RetryInfo} on a per-day quota), that is its
     * {@link #retryAfter()}: a cooldown rests the model until then.
     */
    public static final class QuotaExhausted extends ProviderException {
        private final Optional<Duration> retryAfter;

        public QuotaExhausted(Details d, String message) {
            this(d, message, Optional.empty());
        }

        public QuotaExhausted(Details d, String message, Optional<Duration> retryAfter) {
            super(d, "quota exhausted: " + message + retryAfter.map(r -> " (retry after " + r.toMillis() + " ms)")
                    .orElse(""), null);
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** @return when the provider says the quota comes back, if it said */
        @Override
        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "quota_exhausted";
        }
    }

    /** The provider is overloaded (Anthropic 529, HTTP 503). */
    public static final class Overloaded extends ProviderException {
        private final Optional<Duration> retryAfter;

        public Overloaded(Details d, String message, Optional<Duration> retryAfter) {
            super(d, "overloaded: " + message, null);
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** @return when the provider says to try again, if it said */
        @Override
        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public String kind() {
            return "overloaded";
        }
    }

    /** A 5xx from the provider. */
    public static final class ServerError extends ProviderException {
        public ServerError(Details d, String message) {
            super(d, "server error: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public String kind() {
            return "server_error";
        }
    }

    /** No answer (or no first token, or no end) within the allowed time. */
    public static final class ProviderTimeout extends ProviderException {
        private final Duration timeout;

        public ProviderTimeout(Details d, String what, Duration timeout) {
            super(d, what + " timed out after " + timeout.toMillis() + " ms", null);
            this.timeout = timeout;
        }

        /** @return the limit that was passed */
        public Duration timeout() {
            return timeout;
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public String kind() {
            return "timeout";
        }
    }

    /** The connection could not be made or broke mid-response (including a truncated stream). */
    public static final class ConnectionFailed extends ProviderException {
        public ConnectionFailed(Details d, String message, Throwable cause) {
            super(d, "connection failed: " + message, cause);
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public String kind() {
            return "connection";
        }
    }

    /** The provider's answer could not be read (malformed JSON, an unexpected shape). */
    public static final class MalformedResponse extends ProviderException {
        public MalformedResponse(Details d, String message, Throwable cause) {
            super(d, "malformed response: " + message, cause);
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public String kind() {
            return "malformed_response";
        }
    }

    /**
     * The provider answered, but with more than the reader takes (an embeddings batch of many inputs at many
     * dimensions): a well-formed answer to a request too large for the reader's limit, which fails the same way every
     * time it is sent. Not transient, and the request's own (no retry, no fallback, no circuit failure): the request
     * must be split. The provider billed the call: its {@linkplain #billedUsage() usage} is set when it could be read.
     */
    public static final class AnswerTooLarge extends ProviderException {
        public AnswerTooLarge(Details d, String message, Throwable cause) {
            super(d, "answer too large: " + message, cause);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "answer_too_large";
        }
    }

    /** 401: the key is missing or wrong. */
    public static final class AuthenticationFailed extends ProviderException {
        public AuthenticationFailed(Details d, String message) {
            super(d, "authentication failed: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "authentication";
        }
    }

    /** 403: the key may not use this model or feature. */
    public static final class PermissionDenied extends ProviderException {
        public PermissionDenied(Details d, String message) {
            super(d, "permission denied: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "permission";
        }
    }

    /** 404: the model (or endpoint) does not exist at this provider. */
    public static final class NotFound extends ProviderException {
        public NotFound(Details d, String message) {
            super(d, "not found: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "not_found";
        }
    }

    /** 400/422: the request is wrong; sending it again (or elsewhere) will not help. */
    public static final class InvalidRequest extends ProviderException {
        public InvalidRequest(Details d, String message) {
            super(d, "invalid request: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "invalid_request";
        }
    }

    /** The prompt does not fit the model's context window: a model with a larger window may take it. */
    public static final class ContextLengthExceeded extends ProviderException {
        public ContextLengthExceeded(Details d, String message) {
            super(d, "context length exceeded: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "context_length";
        }
    }

    /** The provider's safety filter refused the prompt or the answer. */
    public static final class ContentFiltered extends ProviderException {
        public ContentFiltered(Details d, String message) {
            super(d, "content filtered: " + message, null);
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public String kind() {
            return "content_filtered";
        }
    }
}
