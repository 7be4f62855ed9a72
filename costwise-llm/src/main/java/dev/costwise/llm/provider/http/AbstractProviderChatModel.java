package dev.costwise.llm.provider.http;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.CostwiseException;
import dev.costwise.core.Deadline;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelSnapshots;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template every HTTP provider adapter extends: the subclass speaks its wire format in {@link #doChat} and
 * {@link #doStream}; this class does the rest the same way for every provider.
 *
 * <p>For each call it measures latency (on the context's ticker), fills in locally counted usage when the provider
 * reported none ({@link Usage#estimated()}), prices the call with the {@link Pricer} (at the cost the provider
 * reported charging, when it did: {@link Pricer#priceCall}), flags
 * {@link ChatResponse#modelDowngraded()} when the provider answered with another model than the one asked for (a
 * dated snapshot of the same model does not count, see {@link ModelSnapshots}) and counts it in the Micrometer counter
 * {@code costwise.model.downgrades}, and records a {@link CostRecord} in the {@link WorkflowContext} (event
 * {@code cost}, attribute {@code record}): {@link Outcome#SUCCESS}, {@link Outcome#FAILED} for a failed attempt (cost
 * zero unless the provider billed something: output already produced, usage a stream had reported, or the usage of an
 * answer sent whole that is still a failure, which the failure carries ({@link ProviderException#billedUsage()})), or
 * {@link Outcome#ABORTED} for a stream closed before its end. A stream that fails or is closed early bills the usage
 * its provider reported so far ({@link ChunkSource#usageSoFar()}) and counts locally only what it lacks; the stream
 * gives that usage to a caller with its own ledger ({@link ChatStream#usageSoFar()}).
 *
 * <p>Subclasses send through {@link #send(HttpCall)} and {@link #openStream(HttpCall, WorkflowContext)}, which map
 * transport failures to {@link ProviderException}s and publish the rate-limit headers of every response to the
 * {@link RateLimitListener}. Instances are immutable and thread-safe.
 */
public abstract class AbstractProviderChatModel implements ChatModel {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractProviderChatModel.class);

    /** The name of the counter of answers by another model than the one asked for. */
    public static final String DOWNGRADE_COUNTER = "costwise.model.downgrades";

    private final AdapterSettings settings;
    private final String upstreamModel;

    /**
     * Checks that the pricer can price the model before any call is made, and looks up the id to send for it.
     *
     * @param settings the model, provider, transport, pricer and listeners
     * @throws IllegalStateException if the pricer cannot price calls to the model (unknown, or no price, while the
     *     pricer does not allow unpriced models): the provider would bill each call and its answer be lost
     */
    protected AbstractProviderChatModel(AdapterSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        try {
            settings.pricer().requirePriceable(settings.model());
        } catch (CostwiseException e) {
            String hint = e instanceof UnknownModelException
                    ? "; add it with ModelCatalogs.builder().add(...) or build the pricer with allowUnpricedModels()"
                    : "";
            throw new IllegalStateException("cannot build the " + settings.provider() + " adapter for "
                    + settings.model() + ", its calls could not be priced: " + e.getMessage() + hint, e);
        }
        this.upstreamModel = settings.pricer().upstreamModel(settings.provider(), settings.model())
                .orElse(settings.model());
    }

    /**
     * Calls the provider once and reads its answer. Do not price or record: the base class does.
     *
     * @param request the request (send {@link #upstreamModel()} as the model)
     * @param context the request's context
     * @return what the provider answered
     * @throws ProviderException for every failure, mapped from the provider's status and error body
     */
    protected abstract ProviderReply doChat(ChatRequest request, WorkflowContext context);

    /**
     * Opens a stream and returns its chunks as they arrive.
     *
     * @param request the request (send {@link #upstreamModel()} as the model)
     * @param context the request's context
     * @return the chunk source
     * @throws ProviderException if the request fails before the stream starts
     */
    protected abstract ChunkSource doStream(ChatRequest request, WorkflowContext context);

    /** @return the settings this adapter was built with */
    public AdapterSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.model();
    }

    /**
     * The id the provider knows the model by, to send on the wire: the name as configured, unless the pricer's
     * catalog lists it at this provider as its own id for a deployment or as its own spelling ({@link
     * Pricer#upstreamModel}: {@code gemini-2.5-pro:free} is sent as {@code gemini-2.5-pro}, while {@code llama3.2} and
     * a pinned {@code gpt-4o-2024-11-20} are sent as written). Naming, pricing and cost records stay on {@link
     * #name()}.
     *
     * @return the model id to send
     */
    protected final String upstreamModel() {
        return upstreamModel;
    }

    @Override
    public String provider() {
        return settings.provider();
    }

    @Override
    public final ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        long start = context.ticker().read();
        ProviderReply reply;
        try {
            reply = doChat(request, context);
        } catch (LinkageError e) {
            throw brokenClass(e);
        } catch (ProviderException e) {
            recordFailure(request, context, e, e.billedUsage(), elapsed(context, start));
            throw e;
        } catch (CallInterruptedException e) {
            recordInterrupted(request, context, elapsed(context, start));
            throw e;
        }
        return complete(request, context, reply, elapsed(context, start));
    }

    @Override
    public final ChatStream stream(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        long start = context.ticker().read();
        ChunkSource source;
        try {
            source = doStream(request, context);
        } catch (LinkageError e) {
            throw brokenClass(e);
        } catch (ProviderException e) {
            recordFailure(request, context, e, e.billedUsage(), elapsed(context, start));
            throw e;
        } catch (CallInterruptedException e) {
            recordInterrupted(request, context, elapsed(context, start));
            throw e;
        }
        return new AssemblingChatStream(this, request, context, source, start);
    }

    /**
     * Logs a class that failed to load or initialise, which no retry or fallback mends (the JVM refuses the class
     * until it restarts), and hands it back to be rethrown as it is: an {@link Error}, which no
     * {@link dev.costwise.llm.resilience.ProviderFailureClassifier} judges retryable.
     */
    private LinkageError brokenClass(LinkageError e) {
        LOG.error("{} {}: a class failed to load or initialise; calls that need it fail until the JVM restarts",
                provider(), settings.displayName(), e);
        return e;
    }

    // ---- helpers for subclasses ----

    /**
     * @return failure details naming this provider and model (its {@linkplain AdapterSettings#label() label} when it
     *     has one), without a status
     */
    protected final ProviderException.Details details() {
        return ProviderException.Details.of(provider(), settings.displayName());
    }

    /**
     * Failure details for a stream that is already open: no status to report, the provider's request id.
     *
     * @param requestId the provider's request id, if it sent one
     * @return the details
     */
    protected final ProviderException.Details details(Optional<String> requestId) {
        return new ProviderException.Details(provider(), settings.displayName(), OptionalInt.empty(), requestId);
    }

    /**
     * Failure details with a status and the provider's request id read from {@code headers}.
     *
     * @param status the HTTP status
     * @param headers the response headers
     * @return the details
     */
    protected final ProviderException.Details details(int status, HttpHeaders headers) {
        return new ProviderException.Details(provider(), settings.displayName(), OptionalInt.of(status),
                requestId(headers));
    }

    /**
     * The provider's request id header. Default: {@code x-request-id}, else {@code request-id}.
     *
     * @param headers the response headers
     * @return the id, if present
     */
    protected Optional<String> requestId(HttpHeaders headers) {
        return headers.first("x-request-id").or(() -> headers.first("request-id"));
    }

    /**
     * Reads the rate-limit headers of a response. Default: OpenAI-style {@code x-ratelimit-*} and
     * {@code retry-after}; adapters for providers with other headers override it.
     *
     * @param status the HTTP status
     * @param headers the response headers
     * @return the snapshot, or empty when there were none
     */
    protected Optional<RateLimitSnapshot> rateLimits(int status, HttpHeaders headers) {
        return RateLimitHeaderParser.openAiStyle(provider(), name(), status, headers, settings.clock().instant());
    }

    /**
     * Sends a request and reads the whole response, bounded only by the transport's own timeouts; publishes its
     * rate-limit headers. A model call should use {@link #send(HttpCall, WorkflowContext)}, which also keeps to the
     * caller's deadline.
     *
     * @param call the request
     * @return the response, whatever its status
     * @throws ProviderException.ProviderTimeout if connecting or reading timed out
     * @throws ProviderException.ConnectionFailed if the connection failed or broke
     */
    protected final HttpResult send(HttpCall call) {
        return send(call, Optional.empty());
    }

    /**
     * Sends a request and reads the whole response within the time left before the context's deadline, as
     * {@link #openStream} bounds a stream; publishes its rate-limit headers. When the deadline passes first, the
     * exchange is aborted (so is the upstream request) and the call fails at once; past the deadline nothing is sent.
     * An interrupt that finds the deadline passed is that deadline's timer stopping the wait (a
     * {@link dev.costwise.llm.resilience.TimeLimitedChatModel}'s expires the deadline, then interrupts): the call
     * fails with the same timeout as when the wait runs out by itself, so one timeout is always one outcome; the
     * interrupt flag stays set for whoever sent it.
     *
     * @param call the request
     * @param context the request's context; with no deadline only the transport's timeouts apply
     * @return the response, whatever its status
     * @throws ProviderException.ProviderTimeout if the deadline passed, or connecting or reading timed out
     * @throws ProviderException.ConnectionFailed if the connection failed or broke
     * @throws CallInterruptedException if the calling thread was interrupted before the deadline passed
     */
    protected final HttpResult send(HttpCall call, WorkflowContext context) {
        Optional<Duration> remaining = context.remaining();
        try {
            return send(call, remaining);
        } catch (CallInterruptedException e) {
            if (remaining.isEmpty() || !context.deadline().map(Deadline::isExpired).orElse(false)) {
                throw e;
            }
            ProviderException timedOut = new ProviderException.ProviderTimeout(details(),
                    TransportTimeoutException.Phase.CALL.label(), remaining.get());
            timedOut.addSuppressed(e);
            throw timedOut;
        }
    }

    private HttpResult send(HttpCall call, Optional<Duration> remaining) {
        HttpResult result;
        try {
            result = remaining.isPresent()
                    ? DeadlineBoundExchange.send(settings.transport(), call, remaining.get())
                    : DeadlineBoundExchange.send(settings.transport(), call);
        } catch (IOException e) {
            throw transportFailure(e);
        }
        publishRateLimits(result.status(), result.headers());
        return result;
    }

    /**
     * Sends a streaming request under the configured stream limits, narrowed to those {@linkplain
     * StreamTimeouts#install installed} on the context and the total to the context's deadline; publishes the
     * response's rate-limit headers.
     *
     * @param call the request
     * @param context the request's context
     * @return the open stream; close it (a {@link ChunkSource} closes it on {@link ChunkSource#close()})
     * @throws ProviderException.ProviderTimeout if the headers did not arrive in time
     * @throws ProviderException.ConnectionFailed if the connection failed
     */
    protected final GuardedStream openStream(HttpCall call, WorkflowContext context) {
        StreamTimeouts limits = StreamTimeouts.installed(context).map(settings.streamTimeouts()::narrowTo)
                .orElse(settings.streamTimeouts());
        StreamTimeouts timeouts = context.remaining().map(limits::narrowTotal).orElse(limits);
        GuardedStream stream;
        try {
            stream = GuardedStream.open(settings.transport(), call, timeouts);
        } catch (IOException e) {
            throw transportFailure(e);
        }
        publishRateLimits(stream.status(), stream.headers());
        return stream;
    }

    /**
     * Maps a transport failure: a timeout to {@link ProviderException.ProviderTimeout}, an answer or stream event over
     * the size limit ({@link ResponseTooLargeException}) to {@link ProviderException.MalformedResponse}, an answer the
     * {@link AnswerMemory} cannot hold now to {@link ProviderException.Overloaded}, anything else to
     * {@link ProviderException.ConnectionFailed}; throws the calling thread's interrupt (a caller cancelling) as
     * {@link CallInterruptedException}, which is no provider failure: nothing retries it, falls back on it or counts it
     * against the provider.
     *
     * @param e the failure
     * @return the provider exception to throw
     * @throws CallInterruptedException if the failure is the calling thread's interrupt (its flag is set again)
     */
    protected final ProviderException transportFailure(IOException e) {
        if (e instanceof TransportTimeoutException t) {
            return new ProviderException.ProviderTimeout(details(), t.phase().label(), t.timeout());
        }
        if (e instanceof ResponseTooLargeException) {
            return new ProviderException.MalformedResponse(details(), e.getMessage(), e);
        }
        if (e instanceof AnswerMemoryExhaustedException) {
            // the process, not the provider, is short of room for now: transient, as a busy throttle is
            return new ProviderException.Overloaded(details(), e.getMessage(), Optional.empty());
        }
        if (e instanceof ClosedByInterruptException
                || (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException))
                || Thread.currentThread().isInterrupted()) {
            Thread.currentThread().interrupt();
            InterruptedException interrupt = new InterruptedException(describe(e));
            interrupt.initCause(e);
            throw new CallInterruptedException(provider() + " " + name(), interrupt);
        }
        return new ProviderException.ConnectionFailed(details(), describe(e), e);
    }

    /**
     * The failure for a successful answer that cannot be read: when it is not JSON, {@code answer is not JSON}, with
     * its content type when that is not JSON either ({@link HttpBodies#notJson}), as the gateway's OpenAI pass-through
     * says it; when it is JSON of the wrong shape, what the reader found missing. The parser's message, which names
     * its own internals, stays in the cause, for the logs.
     *
     * @param result the answer
     * @param cause what reading it threw: an {@link IOException} from the JSON parser, or the reader's
     *     {@link IllegalArgumentException}
     * @return the failure to throw
     */
    protected final ProviderException.MalformedResponse unreadableAnswer(HttpResult result, Exception cause) {
        String problem = cause instanceof IOException ? HttpBodies.notJson(result.headers().first("content-type"))
                : cause.getMessage();
        return new ProviderException.MalformedResponse(details(result.status(), result.headers()), problem, cause);
    }

    /**
     * Counts tokens locally, for a provider that reported no usage.
     *
     * @param request the request (input)
     * @param output the output produced so far
     * @return the usage, marked estimated
     */
    protected final Usage estimateUsage(ChatRequest request, Message output) {
        long in = settings.tokenEstimator().estimateInput(name(), request).tokens();
        return new Usage(in, 0, 0, estimateOutput(output), 0, true);
    }

    /**
     * Usage the provider reported part-way through a stream, with the output counted locally when the output produced
     * so far is more than the reported output tokens (then the usage is marked estimated).
     *
     * @param reported what the provider reported so far (input and cache tokens, maybe some output)
     * @param output the output produced so far
     * @return the usage to bill
     */
    final Usage withOutputSoFar(Usage reported, Message output) {
        long out = estimateOutput(output);
        if (out <= reported.outputTokens()) {
            return reported;
        }
        return new Usage(reported.inputTokens(), reported.cachedInputTokens(), reported.cacheWriteTokens(),
                reported.cacheWrite1hTokens(), out, reported.reasoningTokens(), true, reported.serviceTier())
                .withInferenceGeo(reported.inferenceGeo());
    }

    private long estimateOutput(Message output) {
        long out = settings.tokenEstimator().countText(name(), output.text());
        for (ToolCall c : output.toolCalls()) {
            out += settings.tokenEstimator().countText(name(), c.name() + c.arguments());
        }
        // reasoning is billed as output; a redacted block's data is ciphertext, not a measure of its tokens
        for (ContentPart part : output.reasoning()) {
            if (part instanceof ContentPart.Thinking t) {
                out += settings.tokenEstimator().countText(name(), t.text());
            }
        }
        return out;
    }

    // ---- the template's own steps ----

    final ChatResponse complete(ChatRequest request, WorkflowContext context, ProviderReply reply, Duration latency) {
        Usage usage = reply.usage().orElseGet(() -> estimateUsage(request, reply.message()));
        String answered = reply.model().filter(m -> !m.isBlank()).orElse(name());
        boolean downgraded = isDowngrade(answered);
        if (downgraded) {
            countDowngrade(answered);
        }
        Pricer.Priced priced = price(answered, downgraded, usage);
        ChatResponse response = new ChatResponse(reply.id(), request.model(), answered, provider(), reply.message(),
                reply.finishReason(), usage, priced.cost(), priced.status(), latency, reply.providerRequestId(),
                downgraded, reply.stopSequence());
        recordCost(context, request, answered, usage, priced, Outcome.SUCCESS, Optional.empty(), latency);
        return response;
    }

    /** Records a call that failed before it answered: no baseline, as a caller of the baseline paid for no failure. */
    final void recordFailure(ChatRequest request, WorkflowContext context, ProviderException e,
            Optional<Usage> billed, Duration latency) {
        Usage usage = billed.orElse(Usage.ZERO);
        Pricer.Priced priced = priceFailure(usage);
        record(context, request, name(), usage, priced, Money.ZERO, Outcome.FAILED, Optional.of(e.kind()), latency);
    }

    /** Records a call its caller interrupted before it answered: abandoned by the caller, nothing known billed. */
    final void recordInterrupted(ChatRequest request, WorkflowContext context, Duration latency) {
        record(context, request, name(), Usage.ZERO, priceFailure(Usage.ZERO), Money.ZERO, Outcome.ABORTED,
                Optional.of("interrupted"), latency);
    }

    /**
     * Records a stream that broke after it started: billed its partial usage, and measured against the baseline as
     * an answer is, since the caller received part of one.
     */
    final void recordBrokenStream(ChatRequest request, WorkflowContext context, ProviderException e,
            Optional<Usage> billed, Duration latency) {
        Usage usage = billed.orElse(Usage.ZERO);
        recordCost(context, request, name(), usage, priceFailure(usage), Outcome.FAILED, Optional.of(e.kind()),
                latency);
    }

    private Pricer.Priced priceFailure(Usage usage) {
        return usage.totalTokens() == 0 && usage.reportedCost().isEmpty()
                ? new Pricer.Priced(Money.ZERO, PriceStatus.PRICED)
                : price(name(), false, usage);
    }

    /** @return whether {@code answered} is another model than the one asked for, by name or by upstream id */
    final boolean isDowngrade(String answered) {
        return !ModelSnapshots.sameModel(name(), answered) && !ModelSnapshots.sameModel(upstreamModel, answered);
    }

    /**
     * The call's cost: what the provider reported charging for it, else its tokens at the catalog's prices: those of
     * the model that answered when the provider answered with another one, except on a free deployment (a
     * {@code :free} entry, a local model), whose tier decides: no one is billed for it whichever model answers.
     */
    final Pricer.Priced price(String answered, boolean downgraded, Usage usage) {
        if (downgraded && !isFreeDeployment(usage)) {
            try {
                return settings.pricer().priceCall(answered, usage);
            } catch (UnknownModelException e) {
                LOG.debug("{} answered with unpriced model {}; pricing as {}", provider(), answered, name());
            }
        }
        return settings.pricer().priceCall(name(), usage);
    }

    private boolean isFreeDeployment(Usage usage) {
        PriceStatus status = settings.pricer().price(name(), usage).status();
        return status == PriceStatus.FREE_TIER || status == PriceStatus.LOCAL;
    }

    /** Records an answer, whole or partial, with its baseline: the pricer's ({@link Pricer#baselineCost}). */
    final void recordCost(WorkflowContext context, ChatRequest request, String usedModel, Usage usage,
            Pricer.Priced priced, Outcome outcome, Optional<String> errorKind, Duration latency) {
        Money baseline = settings.pricer().baselineCost(request, name(), usage, priced.cost());
        record(context, request, usedModel, usage, priced, baseline, outcome, errorKind, latency);
    }

    private void record(WorkflowContext context, ChatRequest request, String usedModel, Usage usage,
            Pricer.Priced priced, Money baseline, Outcome outcome, Optional<String> errorKind, Duration latency) {
        CostRecord record = new CostRecord(context.correlationId(), CostRecords.nextAttempt(context),
                context.clock().instant(), request.model(), usedModel, settings.pricer().catalogName(name()),
                provider(), usage, priced.cost(), baseline, priced.status(), outcome, errorKind, Optional.empty(),
                latency, context.tags());
        CostRecords.record(context, name(), record);
    }

    static Duration elapsed(WorkflowContext context, long startNanos) {
        return Duration.ofNanos(Math.max(0, context.ticker().read() - startNanos));
    }

    private void countDowngrade(String answered) {
        settings.meterRegistry().ifPresent(r -> r.counter(DOWNGRADE_COUNTER, "provider", provider(),
                "requested", name(), "answered", answered).increment());
        LOG.info("{} answered a request for {} with {}", provider(), name(), answered);
    }

    private void publishRateLimits(int status, HttpHeaders headers) {
        if (settings.rateLimitListener() == RateLimitListener.NONE) {
            return;
        }
        Optional<RateLimitSnapshot> snapshot = rateLimits(status, headers);
        if (snapshot.isEmpty()) {
            return;
        }
        try {
            settings.rateLimitListener().onSnapshot(snapshot.get());
        } catch (RuntimeException e) {
            LOG.warn("rate-limit listener failed for {} {}; ignored", provider(), name(), e);
        }
    }

    /** @return the failure in plain words for the caller (Java class names stay in the cause, for the logs) */
    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.UnknownHostException) {
            return UpstreamDnsResolver.UNRESOLVED; // the JDK's message is the host, which may be internal
        }
        return m == null || m.isBlank() ? "the connection broke" : m;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + provider() + " " + name() + "]";
    }
}
