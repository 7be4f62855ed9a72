package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.BudgetExceededException;
import dev.costwise.llm.budget.BudgetStatus;
import dev.costwise.llm.budget.InMemorySpendLedger;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsagePermit;
import dev.costwise.llm.ratelimit.UsageSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two replicas, each with its own pool and its own upstream, sharing cache, budget and rate limits in Redis. */
class TwoReplicasTest {

    private static final Clock CLOCK = Clock.fixed(SharedRedis.TODAY_AT_TEN, ZoneOffset.UTC);
    private static final Money LIMIT = Money.of("1.00");

    private String prefix;
    private Replica a;
    private Replica b;

    @BeforeEach
    void start() {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        a = new Replica(options(), LIMIT, 1);
        b = new Replica(options(), LIMIT, 2);
    }

    private RedisOptions options() {
        // These tests are about replicas that both reach Redis; on a loaded machine a command may take longer than
        // the 200 ms default, and a replica that times out falls back to its local share (tested on its own in
        // RedisBudgetStoreTest), which a partial outage may let past the limit as docs/gateway.md says.
        return RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix).clock(CLOCK)
                .socketTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
            b.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    @Test
    void givenADollarSharedByTwoReplicas_when400DistinctRequestsRaceAcrossBoth_thenSpendNeverPassesIt()
            throws Exception {
        ConcurrentLinkedQueue<CostRecord> records = new ConcurrentLinkedQueue<>();
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                Replica replica = i % 2 == 0 ? a : b;
                ChatRequest request = Replica.question("Question number " + i + ": what is " + i + " squared?");
                futures.add(threads.submit(() -> {
                    WorkflowContext ctx = replica.context();
                    go.await();
                    try {
                        replica.model.execute(request, ctx);
                        served.incrementAndGet();
                    } catch (BudgetExceededException e) {
                        rejected.incrementAndGet();
                    }
                    records.addAll(CostRecords.of(ctx));
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        Money spent = records.stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
        BudgetStatus status = a.budgets.status("daily");

        assertThat(spent).isLessThanOrEqualTo(LIMIT);
        assertThat(status.spent()).isEqualTo(spent);
        assertThat(b.budgets.status("daily").spent()).isEqualTo(spent);
        assertThat(status.reserved()).isEqualTo(Money.ZERO);
        assertThat(rejected.get()).isPositive();
        assertThat(served.get() + rejected.get()).isEqualTo(400);
        assertThat(a.upstream.calls.get()).isPositive();
        assertThat(b.upstream.calls.get()).isPositive();
        assertThat(a.redis.budgetStore().localReservations() + b.redis.budgetStore().localReservations()).isZero();

        // Under the race, a refusal may come while other calls still hold reservations, so how much of the dollar
        // the race itself spends depends on timing. What must hold is that no reservation outlives its call: asked
        // one at a time afterwards, the replicas serve until less than one reservation is left.
        Money afterRace = spendOneAtATimeUntilRefused();
        assertThat(afterRace).isLessThanOrEqualTo(LIMIT);
        assertThat(afterRace).isGreaterThan(LIMIT.minus(Money.of("0.0043")));
    }

    private Money spendOneAtATimeUntilRefused() {
        for (int i = 0; i < 400; i++) {
            Replica replica = i % 2 == 0 ? a : b;
            try {
                replica.model.execute(Replica.question("Afterwards " + i + ": what is " + i + " cubed?"),
                        replica.context());
            } catch (BudgetExceededException refused) {
                return b.budgets.status("daily").spent();
            }
        }
        throw new AssertionError("the budget never refused a call");
    }

    @Test
    void givenAnAnswerCachedThroughOneReplica_whenTheOtherIsAsked_thenItIsAFreeHitWithACacheHitRecord() {
        ChatRequest request = Replica.question("What is the capital of France?");
        ChatResponse first = a.model.execute(request, a.context());
        List<Money> savedOnHits = new java.util.concurrent.CopyOnWriteArrayList<>();
        RedisChatCache observed = b.redis.chatCache("shared", b.model).namespace(ctx -> "")
                .metrics(new dev.costwise.core.metrics.PrimitiveMetrics() {
                    @Override
                    public void onCacheHit(String primitive, Money saved) {
                        savedOnHits.add(saved);
                    }
                }).build();
        assertThat(observed.execute(request, b.context()).priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        assertThat(savedOnHits).containsExactly(first.cost());

        WorkflowContext ctx = b.context();
        ChatResponse second = b.model.execute(request, ctx);

        assertThat(second.text()).isEqualTo(first.text());
        assertThat(second.usage()).isEqualTo(first.usage());
        assertThat(second.cost()).isEqualTo(Money.ZERO);
        assertThat(second.priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        assertThat(b.upstream.calls.get()).isZero();
        assertThat(a.upstream.calls.get()).isEqualTo(1);
        List<CostRecord> records = CostRecords.of(ctx);
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.CACHE_HIT);
            assertThat(r.cost()).isEqualTo(Money.ZERO);
            assertThat(r.baselineCost()).isEqualTo(first.cost());
        });
        assertThat(b.model.stats().hits()).isEqualTo(1);
        assertThat(b.model.stats().saved()).isEqualTo(first.cost());
        assertThat(b.budgets.status("daily").spent()).isEqualTo(first.cost());
    }

    @Test
    void givenAStreamCompletedThroughOneReplica_whenTheOtherStreamsIt_thenTheChunksAreReplayedFree() {
        ChatRequest request = Replica.question("Stream me a haiku about caches.");
        StringBuilder live = new StringBuilder();
        try (ChatStream stream = a.model.stream(request, a.context())) {
            stream.forEachRemaining(c -> live.append(c.contentDelta()));
        }

        WorkflowContext ctx = b.context();
        StringBuilder replayed = new StringBuilder();
        ChatResponse whole;
        try (ChatStream stream = b.model.stream(request, ctx)) {
            stream.forEachRemaining(c -> replayed.append(c.contentDelta()));
            whole = stream.response();
        }

        assertThat(replayed.toString()).isEqualTo(live.toString()).isNotEmpty();
        assertThat(whole.priceStatus()).isEqualTo(PriceStatus.CACHE_HIT);
        assertThat(b.upstream.calls.get()).isZero();
        assertThat(CostRecords.of(ctx)).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.CACHE_HIT));
    }

