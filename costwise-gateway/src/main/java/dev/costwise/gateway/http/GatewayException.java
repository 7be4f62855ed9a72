package dev.costwise.gateway.http;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.CostwiseException;
import dev.costwise.core.Money;
import dev.costwise.gateway.pipeline.KeyUsage;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why the gateway refused or failed a request. {@link ErrorResponses} maps each kind to its HTTP status and OpenAI
 * error JSON in one exhaustive switch. Messages name the field, model or limit, never a key or a prompt. Stack traces
 * are not filled: these are expected outcomes, not bugs.
 */
public abstract sealed class GatewayException extends CostwiseException {
    private static final long serialVersionUID = 1L;
    /** What the request was billed before it failed; set once, by the pipeline that ends the request. */
    private transient volatile Billed billed;

    GatewayException(String message) {
        super(message, null, false);
    }

    GatewayException(String message, Throwable cause) {
        super(message, cause, false);
    }

    /**
     * What a failed request was billed: failed attempts whose provider reported usage (Anthropic's
     * {@code message_start} before an error event, an error inside a 200 with its usage). Its answer tells the caller,
     * as a finished answer's {@code x-costwise-cost} and {@code costwise} object do.
     *
     * @param cost every attempt billed, exact
     * @param cache {@code miss} or {@code bypass}
     * @param modelUsed the model of the last billed attempt
     * @param route the route taken
     */
    public record Billed(Money cost, String cache, String modelUsed, String route) {
        public Billed {
            Objects.requireNonNull(cost, "cost");
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(modelUsed, "modelUsed");
            Objects.requireNonNull(route, "route");
        }
    }

    /**
     * Records what the request was billed before it failed (called by the pipeline when anything was).
     *
     * @param what the billed cost
     */
    public void billed(Billed what) {
        this.billed = Objects.requireNonNull(what, "what");
    }

    /** @return what the request was billed before it failed; empty when nothing was */
    public Optional<Billed> billed() {
        return Optional.ofNullable(billed);
    }

    /** 400: the body is not JSON. */
    public static final class InvalidJson extends GatewayException {
        private static final long serialVersionUID = 1L;

        public InvalidJson(String detail) {
            super("the request body is not valid JSON: " + detail);
        }
    }

    /** 400: a field is missing or has a bad value. */
    public static final class InvalidField extends GatewayException {
        private static final long serialVersionUID = 1L;
        private final String field;

        public InvalidField(String field, String message) {
            super(field.isEmpty() ? message : field + ": " + message);
            this.field = field;
        }

        /**
         * A request a model's adapter cannot express in its provider's API, refused before any call.
         *
         * @param model the configured model it was for
         * @param e the adapter's refusal
         * @return the refusal, naming the field when the adapter could tell which
         */
        public static InvalidField unsupportedBy(String model, UnsupportedRequestException e) {
            return new InvalidField(e.param().orElse(""), e.getMessage() + " (for " + model + ")");
        }

        /** @return the field's path, such as {@code messages[0].role}; empty when no one field is at fault */
        public String field() {
            return field;
        }
    }

