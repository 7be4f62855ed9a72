package dev.costwise.llm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.budget.TestModels;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.resilience.OpenAiUpstream;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.resilience.RetryingChatModel;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.sim.SimulatedFailure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class MeteredChatModelTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    @StartStop
    final MockWebServer server = new MockWebServer();

    @Test
    void givenCallsHitsAndFailures_whenSnapshotTaken_thenCostSavingsAndTokensAddUpExactlyByModel() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CostMetrics metrics = CostMetrics.of(registry);
        var cached = CachedChatModel.builder("cached_gpt4o", SimulatedChatModel.builder(CATALOG, "gpt-4o").seed(5)
                .build()).build();
        MeteredChatModel workflow = MeteredChatModel.of("llm_workflow", cached, metrics);
        var failing = MeteredChatModel.of("llm_workflow", SimulatedChatModel.builder(CATALOG, "gpt-4o-mini").seed(5)
                .failure(SimulatedFailure.SERVER_ERROR, 1.0).build(), metrics);

        ChatResponse paid = workflow.execute(ChatRequest.of("gpt-4o", "explain caching"), WorkflowContext.of("w"));
        workflow.execute(ChatRequest.of("gpt-4o", "explain caching"), WorkflowContext.of("w"));
        assertThatThrownBy(() -> failing.execute(ChatRequest.of("gpt-4o-mini", "x"), WorkflowContext.of("w")))
                .isInstanceOf(ProviderException.class);

        CostSnapshot snap = metrics.snapshot("llm_workflow");
        assertThat(snap.total().attempts()).isEqualTo(3);
        assertThat(snap.total().cacheHits()).isEqualTo(1);
        assertThat(snap.total().failures()).isEqualTo(1);
        assertThat(snap.total().cost()).isEqualTo(paid.cost());
        assertThat(snap.total().inputTokens()).isEqualTo(paid.usage().inputTokens()); // the hit processed none
        assertThat(snap.byModel().get("gpt-4o").cost()).isEqualTo(paid.cost());
        assertThat(snap.byModel().get("gpt-4o").savings()).isEqualTo(paid.cost());
        assertThat(snap.byProvider()).containsKey("sim");
        assertThat(snap.total().requests()).isEqualTo(3);
        assertThat(snap.total().errorRate()).isEqualTo(1.0 / 3);
        assertThat(registry.find("costwise.llm.attempts").tag("outcome", "cache_hit").counter().count()).isEqualTo(1);
        assertThat(metrics.snapshot("nothing").total().cost()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenARequestThatSucceedsOnItsThirdAttempt_whenCounted_thenTheErrorRateIsPerRequestAsTheSpecs() {
        server.enqueue(OpenAiUpstream.serverError());
        server.enqueue(OpenAiUpstream.serverError());
        server.enqueue(OpenAiUpstream.completion("gpt-4o", "Hello"));
        ChatModel retried = RetryingChatModel.of(Retry.of("retry", RetryConfig.builder().maxRetries(2)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(d -> { }).build()),
                OpenAiUpstream.adapter(server, "gpt-4o").build());
        CostMetrics metrics = CostMetrics.inMemory();

        MeteredChatModel.of("llm_workflow", retried, metrics).execute(ChatRequest.of("gpt-4o", "hi"),
                WorkflowContext.of("w"));

        CostTotals total = metrics.snapshot("llm_workflow").total();
        assertThat(total.attempts()).isEqualTo(3);
        assertThat(total.failures()).isEqualTo(2);
        assertThat(total.requests()).isEqualTo(1);
        assertThat(total.errorRate()).as("1 - successful_requests / total_requests").isZero();
        assertThat(total.attemptFailureRate()).isEqualTo(2.0 / 3);
        assertThat(metrics.snapshot("llm_workflow").byModel().get("gpt-4o").requests()).isEqualTo(1);
    }

    @Test
    void givenAnAnswerDearerThanItsBaseline_whenPublished_thenOverspendIsCountedApartAndNetSavingsStayExact() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CostMetrics metrics = CostMetrics.of(registry);
        metrics.record("w", record("0.002", "0.005"));   // saved $0.003
        metrics.record("w", record("0.004", "0.001"));   // a dearer fallback: $0.003 over its baseline

        assertThat(metrics.snapshot("w").total().savings()).isEqualTo(Money.ZERO);
        assertThat(registry.find("costwise.llm.savings").counter().count()).isEqualTo(0.003, within(1e-12));
        assertThat(registry.find("costwise.llm.overspend").counter().count()).isEqualTo(0.003, within(1e-12));
    }

    @Test
    void givenAttemptsRecordedWithoutRequests_whenTheErrorRateIsRead_thenItIsTheAttemptFailureRate() {
        CostMetrics metrics = CostMetrics.inMemory();
        CostRecord ok = record("0.002", "0.002");
        metrics.record("direct", ok);
        metrics.record("direct", new CostRecord("r", 2, Instant.EPOCH, "gpt-4o", "gpt-4o", "openai", Usage.of(10, 0),
                Money.ZERO, Money.ZERO, PriceStatus.PRICED, Outcome.FAILED, Optional.of("server_error"),
                Optional.empty(), Duration.ZERO, Map.of()));

        CostTotals total = metrics.snapshot("direct").total();
        assertThat(total.requests()).isZero();
        assertThat(total.errorRate()).as("no request to count over: failed attempts over attempts").isEqualTo(0.5);
    }

    private static CostRecord attempt(String model, Outcome outcome) {
        return new CostRecord("r", 1, Instant.EPOCH, model, model, "openai", Usage.of(10, 10), Money.of("0.001"),
                Money.of("0.001"), PriceStatus.PRICED, outcome, Optional.empty(), Optional.empty(), Duration.ZERO,
                Map.of());
    }

    @Test
    void givenARequestAnsweredThenJudgedByAFailingValidator_whenCounted_thenItCountsUnderTheModelThatAnswered() {
        CostMetrics metrics = CostMetrics.inMemory();

        metrics.recordRequest("validated", List.of(attempt("gpt-4o-mini", Outcome.SUCCESS),
                attempt("gpt-4o", Outcome.FAILED)), true);

        CostSnapshot snap = metrics.snapshot("validated");
        assertThat(snap.byModel().get("gpt-4o-mini").requests()).isEqualTo(1);
        assertThat(snap.byModel().get("gpt-4o").requests()).isZero();
    }

    @Test
    void givenAStreamWhoseNextFails_whenItsReaderGivesUp_thenTheRequestCountsAsFailed() {
        CostMetrics metrics = CostMetrics.inMemory();
        ChatModel failingMidStream = new ChatModel() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public String provider() {
                return "openai";
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                throw new UnsupportedOperationException("streams only");
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                return new ChatStream() {
                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public dev.costwise.llm.chat.ChatChunk next() {
                        throw new IllegalStateException("the connection broke mid-chunk");
                    }

                    @Override
                    public ChatResponse response() {
                        throw new IllegalStateException("not ended");
                    }

                    @Override
                    public void close() {}
                };
            }
        };
        ChatStream s = MeteredChatModel.of("streamed", failingMidStream, metrics)
                .stream(ChatRequest.of("gpt-4o", "hi"), WorkflowContext.of("w"));

        assertThat(s.hasNext()).isTrue();
        assertThatThrownBy(s::next).isInstanceOf(IllegalStateException.class);
        s.close();

        assertThat(metrics.snapshot("streamed").total().failedRequests()).isEqualTo(1);
    }

    private static CostRecord record(String cost, String baseline) {
        return new CostRecord("r", 1, Instant.EPOCH, "gpt-4o", "gpt-4o", "openai", Usage.of(10, 10),
                Money.of(cost), Money.of(baseline), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(),
                Optional.empty(), Duration.ZERO, Map.of());
    }

    @Test
    void givenMostCallsAnsweredFromTheCache_whenTokensAreCounted_thenOnlyTheTokensProvidersProcessedCount() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CostMetrics metrics = CostMetrics.of(registry);
        MeteredChatModel workflow = MeteredChatModel.of("llm_workflow", CachedChatModel.builder("cached_gpt4o",
                SimulatedChatModel.builder(CATALOG, "gpt-4o").seed(7).build()).build(), metrics);
        long billedIn = 0;
        long billedOut = 0;

        for (int i = 0; i < 20; i++) { // two questions, ten times each: 2 misses, 18 hits
            ChatResponse r = workflow.execute(ChatRequest.of("gpt-4o", "question " + i % 2), WorkflowContext.of("w"));
            if (!r.cost().isZero()) {
                billedIn += r.usage().inputTokens();
                billedOut += r.usage().outputTokens();
            }
        }

        assertThat(billedIn).isPositive();
        assertThat(registry.get("costwise.llm.tokens").tag("direction", "input").counter().count())
                .isEqualTo(billedIn);
        assertThat(registry.get("costwise.llm.tokens").tag("direction", "output").counter().count())
                .isEqualTo(billedOut);
        assertThat(registry.get("costwise.llm.attempts").tag("outcome", "cache_hit").counter().count())
                .isEqualTo(18);
        CostTotals total = metrics.snapshot("llm_workflow").total();
        assertThat(total.inputTokens()).isEqualTo(billedIn);
        assertThat(total.outputTokens()).isEqualTo(billedOut);
        assertThat(total.cacheHits()).isEqualTo(18);
    }

    @Test
    void givenCallsRunningAtOnceOnOneContext_whenCounted_thenEachCallCountsItsOwnAttemptOnly() {
        int calls = 10;
        CountDownLatch allRecorded = new CountDownLatch(calls);
        ChatModel waitsForTheOthers = TestModels.endingAfterAllRecorded(
                TestModels.FakeProvider.of(TestModels.PREMIUM, 300), allRecorded);
        CostMetrics metrics = CostMetrics.of(new SimpleMeterRegistry());
        MeteredChatModel metered = MeteredChatModel.of("fan_out", waitsForTheOthers, metrics);
        WorkflowContext ctx = WorkflowContext.of("fan-out");

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < calls; i++) {
                ChatRequest request = ChatRequest.of("premium-model", "part " + i);
                threads.submit(() -> metered.execute(request, ctx));
            }
        }
        List<ChatStream> streams = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            streams.add(metered.stream(ChatRequest.of("premium-model", "streamed " + i), ctx));
        }
        streams.forEach(s -> {
            while (s.hasNext()) {
                s.next();
            }
        });

        CostSnapshot snap = metrics.snapshot("fan_out");
        assertThat(CostRecords.of(ctx)).hasSize(calls + 2);
        assertThat(snap.total().attempts()).isEqualTo(calls + 2);
        assertThat(snap.total().cost()).isEqualTo(CostRecords.total(ctx));
    }
}
