package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.llm.wire.RequestEncoding;
import dev.costwise.llm.wire.WireCompletion;
import dev.costwise.llm.wire.WireFormatException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A configured model as a {@link ChatModel}, for library code that composes models (the multi-model workflow behind
 * {@code auto}): requests go out through the gateway's own upstream for that model, and every call, success or failure,
 * is written to the ledger under the context's correlation id (the gateway request id) and tags. Streaming is not
 * offered: the workflow answers whole. Thread-safe.
 */
final class UpstreamChatModel implements ChatModel {
    /** Context metadata key holding the request's attempt counter. */
    static final String ATTEMPTS = "costwise.attempts";
    /**
     * Context metadata key holding the run's {@link WorkflowRows}: rows go there, to be written when the run ends,
     * instead of straight to the ledger.
     */
    static final String ROWS = "costwise.rows";
    /** Context tag holding the model name the caller requested. */
    static final String REQUESTED = "costwise.requested";

    /**
     * The request as a caller would write it, its service tier and top_k included; the upstream then fits it to its
     * provider, as it does a body (a provider without tiers or top_k gets neither).
     */
    private static final RequestEncoding ENCODING = RequestEncoding.DEFAULT.withAnthropicExtensions().withServiceTier()
            .withTopK();

    /** The model's circuit breaker, shared with the gateway's attempt loop; empty when it has none. */
    private final Optional<CircuitBreaker> breaker;
    private final Model model;
    private final Model baseline;
    private final String catalogName;
    private final Upstream upstream;
    private final OpenAiWire wire;
    private final CostCalculator costs;
    private final SpendLedger ledger;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration timeout;
    private final RequestEncoding encoding;
    /** The model's own {@code max_reasoning_effort}, which holds whichever pipeline called it. */
    private final Optional<ReasoningEffort> reasoningCap;

    /**
     * @param model the configured model calls go to
     * @param baseline the model the workflow's savings are measured against (its {@code baseline}, else its
     *     orchestrator): a successful call's row is priced as if its answer were the one returned, this model's price
     *     for its tokens ({@link WorkflowRows} keeps that only for the answer the caller gets)
     * @param reasoningCap the most reasoning effort the model's own pipeline allows, if it caps it
     */
    UpstreamChatModel(Model model, Model baseline, String catalogName, Upstream upstream, OpenAiWire wire,
            CostCalculator costs, SpendLedger ledger, Clock clock, Ticker ticker, Duration timeout,
            Optional<CircuitBreaker> breaker, Optional<ReasoningEffort> reasoningCap) {
        this.reasoningCap = reasoningCap;
        this.breaker = breaker;
        this.model = model;
        this.baseline = baseline;
        this.catalogName = catalogName;
        this.upstream = upstream;
        this.wire = wire;
        this.costs = costs;
        this.ledger = ledger;
        this.clock = clock;
        this.ticker = ticker;
        this.timeout = timeout;
        // OpenAI's reasoning models refuse max_tokens; other OpenAI-format servers may not read its newer name
        this.encoding = OpenAiCompatibleEndpoint.wantsMaxCompletionTokens(model.provider())
                ? ENCODING.withMaxCompletionTokens() : ENCODING;
    }

    @Override
    public String name() {
        return catalogName;
    }