    /** 401: no key, or a key the gateway does not know. */
    public static final class Unauthorized extends GatewayException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message) {
            super(message);
        }
    }

    /** 403: the key may not call this model (or this admin endpoint). */
    public static final class Forbidden extends GatewayException {
        private static final long serialVersionUID = 1L;
        private final String code;

        public Forbidden(String code, String message) {
            super(message);
            this.code = code;
        }

        /** @return the error code ({@code model_not_allowed}, {@code admin_only}) */
        public String code() {
            return code;
        }
    }

    /** 404: no model, alias, group or pipeline of that name; or an unknown resource. */
    public static final class NotFound extends GatewayException {
        private static final long serialVersionUID = 1L;
        private final String code;

        public NotFound(String code, String message) {
            super(message);
            this.code = code;
        }

        /** @return the OpenAI error code ({@code model_not_found}, {@code not_found}) */
        public String code() {
            return code;
        }
    }

    /** 413: the body is larger than the configured limit. */
    public static final class BodyTooLarge extends GatewayException {
        private static final long serialVersionUID = 1L;

        public BodyTooLarge(long limit, long size) {
            super("the request body is " + (size < 0 ? "larger than" : size + " bytes, over") + " the limit of "
                    + limit + " bytes (server.max_body_size)");
        }
    }

    /** 429: the key's requests- or tokens-per-minute limit is reached. */
    public static final class RateLimited extends GatewayException {
        private static final long serialVersionUID = 1L;
        private final Duration retryAfter;
        private final transient Optional<KeyUsage> keyUsage;

        /**
         * @param message what was passed
         * @param retryAfter when a retry may succeed
         * @param keyUsage the key's limits and what its minute counts, when known
         */
        public RateLimited(String message, Duration retryAfter, Optional<KeyUsage> keyUsage) {
            super(message);
            this.retryAfter = retryAfter;
            this.keyUsage = keyUsage;
        }

        /** @return when a retry may succeed */
        public Duration retryAfter() {
            return retryAfter;
        }

        /** @return the key's limits and what its minute counts (this request not included), when known */
        public Optional<KeyUsage> keyUsage() {
            return keyUsage;
        }
    }

    /** 429 {@code budget_exceeded}: a hard budget would be passed by this request. */
    public static final class BudgetExceeded extends GatewayException {
        private static final long serialVersionUID = 1L;
        /**
         * The {@code Retry-After} of a budget held only by requests in flight: they settle within seconds (within the
         * request timeout at most), most for less than they reserved.
         */
        static final Duration IN_FLIGHT_RETRY = Duration.ofSeconds(2);
        /**
         * The {@code Retry-After} of a budget with room that this replica may not use while Redis is unreachable: not
         * seconds (an outage lasts), but not the reset either, as the budget has room once Redis answers.
         */
        static final Duration OUTAGE_RETRY = Duration.ofSeconds(30);
        /** The advice that makes a completion's worst case smaller. */
        public static final String LOWER_MAX_TOKENS = "lower max_tokens";
        /** The advice that makes an embeddings request's worst case smaller: it has no output limit to lower. */
        public static final String FEWER_INPUTS = "send fewer or shorter inputs";
        private final String budget;
        private final Money limit;
        private final Money spent;
        private final Money reserved;
        private final Money worstCase;
        private final Instant resetsAt;
        private final Duration retryAfter;
        private final Why why;

        /** What leaves the request no room. */
        private enum Why {
            /** The budget has room for it, but not this replica's share while Redis is unreachable. */
            OUTAGE_SHARE,
            /** It would fit beside what is spent: only the reservations of requests in flight leave no room. */
            HELD_IN_FLIGHT,
            /** What is spent leaves less than its worst case. */
            SPENT
        }

        /**
         * @param budget the budget's name
         * @param limit its limit
         * @param spent spent in its window
         * @param reserved held in its window by requests in flight
         * @param worstCase what the request could cost at most, which did not fit
         * @param worstCaseOf what that worst case assumes, such as {@code gpt-4o, up to 16,384 output tokens}
         * @param resetsAt when its window starts over
         * @param untilReset the time until then
         */
        public BudgetExceeded(String budget, Money limit, Money spent, Money reserved, Money worstCase,
                String worstCaseOf, Instant resetsAt, Duration untilReset) {
            this(budget, limit, spent, reserved, worstCase, worstCaseOf, resetsAt, untilReset, Optional.empty());
        }

        /**
         * As above, for a replica cut off from Redis.
         *
         * @param outageLimit while Redis is unreachable, the part of the limit this replica may count alone; empty
         *     when the limit itself applies
         */
        public BudgetExceeded(String budget, Money limit, Money spent, Money reserved, Money worstCase,
                String worstCaseOf, Instant resetsAt, Duration untilReset, Optional<Money> outageLimit) {
            this(budget, limit, spent, reserved, worstCase, worstCaseOf, resetsAt, untilReset, outageLimit,
                    LOWER_MAX_TOKENS);
        }

        /**
         * As above, for a request whose worst case something other than its output limit makes smaller.
         *
         * @param remedy what makes the worst case smaller, as advice to the caller: {@value #LOWER_MAX_TOKENS} for
         *     a completion, {@value #FEWER_INPUTS} for embeddings (which generate nothing)
         */
        public BudgetExceeded(String budget, Money limit, Money spent, Money reserved, Money worstCase,
                String worstCaseOf, Instant resetsAt, Duration untilReset, Optional<Money> outageLimit,
                String remedy) {
            this(budget, limit, spent, reserved, worstCase, resetsAt, untilReset,
                    why(limit, spent, reserved, worstCase, outageLimit), worstCaseOf, outageLimit, remedy);
        }

        private BudgetExceeded(String budget, Money limit, Money spent, Money reserved, Money worstCase,
                Instant resetsAt, Duration untilReset, Why why, String worstCaseOf, Optional<Money> outageLimit,
                String remedy) {
            super(message(why, budget, limit, spent, reserved, worstCase, worstCaseOf, resetsAt, outageLimit,
                    remedy));
            this.budget = budget;
            this.limit = limit;
            this.spent = spent;
            this.reserved = reserved;
            this.worstCase = worstCase;
            this.resetsAt = resetsAt;
            this.why = why;
            Duration soon = switch (why) {
                case HELD_IN_FLIGHT -> IN_FLIGHT_RETRY;
                case OUTAGE_SHARE -> OUTAGE_RETRY;
                case SPENT -> untilReset;
            };
            this.retryAfter = soon.compareTo(untilReset) < 0 ? soon : untilReset;
        }

        private static Why why(Money limit, Money spent, Money reserved, Money worstCase, Optional<Money> outage) {
            if (outage.isPresent() && !spent.plus(reserved).plus(worstCase).isGreaterThan(limit)) {
                return Why.OUTAGE_SHARE;
            }
            return !reserved.isZero() && !spent.plus(worstCase).isGreaterThan(limit) ? Why.HELD_IN_FLIGHT : Why.SPENT;
        }

        // A budget with room left refuses a request whose worst case does not fit: saying "exhausted" there sends
        // people looking for spend that is not there, when a smaller request (a lower max_tokens, fewer inputs)
        // would get the answer now; one held by requests in flight frees up within seconds, not when it resets; and
        // one this replica may not use while Redis is down has room once it answers.
        private static String message(Why why, String budget, Money limit, Money spent, Money reserved,
                Money worstCase, String worstCaseOf, Instant resetsAt, Optional<Money> outageLimit, String remedy) {
            Money used = spent.plus(reserved);
            String tooBig = "less than this request's worst case of " + worstCase.format() + " (" + worstCaseOf + ")";
            String held = reserved.isZero() ? "" : ", " + reserved.format() + " held by requests in flight";
            switch (why) {
                case OUTAGE_SHARE -> {
                    Money share = outageLimit.orElseThrow();
                    return "budget '" + budget + "' has room, " + spent.format() + " spent of " + limit.format()
                            + held + ", but Redis, which replicas share it through, is unreachable: until it answers "
                            + "this replica may count only its share, " + share.format() + ", leaving "
                            + share.minus(used).max(Money.ZERO).format() + ", " + tooBig + "; retry later, or "
                            + remedy;
                }
                case HELD_IN_FLIGHT -> {
                    return "budget '" + budget + "' is held by requests in flight: they reserve " + reserved.format()
                            + " of its " + limit.format() + " (" + spent.format() + " spent), leaving "
                            + limit.minus(used).format() + ", " + tooBig + "; retry in " + IN_FLIGHT_RETRY.toSeconds()
                            + " s, as they settle, or " + remedy;
                }
                default -> { }
            }
            // reservations settle to what their calls cost, often far less: what is spent and what is held are named
            // apart, so what is left is not underestimated
            if (!limit.isGreaterThan(spent)) {
                return "budget '" + budget + "' is exhausted: " + spent.format() + " spent of " + limit.format()
                        + (reserved.isZero() ? "" : ", " + reserved.format() + " more held by requests in flight")
                        + "; it resets at " + resetsAt;
            }
            String unspent = reserved.isZero() ? " left" : " unspent (" + spent.format() + " spent; "
                    + reserved.format() + " of it held by requests in flight, which settle to what they cost)";
            return "budget '" + budget + "' has " + limit.minus(spent).format() + " of " + limit.format() + unspent
                    + ", " + tooBig + "; " + remedy + ", or retry after it resets at " + resetsAt;
        }

        /**
         * @return {@code true} when only the reservations of requests in flight refuse the request, which fits beside
         *     what is spent: a retry within seconds may succeed
         */
        public boolean heldInFlight() {
            return why == Why.HELD_IN_FLIGHT;
        }

        /** @return what the budget's window has spent */
        public Money spent() {
            return spent;
        }

        /** @return what requests in flight hold in the budget's window */
        public Money reserved() {
            return reserved;
        }

        /** @return what the request could cost at most */
        public Money worstCase() {
            return worstCase;
        }

        /** @return when to retry: soon for a budget held by requests in flight, else when its window starts over */
        public Duration retryAfter() {
            return retryAfter;
        }

        /** @return the budget's name */
        public String budget() {
            return budget;
        }

        /** @return the budget's limit */
        public Money limit() {
            return limit;
        }

        /** @return when its window starts over */
        public Instant resetsAt() {
            return resetsAt;
        }
    }

    /** 503: the gateway is shutting down and takes no new requests. */
    public static final class ShuttingDown extends GatewayException {
        private static final long serialVersionUID = 1L;

        public ShuttingDown() {
            super("the gateway is shutting down; retry on another instance");
        }
    }

    /**
     * 503 {@code interrupted}: something other than the gateway's stop interrupted the request's thread while it
     * waited (for a retry, a throttle slot, an identical request's answer). The interrupt ends the request; its flag is
     * left clear, so the request can still write its ledger row, settle its reservation and answer.
     */
    public static final class Interrupted extends GatewayException {
        private static final long serialVersionUID = 1L;

        /** @param cause what was waited for, and the interrupt */
        public Interrupted(CallInterruptedException cause) {
            super("the request was interrupted while it waited (" + cause.primitive() + "); retry it", cause);
        }
    }

    /**
     * 503 {@code upstream_circuit_open}: the model failed again and again, so the gateway does not call it until
     * {@link #retryAfter()} has passed (and had no fallback that answered).
     */
    public static final class CircuitOpen extends GatewayException {
        private static final long serialVersionUID = 1L;
        private final Duration retryAfter;

        /**
         * @param model the model skipped
         * @param retryAfter how long until it is tried again
         */
        public CircuitOpen(String model, Duration retryAfter) {
            super(message(model, retryAfter));
            this.retryAfter = retryAfter;
        }

        /** @return why {@code model} is skipped, and for how long (also the workflow's reason for moving on) */
        public static String message(String model, Duration retryAfter) {
            return "model '" + model + "' is not called for now: its recent calls kept failing (circuit open; tried "
                    + "again in " + ApiError.retryAfterSeconds(retryAfter) + " s)";
        }

        /** @return when the model is tried again */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /**
     * A candidate the gateway did not call: a budget had no room for its worst case, its circuit is open, or the
     * prompt does not fit its context window.
     *
     * @param model the candidate's name
     * @param reason why, in a sentence
     * @param refusal the error to answer with if no candidate was called ({@link BudgetExceeded} or
     *     {@link CircuitOpen}); empty for a candidate passed over for a larger one
     */
    public record NotTried(String model, String reason, Optional<GatewayException> refusal) {
        public NotTried {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(refusal, "refusal");
        }

        /** A candidate refused by {@code refusal}, which says why. */
        public NotTried(String model, GatewayException refusal) {
            this(model, refusal.getMessage(), Optional.of(refusal));
        }
    }

    /**
     * The request's deadline passed before the gateway could call these candidates.
     *
     * @param requestTimeout the request's whole time
     * @param models the candidates left uncalled, in the order they would have been tried
     */
    public record OutOfTime(Duration requestTimeout, List<String> models) {
        public OutOfTime {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            models = List.copyOf(models);
        }
    }

    /**
     * Every model and retry failed, or the request's deadline passed first; the status depends on the causes (504
     * when the deadline passed).
     */
    public static final class UpstreamFailed extends GatewayException {
        private static final long serialVersionUID = 1L;
        private final transient List<ProviderException> causes;
        private final transient Optional<OutOfTime> outOfTime;

        public UpstreamFailed(List<ProviderException> causes) {
            this(causes, List.of(), Optional.empty());
        }

        /**
         * @param causes every call's failure, in order: only calls made
         * @param notTried candidates skipped: no budget room for them, or their circuit open
         * @param outOfTime the candidates not called because the request's deadline passed, if it did
         * @throws IllegalArgumentException if there is neither a cause nor a deadline that passed
         */
        public UpstreamFailed(List<ProviderException> causes, List<NotTried> notTried, Optional<OutOfTime> outOfTime) {
            super(summary(causes, outOfTime) + notTried(notTried) + outOfTime.map(UpstreamFailed::uncalled)
                    .orElse(""));
            if (causes.isEmpty() && outOfTime.isEmpty()) {
                throw new IllegalArgumentException("an upstream failure needs a cause or a passed deadline");
            }
            this.causes = List.copyOf(causes);
            this.outOfTime = outOfTime;
        }

        /** @return every call's failure, in order; empty if the deadline passed before the first call */
        public List<ProviderException> causes() {
            return causes;
        }

        /** @return the last failure, or empty if no call was made */
        public Optional<ProviderException> last() {
            return causes.isEmpty() ? Optional.empty() : Optional.of(causes.getLast());
        }

        /** @return the candidates the request's deadline left uncalled, if it passed */
        public Optional<OutOfTime> outOfTime() {
            return outOfTime;
        }

        private static String uncalled(OutOfTime t) {
            return t.models().isEmpty() ? "" : "; not tried, the request's " + t.requestTimeout().toMillis()
                    + " ms timeout passed first: '" + String.join("', '", t.models()) + "'";
        }

        private static String notTried(List<NotTried> skipped) {
            StringBuilder sb = new StringBuilder();
            for (NotTried n : skipped) {
                sb.append("; '").append(n.model()).append("' not tried: ").append(n.reason());
            }
            return sb.toString();
        }

        private static String summary(List<ProviderException> causes, Optional<OutOfTime> outOfTime) {
            if (causes.isEmpty()) {
                return "the request timed out after " + outOfTime.orElseThrow().requestTimeout().toMillis()
                        + " ms before any model was called";
            }
            if (causes.size() == 1) {
                return causes.getFirst().getMessage();
            }
            StringBuilder sb = new StringBuilder((outOfTime.isPresent() ? "" : "all ") + causes.size()
                    + " attempts failed: ");
            for (int i = 0; i < causes.size(); i++) {
                sb.append(i == 0 ? "" : "; ").append(i + 1).append(") ").append(causes.get(i).getMessage());
            }
            return sb.toString();
        }
    }
}
