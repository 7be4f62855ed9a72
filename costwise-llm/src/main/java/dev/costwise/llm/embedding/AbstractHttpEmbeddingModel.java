package dev.costwise.llm.embedding;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.DeadlineBoundExchange;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.RateLimitHeaderParser;
import dev.costwise.llm.provider.http.ResponseTooLargeException;
import dev.costwise.llm.provider.http.TransportTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template of an HTTP embedding model: the subclass sends and reads in {@link #doEmbed}; this class measures
 * latency, counts tokens when the provider reported none, prices the call and records its {@link CostRecord}
 * ({@code SUCCESS}, or {@code FAILED} at zero cost). Immutable and thread-safe.
 */
abstract class AbstractHttpEmbeddingModel implements EmbeddingModel {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractHttpEmbeddingModel.class);

    /** What a provider answered, before pricing. */
    record Vectors(List<Embedding> embeddings, Optional<String> model, Optional<Usage> usage) { }

    private final AdapterSettings settings;

    AbstractHttpEmbeddingModel(AdapterSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    abstract Vectors doEmbed(EmbeddingRequest request);

    @Override
    public String name() {
        return settings.model();
    }

    @Override
    public String provider() {
        return settings.provider();
    }

    AdapterSettings settings() {
        return settings;
    }

    @Override
    public final EmbeddingResponse execute(EmbeddingRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        long start = context.ticker().read();
        Vectors v;
        try {
            v = doEmbed(request);
        } catch (ProviderException e) {
            record(context, request, name(), Usage.ZERO, new Pricer.Priced(Money.ZERO, PriceStatus.PRICED),
                    Outcome.FAILED, Optional.of(e.kind()), elapsed(context, start));
            throw e;
        }
        if (v.embeddings().size() != request.inputs().size()) {
            ProviderException e = new ProviderException.MalformedResponse(ProviderException.Details.of(provider(),
                    name()), "asked for " + request.inputs().size() + " vectors, got " + v.embeddings().size(), null);
            record(context, request, name(), Usage.ZERO, new Pricer.Priced(Money.ZERO, PriceStatus.PRICED),
                    Outcome.FAILED, Optional.of(e.kind()), elapsed(context, start));
            throw e;
        }
        Usage usage = v.usage().orElseGet(() -> new Usage(request.inputs().stream()
                .mapToLong(t -> settings.tokenEstimator().countText(name(), t)).sum(), 0, 0, 0, 0, true));
        String used = v.model().filter(m -> !m.isBlank()).orElse(name());
        Pricer.Priced priced = settings.pricer().price(name(), usage);
        Duration latency = elapsed(context, start);
        record(context, request, used, usage, priced, Outcome.SUCCESS, Optional.empty(), latency);
        return new EmbeddingResponse(used, provider(), v.embeddings(), usage, priced.cost(), priced.status(),
                latency);
    }

    final HttpResult send(HttpCall call) {
        HttpResult result;
        try {
            result = DeadlineBoundExchange.send(settings.transport(), call);
        } catch (TransportTimeoutException e) {
            throw new ProviderException.ProviderTimeout(ProviderException.Details.of(provider(), name()),
                    e.phase().label(), e.timeout());
        } catch (ResponseTooLargeException e) {
            // the same batch gets the same answer: split, not retried
            throw new ProviderException.AnswerTooLarge(ProviderException.Details.of(provider(), name()),
                    e.getMessage() + "; split the batch", e);
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            throw new ProviderException.ConnectionFailed(ProviderException.Details.of(provider(), name()),
                    e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        publishRateLimits(result.status(), result.headers());
        return result;
    }

    final ProviderException.Details details(int status, HttpHeaders headers) {
        return new ProviderException.Details(provider(), name(), OptionalInt.of(status),
                headers.first("x-request-id"));
    }

    private void publishRateLimits(int status, HttpHeaders headers) {
        RateLimitHeaderParser.openAiStyle(provider(), name(), status, headers, settings.clock().instant())
                .ifPresent(s -> {
                    try {
                        settings.rateLimitListener().onSnapshot(s);
                    } catch (RuntimeException e) {
                        LOG.warn("rate-limit listener failed for {} {}; ignored", provider(), name(), e);
                    }
                });
    }

    private void record(WorkflowContext context, EmbeddingRequest request, String used, Usage usage,
            Pricer.Priced priced, Outcome outcome, Optional<String> errorKind, Duration latency) {
        CostRecord record = new CostRecord(context.correlationId(), CostRecords.nextAttempt(context), context.clock().instant(),
                request.model(), used, provider(), usage, priced.cost(), priced.cost(), priced.status(), outcome,
                errorKind, Optional.empty(), latency, context.tags());
        CostRecords.record(context, name(), record);
    }

    private static Duration elapsed(WorkflowContext context, long start) {
        return Duration.ofNanos(Math.max(0, context.ticker().read() - start));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + provider() + " " + name() + "]";
    }
}