    @Override
    public String provider() {
        return model.provider();
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Duration bound = context.remaining().filter(r -> r.compareTo(timeout) < 0).orElse(timeout);
        if (bound.isNegative() || bound.isZero()) {
            throw new ProviderException.ProviderTimeout(ProviderException.Details.of(model.provider(), model.name()),
                    "the request", timeout);
        }
        Optional<CircuitBreaker.Permission> permission = breaker.flatMap(CircuitBreaker::tryAcquirePermission);
        if (breaker.isPresent() && permission.isEmpty()) {
            // Not called, so nothing billed or ledgered: the workflow moves on as for an overloaded provider.
            Duration wait = breaker.get().remainingOpenDuration();
            throw new ProviderException.Overloaded(ProviderException.Details.of(model.provider(), model.name()),
                    GatewayException.CircuitOpen.message(model.name(), wait), Optional.of(wait));
        }
        long t0 = ticker.read();
        try {
            // a model configured on a service tier (flex) asks for it here too, as on the pipeline's own attempts
            // the stricter of the workflow pipeline's cap (already applied to the request) and the model's own
            ObjectNode asked = ServiceTiers.forAttempt(ReasoningSettings.cappedCopy(OutputEffort.forAttempt(
                    wire.writeRequest(request, model.upstreamModel(), encoding), model), reasoningCap), model);
            // the output limit the run's reservation assumed for this model when the caller set none
            ObjectNode body = OutputLimits.forAttempt(asked, model, Plan.outputLimit(asked, model));
            Upstream.Reply reply = upstream.complete(new Upstream.Call(model, body, bound));
            permission.ifPresent(CircuitBreaker.Permission::onSuccess);
            WireCompletion c = wire.readResponse(wire.parseAnswer(reply.body()));
            // no usage (or an unsound one) is billed as the gateway's estimate, never as a free call
            Usage usage = reply.usage().map(reported -> c.usage().orElse(reported)).orElseGet(() -> new Usage(
                    PromptTokens.estimate(body), 0, 0,
                    PromptTokens.answer(wire.parse(reply.body())), 0, true));
            Pricer.Priced priced = costs.price(model, usage);
            Duration latency = Duration.ofNanos(ticker.read() - t0);
            Money baselineCost = costs.baselineCost(Optional.of(baseline), model, usage, priced.cost(),
                    request.serviceTier());
            ChatResponse answer = new ChatResponse(c.id(), request.model(), model.name(), model.provider(),
                    c.message(), c.finishReason(), usage, priced.cost(), priced.status(), latency,
                    reply.providerRequestId(), false);
            record(context, usage, priced.cost(), baselineCost, priced.status(), Outcome.SUCCESS, Optional.empty(),
                    latency, Optional.of(answer));
            return answer;
        } catch (ProviderException e) {
            permission.ifPresent(p -> p.onFailure(e));
            // billed at the usage its provider reported for it, if any (an error inside a 200 with its usage)
            Usage billed = e.billedUsage().orElse(Usage.ZERO);
            Pricer.Priced priced = costs.priceFailure(model, e.billedUsage());
            record(context, billed, priced.cost(), Money.ZERO, priced.status(), Outcome.FAILED,
                    Optional.of(e.kind()), Duration.ofNanos(ticker.read() - t0), Optional.empty());
            throw e;
        } catch (WireFormatException e) {
            record(context, Usage.ZERO, Money.ZERO, Money.ZERO, PriceStatus.PRICED, Outcome.FAILED,
                    Optional.of("malformed_response"), Duration.ofNanos(ticker.read() - t0), Optional.empty());
            ProviderException malformed = new ProviderException.MalformedResponse(ProviderException.Details.of(
                    model.provider(), model.name()), e.getMessage(), e);
            permission.ifPresent(p -> p.onFailure(malformed));
            throw malformed;
        } catch (UnsupportedRequestException e) {
            // the adapter refused before sending: no call to ledger, and the caller's 400 names the field
            permission.ifPresent(CircuitBreaker.Permission::release);
            throw GatewayException.InvalidField.unsupportedBy(model.name(), e);
        } catch (RuntimeException e) {
            permission.ifPresent(CircuitBreaker.Permission::release);
            throw e;
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        throw new UnsupportedOperationException("the gateway's workflow models answer whole; stream with a model");
    }

    private void record(WorkflowContext ctx, Usage usage, Money cost, Money baselineCost, PriceStatus status,
            Outcome outcome, Optional<String> errorKind, Duration latency, Optional<ChatResponse> answer) {
        AtomicInteger attempts = (AtomicInteger) ctx.metadata().computeIfAbsent(ATTEMPTS, k -> new AtomicInteger());
        Map<String, String> tags = new java.util.HashMap<>(ctx.tags());
        String requested = tags.remove(REQUESTED);
        CostRecord row = new CostRecord(ctx.correlationId(), attempts.incrementAndGet(), clock.instant(),
                requested == null ? model.name() : requested, model.name(), model.provider(), usage, cost,
                baselineCost, status, outcome, errorKind, Optional.of("workflow"), latency, tags);
        if (ctx.metadata().get(ROWS) instanceof WorkflowRows held) {
            held.add(row, answer);
        } else {
            LedgerRows.appendOrLog(ledger, row);
        }
    }
}
