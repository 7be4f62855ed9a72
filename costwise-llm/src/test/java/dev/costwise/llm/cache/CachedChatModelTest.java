package dev.costwise.llm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.SavingsCalculator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachedChatModelTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    /** Counts the calls that reach the simulated provider. */
    private static final class Counting implements ChatModel {
        final ChatModel delegate;
        final AtomicInteger calls = new AtomicInteger();

        Counting(ChatModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String provider() {
            return delegate.provider();
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            calls.incrementAndGet();
            return delegate.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            calls.incrementAndGet();
            return delegate.stream(request, context);
        }
    }

    /** A chat model made of a primitive (here a fallback chain), as an application would wire one. */
    private record Delegating(String name, dev.costwise.core.Primitive<ChatRequest, ChatResponse> chain)
            implements ChatModel {
        @Override
        public String provider() {
            return "chain";
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            return chain.execute(request, context);
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            throw new UnsupportedOperationException("not streamed in this test");
        }
    }

    private static final class FakeTicker implements com.github.benmanes.caffeine.cache.Ticker {
        final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    private final Counting gpt4o = new Counting(SimulatedChatModel.builder(CATALOG, "gpt-4o").seed(1).build());

    @Test
    void givenARepeatedRequest_whenExecuted_thenSecondIsAFreeHitRecordingTheSaving() {
        CachedChatModel cached = CachedChatModel.builder("cached_gpt4o", gpt4o).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "What is the capital of France?");

        ChatResponse first = cached.execute(request, WorkflowContext.of("t"));
        WorkflowContext second = WorkflowContext.of("t");
        ChatResponse again = cached.execute(request, second);

        assertThat(gpt4o.calls).hasValue(1);
        assertThat(first.cost().isPositive()).isTrue();
        assertThat(again.cost()).isEqualTo(Money.ZERO);
        assertThat(again.priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        assertThat(again.text()).isEqualTo(first.text());
        CostRecord hit = CostRecords.of(second).getFirst();
        assertThat(hit.outcome()).isEqualTo(Outcome.CACHE_HIT);
        assertThat(hit.cost()).isEqualTo(Money.ZERO);
        assertThat(hit.savings()).isEqualTo(first.cost());
        assertThat(cached.stats().hitCount()).isEqualTo(1);
        assertThat(cached.stats().moneySaved()).isEqualTo(first.cost());
    }

    @Test
    void givenAnAnswerOfACheaperModel_whenHit_thenItsBaselineIsTheTokensOnThePricersBaselineAsTheMissWas() {
        SavingsCalculator allGpt4o = SavingsCalculator.of(CatalogPricer.of(CATALOG), "gpt-4o");
        ChatModel mini = SimulatedChatModel.builder(CATALOG, "gpt-4o-mini").seed(1).baseline(allGpt4o).build();
        CachedChatModel cached = CachedChatModel.builder("cached_mini", mini).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "a medium question");
        WorkflowContext missContext = WorkflowContext.of("miss");
        WorkflowContext hitContext = WorkflowContext.of("hit");

        cached.execute(request, missContext);
        cached.execute(request, hitContext);

        CostRecord miss = CostRecords.of(missContext).getFirst();
        CostRecord hit = CostRecords.of(hitContext).getFirst();
        assertThat(miss.baselineCost()).isEqualTo(allGpt4o.baselineCost(miss.usage()));
        assertThat(miss.baselineCost()).isGreaterThan(miss.cost());
        assertThat(hit.outcome()).isEqualTo(Outcome.CACHE_HIT);
        assertThat(hit.baselineCost()).isEqualTo(miss.baselineCost());
        assertThat(hit.savings()).isEqualTo(miss.baselineCost());
        assertThat(cached.stats().moneySaved()).isEqualTo(miss.cost());
    }

    @Test
    void given100ConcurrentIdenticalMisses_whenExecuted_thenOneUpstreamCallServesAll() throws Exception {
        CachedChatModel cached = CachedChatModel.builder("c", gpt4o).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "same question");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ChatResponse>> results = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cached.execute(request, WorkflowContext.of("t"));
                }));
            }
            start.countDown();
            for (Future<ChatResponse> f : results) {
                assertThat(f.get().text()).startsWith("[simulated gpt-4o]");
            }
        }
        assertThat(gpt4o.calls).hasValue(1);
    }

    @Test
    void givenTwoVirtualKeys_whenTheSameRequestIsSent_thenNoAnswerLeaksBetweenThem() {
        CachedChatModel cached = CachedChatModel.builder("c", gpt4o).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "tenant data");
        cached.execute(request, WorkflowContext.builder("t").tag("key", "A").build());
        ChatResponse other = cached.execute(request, WorkflowContext.builder("t").tag("key", "B").build());
        assertThat(gpt4o.calls).hasValue(2);
        assertThat(other.priceStatus()).isNotEqualTo(PriceStatus.CACHE_HIT);
    }

    @Test
    void givenAFailingUpstream_whenCalledTwice_thenTheErrorIsNotCached() {
        ChatModel failing = SimulatedChatModel.builder(CATALOG, "gpt-4o").seed(3)
                .failure(dev.costwise.llm.sim.SimulatedFailure.SERVER_ERROR, 1.0).build();
        Counting counting = new Counting(failing);
        CachedChatModel cached = CachedChatModel.builder("c", counting).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "boom");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cached.execute(request, WorkflowContext.of("t")))
                    .isInstanceOf(ProviderException.ServerError.class);
        }
        assertThat(counting.calls).hasValue(2);
    }

    @Test
    void givenAnAnswerFromAFallbackModel_whenCached_thenItExpiresAfterTheShortTtl() {
        ChatModel down = SimulatedChatModel.builder(CATALOG, "gpt-4o").seed(1)
                .failure(dev.costwise.llm.sim.SimulatedFailure.SERVER_ERROR, 1.0).build();
        Counting mini = new Counting(SimulatedChatModel.builder(CATALOG, "gpt-4o-mini").seed(1).build());
        Counting counting = mini;
        var chain = Fallback.<ChatRequest, ChatResponse>builder("llm").primary("gpt-4o", down)
                .fallback("gpt-4o-mini", (req, ctx) -> mini.execute(req.withModel("gpt-4o-mini"), ctx))
                .classifier(ProviderFailureClassifier.ofDefaults()).build();
        FakeTicker ticker = new FakeTicker();
        CachedChatModel cached = CachedChatModel.builder("c", new Delegating("gpt-4o", chain)).ttl(Duration.ofHours(1))
                .fallbackTtl(Duration.ofMinutes(5)).ticker(ticker).build();
        // The primary is down, so gpt-4o-mini answers: a fallback answer, kept for five minutes only.
        ChatRequest request = ChatRequest.of("gpt-4o", "fallback answer");
        cached.execute(request, WorkflowContext.of("t"));
        ticker.advance(Duration.ofMinutes(4));
        cached.execute(request, WorkflowContext.of("t"));
        assertThat(counting.calls).hasValue(1);
        ticker.advance(Duration.ofMinutes(2));
        WorkflowContext ctx = WorkflowContext.of("t");
        cached.execute(request, ctx);
        assertThat(counting.calls).hasValue(2);
        assertThat(cached.stats().expirationCount()).isEqualTo(1);
    }

    @Test
    void givenAStreamReadToItsEnd_whenStreamedAgain_thenItIsReplayedFromCacheAsChunks() {
        CachedChatModel cached = CachedChatModel.builder("c", gpt4o).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "stream me a story");
        StringBuilder live = new StringBuilder();
        try (ChatStream s = cached.stream(request, WorkflowContext.of("t"))) {
            s.forEachRemaining(c -> live.append(c.contentDelta()));
        }
        WorkflowContext ctx = WorkflowContext.of("t");
        StringBuilder replay = new StringBuilder();
        List<ChatChunk> chunks = new ArrayList<>();
        try (ChatStream s = cached.stream(request, ctx)) {
            s.forEachRemaining(c -> {
                chunks.add(c);
                replay.append(c.contentDelta());
            });
            assertThat(s.response().priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        }
        assertThat(gpt4o.calls).hasValue(1);
        assertThat(replay.toString()).isEqualTo(live.toString()).isNotEmpty();
        assertThat(chunks.getLast().usage()).isPresent();
        assertThat(CostRecords.of(ctx)).extracting(CostRecord::outcome).containsExactly(Outcome.CACHE_HIT);
    }

    @Test
    void givenAStreamClosedEarly_whenStreamedAgain_thenItCallsUpstreamAgain() {
        CachedChatModel cached = CachedChatModel.builder("c", gpt4o).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "abort me");
        try (ChatStream s = cached.stream(request, WorkflowContext.of("t"))) {
            s.next();
        }
        try (ChatStream s = cached.stream(request, WorkflowContext.of("t"))) {
            s.forEachRemaining(c -> { });
        }
        assertThat(gpt4o.calls).hasValue(2);
    }

    @Test
    void givenBadSettings_whenBuilt_thenTheErrorNamesTheParameterAndValue() {
        assertThatThrownBy(() -> CachedChatModel.builder("c", gpt4o).ttl(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl").hasMessageContaining("-1");
        assertThatThrownBy(() -> CachedChatModel.builder("c", gpt4o).maximumSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumSize must be >= 1, was 0");
    }
}