    @Test
    void givenAStreamClosedEarly_whenTheOtherReplicaStreamsTheSameRequest_thenItIsNotAHit() {
        ChatRequest request = Replica.question("Write a long essay about Redis, please.");
        try (ChatStream stream = a.model.stream(request, a.context())) {
            stream.next();
        }

        try (ChatStream stream = b.model.stream(request, b.context())) {
            stream.forEachRemaining(c -> {});
            assertThat(stream.response().priceStatus()).isNotEqualTo(PriceStatus.CACHE_HIT);
        }
        assertThat(b.upstream.calls.get()).isEqualTo(1);
    }

    @Test
    void givenTheSameQuestion_when100CallersMissAtOnceAcrossBothReplicas_thenUpstreamIsCalledOnce()
            throws Exception {
        ChatRequest request = Replica.question("Summarise the plot of Hamlet in one line.");
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Replica replica = i % 2 == 0 ? a : b;
                futures.add(threads.submit(() -> {
                    go.await();
                    answers.add(replica.model.execute(request, replica.context()).text());
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }

        assertThat(a.upstream.calls.get() + b.upstream.calls.get()).isEqualTo(1);
        assertThat(answers).hasSize(100).containsOnly(answers.peek());
        assertThat(a.model.stats().hits() + b.model.stats().hits()).isEqualTo(99);
    }

    @Test
    void givenAFailingUpstream_whenCalled_thenTheErrorIsNotCachedAndTheNextCallerTriesAgain() {
        ChatRequest tooLong = ChatRequest.builder(Replica.MODEL)
                .addMessage(dev.costwise.llm.chat.Message.user("hello")).maxTokens(200_000).build();
        for (int i = 0; i < 2; i++) {
            Replica replica = i == 0 ? a : b;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> replica.model.execute(tooLong,
                    replica.context())).isInstanceOf(RuntimeException.class);
        }

        assertThat(a.model.stats().misses() + b.model.stats().misses()).isEqualTo(2);
        assertThat(a.model.stats().hits() + b.model.stats().hits()).isZero();
    }

    @Test
    void givenASharedLimitOf50RequestsPerMinute_when120CallersRaceAcrossBothReplicas_thenExactly50AreAdmitted()
            throws Exception {
        RateLimits limits = RateLimits.NONE.withRequestsPerMinute(50).withTokensPerMinute(1_000_000);
        RedisRateLimiter onA = a.redis.rateLimiter().modelLimits("gemini-2.5-pro", limits).build();
        RedisRateLimiter onB = b.redis.rateLimiter().modelLimits("gemini-2.5-pro", limits).build();
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                RedisRateLimiter limiter = i % 2 == 0 ? onA : onB;
                futures.add(threads.submit(() -> {
                    go.await();
                    Optional<UsagePermit> permit = limiter.tryAcquire("gemini-2.5-pro", 100);
                    permit.ifPresent(p -> {
                        admitted.incrementAndGet();
                        p.reconcile(80);
                    });
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }

        assertThat(admitted.get()).isEqualTo(50);
        assertThat(onA.localAdmissions() + onB.localAdmissions()).isZero();
    }

    @Test
    void givenATokenLimit_whenEstimatesAreReconciledDown_thenTheFreedTokensAdmitMore() {
        RateLimits limits = RateLimits.NONE.withTokensPerMinute(1_000);
        RedisRateLimiter onA = a.redis.rateLimiter().modelLimits("m", limits).build();
        RedisRateLimiter onB = b.redis.rateLimiter().modelLimits("m", limits).build();

        UsagePermit first = onA.tryAcquire("m", 600).orElseThrow();
        assertThat(onB.tryAcquire("m", 600)).isEmpty();
        first.reconcile(300);

        assertThat(onB.tryAcquire("m", 600)).isPresent();
        assertThat(onA.tryAcquire("m", 200)).isEmpty();
    }

    @Test
    void givenLimitsOnTwoWindows_whenAdmitted_thenThePermitTellsWhatEachWindowCountsAcrossReplicas() {
        RateLimits limits = RateLimits.NONE.withRequestsPerMinute(10).withTokensPerHour(5_000);
        RedisRateLimiter onA = a.redis.rateLimiter().modelLimits("counted", limits).build();
        RedisRateLimiter onB = b.redis.rateLimiter().modelLimits("counted", limits).build();

        onA.tryAcquire("counted", 400).orElseThrow().reconcile(250);
        UsagePermit second = onB.tryAcquire("counted", 700).orElseThrow();

        assertThat(second.usage()).hasValueSatisfying(u -> {
            assertThat(u.requestsLastMinute()).isEqualTo(2);
            assertThat(u.tokensLastMinute()).isEqualTo(950);
            assertThat(u.requestsLastHour()).isEqualTo(2);
            assertThat(u.tokensLastHour()).isEqualTo(950);
            assertThat(u.requestsLastDay()).as("no day limit: not checked").isZero();
        });
        java.util.concurrent.atomic.AtomicReference<UsageSnapshot> refused = new java.util.concurrent.atomic
                .AtomicReference<>();
        assertThat(onA.tryAcquire("counted", 5_000, refused::set)).as("950 + 5000 passes 5000 an hour").isEmpty();
        assertThat(refused.get().tokensLastHour()).as("what the refusing window holds, without this one")
                .isEqualTo(950);
        assertThat(refused.get().requestsLastHour()).isEqualTo(2);
    }

    @Test
    void givenALedgerWithSpendToday_whenTwoReplicasStartAndBothRebuild_thenTheSharedCounterHoldsItOnce() {
        InMemorySpendLedger ledger = new InMemorySpendLedger();
        for (int i = 0; i < 4; i++) {
            ledger.append(new CostRecord("r" + i, 1, CLOCK.instant().minusSeconds(60 * i), Replica.MODEL,
                    Replica.MODEL, "openai", dev.costwise.llm.chat.Usage.of(1000, 1000), Money.of("0.10"),
                    Money.of("0.10"), PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.empty(),
                    java.time.Duration.ofMillis(5), Map.of()));
        }

        a.budgets.rebuildFrom(ledger);
        b.budgets.rebuildFrom(ledger);

        assertThat(a.budgets.status("daily").spent()).isEqualTo(Money.of("0.40"));
        assertThat(b.budgets.status("daily").spent()).isEqualTo(Money.of("0.40"));
    }
}
