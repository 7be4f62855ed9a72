package dev.costwise.gateway;

import dev.costwise.redis.SharedRedis;
import dev.costwise.redis.OwnRedisServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.alert.Alert;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two real gateways in one process sharing one Redis (and one ledger, as replicas share a database): budgets, cache
 * and key rate limits hold across both. Providers are faked by MockWebServer in OpenAI's wire format
 * (https://platform.openai.com/docs/api-reference/chat/object). Needs Redis on 127.0.0.1:6379 (skipped without it,
 * failed under CI=true); the outage test runs its own redis-server child process.
 */
class RedisSharedGatewaysTest {
    private static final String MASTER = "master-secret-123";
    private static final String AUTH = "Bearer " + MASTER;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final String prefix = SharedRedis.randomPrefix();
    private final MemorySpendLedger ledger = new MemorySpendLedger();
    private final List<Alert> alerts = new CopyOnWriteArrayList<>();
    private final CountDownLatch bothDown = new CountDownLatch(2);
    private final CountDownLatch bothBack = new CountDownLatch(2);
    private String redisUrl = SharedRedis.URL;

    @BeforeEach
    void answerEveryCall() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                // 5 input + 1000 output tokens at $10/M each: $0.01005, under the $0.01008 worst case reserved
                return OpenAiFake.completion("gpt-4o-mini", "ok", 5, 1000);
            }
        });
    }

    @AfterEach
    void deleteKeys() {
        if (redisUrl.equals(SharedRedis.URL)) {
            SharedRedis.deleteAll(redisUrl, prefix);
        }
    }

    private TestGateway gateway(String extra) {
        return gateway("""
                  - id: limited
                    key_sha256: %s
                    rpm: 5
                """.formatted(ConfigLoader.sha256Hex("sk-limited")), extra);
    }

    /**
     * A replica with these {@code keys:} entries, plus {@code extra}. Its Redis timeout is generous: with 200 ms, a
     * loaded machine made a replica fall back to its local share in the middle of a 400-request race (the documented
     * degraded mode, which spends past a shared budget), while these tests check sharing; a stopped Redis refuses
     * connections at once whatever the timeout.
     */
    private TestGateway gateway(String keys, String extra) {
        return gateway(keys, extra, new InMemoryVirtualKeyStore(java.time.Clock.systemUTC()));
    }

    /** As above, with the virtual keys of {@code store} (replicas sharing one database share them). */
    private TestGateway gateway(String keys, String extra, InMemoryVirtualKeyStore store) {
        String yaml = """
                master_key: ${MASTER}
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: %s
                    price: {input: "10.00", output: "10.00"}
                defaults:
                  retry: {max_retries: 0}
                keys:
                %s
                redis:
                  url: ${REDIS_URL}
                  key_prefix: %s
                  local_share: 0.5
                  timeout: 2s
                %s
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", ""), keys.stripTrailing(), prefix,
                extra);
        return new TestGateway(yaml, Map.of("MASTER", MASTER, "REDIS_URL", redisUrl), ledger, alert -> {
            alerts.add(alert);
            switch (alert.rule()) {
                case "redis-unavailable" -> bothDown.countDown();
                case "redis-recovered" -> bothBack.countDown();
                default -> { }
            }
        }, store);
    }

    /** Every call is answered, its headers only after {@code delay}: a slow upstream. */
    private void answerEveryCallAfter(Duration delay) {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.completion("gpt-4o-mini", "slow answer", 5, 10).newBuilder()
                        .headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build();
            }
        });
    }

    private static String chat(String prompt) {
        return "{\"model\":\"fast\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}]}";
    }

    private static String cacheHeader(HttpResponse<String> res) {
        return res.headers().firstValue("x-costwise-cache").orElse("(none)");
    }

    /**
     * @return the cache's keys in Redis but the end marks a fill leaves its waiters (they expire within the 10 s a
     *     waiter waits)
     */
    private List<String> fillLocks() {
        return SharedRedis.keys(redisUrl, prefix + ":gwcache:*").stream().filter(k -> !k.contains(":ended:"))
                .toList();
    }

    private Money ledgerTotal() {
        return ledger.records().stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
    }

    @Test
    void givenAResponseStoredThroughOneReplica_whenContinuedReadAndDeletedThroughTheOther_thenBothShareIt()
            throws Exception {
        SharedRedis.requireRunning();
        List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                seen.add(request);
                return OpenAiFake.completion("gpt-4o-mini", "Noted, Ada.", 5, 3);
            }
        });
        try (TestGateway a = gateway(""); TestGateway b = gateway("")) {
            String id = TestGateway.json(a.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"I am Ada.\"}",
                    "Authorization", AUTH).body()).path("id").asText();
            HttpResponse<String> continued = b.post("/v1/responses", "{\"model\": \"fast\", "
                    + "\"previous_response_id\": \"" + id + "\", \"input\": \"Who am I?\"}", "Authorization", AUTH);
            HttpResponse<String> read = b.get("/v1/responses/" + id, "Authorization", AUTH);
            HttpResponse<String> deleted = b.delete("/v1/responses/" + id, "Authorization", AUTH);
            HttpResponse<String> readOnA = a.get("/v1/responses/" + id, "Authorization", AUTH);

            assertThat(continued.statusCode()).as(continued.body()).isEqualTo(200);
            assertThat(TestGateway.json(seen.get(1).getBody().utf8()).path("messages"))
                    .extracting(m -> m.path("role").asText()).containsExactly("user", "assistant", "user");
            assertThat(TestGateway.json(read.body()).path("id").asText()).isEqualTo(id);
            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(readOnA.statusCode()).isEqualTo(404);
            // the deleted one stays only as a mark, without its turn, so that continuing a later turn says why not
            assertThat(SharedRedis.keys(redisUrl, prefix + ":doc:response:*")).containsExactlyInAnyOrder(prefix
                    + ":doc:response:" + id, prefix + ":doc:response:"
                    + TestGateway.json(continued.body()).path("id").asText());
        }
    }

    @Test
    void givenTheCacheOnAndA1DollarBudget_when400ConcurrentRepeatedPrompts_thenNoOverspendNorReservationLeft()
            throws Exception {
        SharedRedis.requireRunning();
        String budget = """
                budgets:
                  - name: daily
                    scope: global
                    window: day
                    limit: "1.00"
                """;
        try (TestGateway a = gateway(budget); TestGateway b = gateway(budget);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                TestGateway gw = i % 2 == 0 ? a : b;
                String body = chat("q" + (i % 200)); // each prompt twice, once per replica: hits, waiters, fills
                calls.add(pool.submit(() -> {
                    go.await();
                    return gw.post("/v1/chat/completions", body, "Authorization", AUTH);
                }));
            }
            go.countDown();
            int ok = 0;
            for (Future<HttpResponse<String>> f : calls) {
                HttpResponse<String> res = f.get(60, TimeUnit.SECONDS);
                if (res.statusCode() == 200) {
                    ok++;
                    assertThat(cacheHeader(res)).isIn("miss", "hit");
                } else {
                    assertThat(res.statusCode()).isEqualTo(429);
                    assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("budget_exceeded");
                }
            }

            Money spent = ledgerTotal();
            int calledUpstream = upstream.getRequestCount();
            assertThat(calledUpstream).isLessThanOrEqualTo(99); // floor(1.00 / 0.01008 reserved each)
            assertThat(spent).isLessThanOrEqualTo(Money.of("1.00"))
                    .isEqualTo(Money.of("0.01005").times(java.math.BigDecimal.valueOf(calledUpstream)));
            assertThat(ok).isGreaterThan(calledUpstream); // some answers were shared hits
            JsonNode counters = TestGateway.json(b.get("/v1/budgets", "Authorization", AUTH).body());
            assertThat(Money.of(counters.at("/data/0/spent").asText())).isEqualTo(spent);
            assertThat(Money.of(counters.at("/data/0/reserved").asText())).isEqualTo(Money.ZERO);
            assertThat(SharedRedis.keys(redisUrl, prefix + ":gwcache:*:lock")).isEmpty();
        }
    }

    @Test
    void givenTwoGatewaysSharingA1DollarBudget_when400ConcurrentRequests_thenLedgerSpendNeverPassesIt()
            throws Exception {
        SharedRedis.requireRunning();
        String budget = """
                budgets:
                  - name: daily
                    scope: global
                    window: day
                    limit: "1.00"
                """;
        try (TestGateway a = gateway(budget); TestGateway b = gateway(budget);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                TestGateway gw = i % 2 == 0 ? a : b;
                String body = chat("q" + i);
                calls.add(pool.submit(() -> {
                    go.await();
                    return gw.post("/v1/chat/completions", body, "Authorization", AUTH, "Cache-Control", "no-cache");
                }));
            }
            go.countDown();
            int ok = 0;
            for (Future<HttpResponse<String>> f : calls) {
                HttpResponse<String> res = f.get(60, TimeUnit.SECONDS);
                if (res.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(res.statusCode()).isEqualTo(429);
                    assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("budget_exceeded");
                }
            }

            Money spent = ledgerTotal();
            assertThat(spent).isLessThanOrEqualTo(Money.of("1.00"));
            assertThat(ok).isEqualTo(99); // floor(1.00 / 0.01008 reserved each); each then costs 0.01005
            assertThat(spent).isEqualTo(Money.of("0.01005").times(java.math.BigDecimal.valueOf(99)));
            assertThat(upstream.getRequestCount()).isEqualTo(99);
            JsonNode counters = TestGateway.json(b.get("/v1/budgets", "Authorization", AUTH).body());
            assertThat(Money.of(counters.at("/data/0/spent").asText())).isEqualTo(spent);
            assertThat(Money.of(counters.at("/data/0/reserved").asText())).isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenATeamBudgetInRedis_whenOneReplicaSpendsItForOneKey_thenTheOtherRefusesTheTeamsOtherKey() {
        SharedRedis.requireRunning();
        String keys = """
                  - {id: a1, key_sha256: %s, tags: {team: a}}
                  - {id: a2, key_sha256: %s, tags: {team: a}}
                  - {id: b1, key_sha256: %s, tags: {team: b}}
                """.formatted(ConfigLoader.sha256Hex("sk-a1"), ConfigLoader.sha256Hex("sk-a2"),
                ConfigLoader.sha256Hex("sk-b1"));
        String budget = """
                budgets:
                  - {name: per-team, scope: team, window: day, limit: "0.015"}
                """;
        try (TestGateway a = gateway(keys, budget); TestGateway b = gateway(keys, budget)) {
            // Each call answers 5 + 1000 tokens at $10 per 1M: $0.01005; a second one would pass $0.015.
            assertThat(a.post("/v1/chat/completions", chat("first"), "Authorization", "Bearer sk-a1").statusCode())
                    .isEqualTo(200);

            HttpResponse<String> sameTeam = b.post("/v1/chat/completions", chat("second"), "Authorization",
                    "Bearer sk-a2");
            HttpResponse<String> otherTeam = b.post("/v1/chat/completions", chat("third"), "Authorization",
                    "Bearer sk-b1");

            assertThat(sameTeam.statusCode()).isEqualTo(429);
            assertThat(TestGateway.json(sameTeam.body()).at("/error/budget").asText()).isEqualTo("per-team");
            assertThat(otherTeam.statusCode()).isEqualTo(200);
            assertThat(upstream.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void givenAKeysBudgetRemovedAndAddedBack_whenTheOtherReplicaSpendsMeanwhile_thenItsSpendCountsInRedisToo() {
        SharedRedis.requireRunning();
        InMemoryVirtualKeyStore keys = new InMemoryVirtualKeyStore(java.time.Clock.systemUTC());
        try (TestGateway a = gateway("  []", "", keys); TestGateway b = gateway("  []", "", keys)) {
            // Each call answers 5 + 1000 tokens at $10 per 1M: $0.01005 (worst case $0.01008); three fit in $0.0302.
            JsonNode key = TestGateway.json(a.post("/v1/keys", "{\"name\":\"rebudget\",\"budget\":\"0.0302\","
                    + "\"budget_window\":\"day\"}", "Authorization", AUTH).body());
            String id = key.get("id").asText();
            String bearer = "Bearer " + key.get("key").asText();
            List<Integer> statuses = new ArrayList<>();
            statuses.add(a.post("/v1/chat/completions", chat("one"), "Authorization", bearer).statusCode());
            assertThat(a.patch("/v1/keys/" + id, "{\"budget\":null}", "Authorization", AUTH).statusCode())
                    .isEqualTo(200);
            statuses.add(b.post("/v1/chat/completions", chat("two"), "Authorization", bearer).statusCode());
            assertThat(a.patch("/v1/keys/" + id, "{\"budget\":\"0.0302\"}", "Authorization", AUTH).statusCode())
                    .isEqualTo(200);

            JsonNode own = TestGateway.json(b.get("/v1/key", "Authorization", bearer).body()).at("/budgets/0");
            statuses.add(b.post("/v1/chat/completions", chat("three"), "Authorization", bearer).statusCode());
            HttpResponse<String> refused = a.post("/v1/chat/completions", chat("four"), "Authorization", bearer);

            assertThat(own.get("spent").asText()).as("all the key spent today, on both replicas").isEqualTo("0.0201");
            assertThat(statuses).containsExactly(200, 200, 200);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(TestGateway.json(refused.body()).at("/error/budget").asText()).isEqualTo("key:" + id);
            assertThat(ledgerTotal()).isEqualTo(Money.of("0.03015"));
        }
    }

    @Test
    void givenAUserBudgetInRedis_whenOneReplicaSpendsItForAnEndUser_thenTheOtherRefusesThatUserOnly() {
        SharedRedis.requireRunning();
        String budget = """
                budgets:
                  - {name: per-user, scope: user, window: day, limit: "0.015"}
                """;
        try (TestGateway a = gateway(budget); TestGateway b = gateway(budget)) {
            // Each call answers 5 + 1000 tokens at $10 per 1M: $0.01005; a second one would pass $0.015.
            assertThat(a.post("/v1/chat/completions", chatAs("alice", "first"), "Authorization", AUTH).statusCode())
                    .isEqualTo(200);

            HttpResponse<String> sameUser = b.post("/v1/chat/completions", chatAs("alice", "second"),
                    "Authorization", AUTH);
            HttpResponse<String> otherUser = b.post("/v1/chat/completions", chatAs("bob", "third"),
                    "Authorization", AUTH);

            assertThat(sameUser.statusCode()).isEqualTo(429);
            assertThat(TestGateway.json(sameUser.body()).at("/error/budget").asText()).isEqualTo("per-user");
            assertThat(otherUser.statusCode()).isEqualTo(200);
            assertThat(upstream.getRequestCount()).isEqualTo(2);
            JsonNode listed = TestGateway.json(b.get("/v1/budgets", "Authorization", AUTH).body());
            assertThat(listed.findValuesAsText("scope_value")).containsExactlyInAnyOrder("alice", "bob");
        }
    }

    private static String chatAs(String user, String prompt) {
        return "{\"model\":\"fast\",\"max_tokens\":1000,\"user\":\"" + user + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + prompt + "\"}]}";
    }

    @Test
    void givenModelSpendInTheLedger_whenAFreshReplicaIsAskedForBudgets_thenItListsTheModelsWindowRestoredInRedis() {
        SharedRedis.requireRunning();
        ledger.append(new CostRecord("before", 1, java.time.Instant.now(), "fast", "fast", "openai",
                dev.costwise.llm.chat.Usage.of(5, 1000), Money.of("0.25"), Money.of("0.25"),
                dev.costwise.llm.cost.PriceStatus.PRICED, Outcome.SUCCESS, java.util.Optional.empty(),
                java.util.Optional.empty(), Duration.ZERO, Map.of("key", "limited")));
        try (TestGateway fresh = gateway("""
                budgets:
                  - {name: per-model, scope: model, window: month, limit: "5"}
                """)) {
            JsonNode budgets = TestGateway.json(fresh.get("/v1/budgets", "Authorization", AUTH).body());

            assertThat(budgets.at("/data/0/name").asText()).isEqualTo("per-model");
            assertThat(budgets.at("/data/0/scope_value").asText()).isEqualTo("fast");
            assertThat(budgets.at("/data/0/spent").asText()).as("rebuilt from the ledger into Redis").isEqualTo("0.25");
        }
    }

    @Test
    void givenAnswerCachedThroughOneGateway_whenAskedThroughTheOther_thenHitAndOneUpstreamCall() throws Exception {
        SharedRedis.requireRunning();
        try (TestGateway a = gateway(""); TestGateway b = gateway("")) {
            HttpResponse<String> first = a.post("/v1/chat/completions", chat("same question"), "Authorization", AUTH);
            HttpResponse<String> second = b.post("/v1/chat/completions", chat("same question"), "Authorization",
                    AUTH);

            assertThat(cacheHeader(first)).isEqualTo("miss");
            assertThat(cacheHeader(second)).isEqualTo("hit");
            assertThat(second.body()).isEqualTo(first.body());
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(ledger.records()).extracting(CostRecord::outcome)
                    .containsExactly(Outcome.SUCCESS, Outcome.CACHE_HIT);
        }
    }

    @Test
    void givenSlowUpstream_whenTheSameRequestMissesOnBothGatewaysAtOnce_thenOneUpstreamCall() throws Exception {
        SharedRedis.requireRunning();
        answerEveryCallAfter(Duration.ofMillis(300));
        try (TestGateway a = gateway(""); TestGateway b = gateway("");
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                TestGateway gw = i % 2 == 0 ? a : b;
                calls.add(pool.submit(() -> {
                    go.await();
                    return gw.post("/v1/chat/completions", chat("popular"), "Authorization", AUTH);
                }));
            }
            go.countDown();
            List<String> headers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : calls) {
                HttpResponse<String> res = f.get(30, TimeUnit.SECONDS);
                assertThat(res.statusCode()).isEqualTo(200);
                headers.add(cacheHeader(res));
            }

            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(headers).containsOnlyOnce("miss").filteredOn("hit"::equals).hasSize(9);
        }
    }

    @Test
    void givenAnotherReplicaStillFillingTheKey_whenTheWaitingRequestReachesItsDeadline_thenItStopsWaiting()
            throws Exception {
        SharedRedis.requireRunning();
        answerEveryCallAfter(Duration.ofMillis(1500));
        try (TestGateway a = gateway(""); TestGateway b = gateway("server: {request_timeout: 1s}");
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> filling = pool.submit(() -> a.post("/v1/chat/completions",
                    chat("long fill"), "Authorization", AUTH));
            assertThat(upstream.takeRequest(5, TimeUnit.SECONDS)).as("a holds the fill lock").isNotNull();

            long started = System.nanoTime();
            HttpResponse<String> waiting = b.post("/v1/chat/completions", chat("long fill"), "Authorization", AUTH);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // Without the bound it polls for the lock's full 10 s wait before giving up.
            assertThat(took).as("b stopped waiting for a's fill at its 1 s deadline").isLessThan(Duration.ofSeconds(5));
            assertThat(waiting.statusCode()).isEqualTo(504);
            assertThat(filling.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void givenTheFillLockHolderFails_whenThreeRequestsWaitedForIt_thenTheyAnswerWithItsFailureWithoutCalling()
            throws Exception {
        SharedRedis.requireRunning();
        AtomicInteger calls = new AtomicInteger();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                calls.incrementAndGet(); // the holder's call fails slowly: the others wait for it
                return OpenAiFake.error(500, "server_error", null, "down").newBuilder()
                        .headersDelay(800, TimeUnit.MILLISECONDS).build();
            }
        });
        try (TestGateway a = gateway(""); TestGateway b = gateway("");
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> holder = pool.submit(() -> a.post("/v1/chat/completions",
                    chat("outage"), "Authorization", AUTH));
            assertThat(upstream.takeRequest(5, TimeUnit.SECONDS)).as("a holds the fill lock").isNotNull();
            List<Future<HttpResponse<String>>> waiting = new ArrayList<>();
            for (TestGateway gw : List.of(b, b, a)) { // two waiters on one replica, one on the holder's
                waiting.add(pool.submit(() -> gw.post("/v1/chat/completions", chat("outage"), "Authorization",
                        AUTH)));
            }

            List<Integer> statuses = new ArrayList<>(List.of(holder.get(30, TimeUnit.SECONDS).statusCode()));
            for (Future<HttpResponse<String>> f : waiting) {
                statuses.add(f.get(30, TimeUnit.SECONDS).statusCode());
            }

            assertThat(statuses).containsExactly(502, 502, 502, 502);
            // each waiter calling, on both replicas, would multiply the load on a provider already failing
            assertThat(calls.get()).as("the holder's call only").isEqualTo(1);
            assertThat(fillLocks()).as("no lock left").isEmpty();
        }
    }

    @Test
    void givenModelBudgetsInRedis_whenAFallbackAnswers_thenTheModelThatAnsweredIsCharged() {
        SharedRedis.requireRunning();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return request.getBody().utf8().contains("\"gpt-4o-mini\"")
                        ? OpenAiFake.error(500, "server_error", null, "primary down")
                        : OpenAiFake.completion("backup-model", "from the backup", 5, 1000);
            }
        });
        String base = upstream.url("/v1").toString().replaceAll("/$", "");
        String yaml = """
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "10.00", output: "10.00"}}
                  - {name: backup, provider: openai-compatible, model: backup-model, base_url: %s,
                     price: {input: "1.00", output: "1.00"}}
                defaults:
                  retry: {max_retries: 0}
                pipelines:
                  fast: {fallbacks: [backup]}
                budgets:
                  - {name: per-model, scope: model, window: day, limit: "5.00", on_exhausted: reject}
                redis: {url: "${REDIS_URL}", key_prefix: "%s"}
                """.formatted(base, base, prefix);
        try (TestGateway gw = new TestGateway(yaml, Map.of("MASTER", MASTER, "REDIS_URL", redisUrl), ledger,
                alert -> { })) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", chat("fall back"), "Authorization", AUTH);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");

            JsonNode budgets = TestGateway.json(gw.get("/v1/budgets", "Authorization", AUTH).body()).path("data");
            Map<String, String> spent = new java.util.TreeMap<>();
            Map<String, String> reserved = new java.util.TreeMap<>();
            budgets.forEach(b -> {
                spent.put(b.path("scope_value").asText(), b.path("spent").asText());
                reserved.put(b.path("scope_value").asText(), b.path("reserved").asText());
            });
            // 5 input + 1000 output tokens at $1/M each
            assertThat(spent).containsExactlyInAnyOrderEntriesOf(Map.of("fast", "0", "backup", "0.001005"));
            assertThat(reserved).containsExactlyInAnyOrderEntriesOf(Map.of("fast", "0", "backup", "0"));
        }
    }

    @Test
    void givenFailingUpstream_whenCompletionAndStreamFail_thenNoFillLockIsLeftForOtherReplicasToWaitOn() {
        SharedRedis.requireRunning();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.error(500, "server_error", null, "The server had an error");
            }
        });
        try (TestGateway a = gateway("")) {
            HttpResponse<String> plain = a.post("/v1/chat/completions", chat("fails"), "Authorization", AUTH);
            HttpResponse<String> streamed = a.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"fails too\"}]}", "Authorization", AUTH);

            assertThat(plain.statusCode()).isEqualTo(502);
            assertThat(streamed.statusCode()).isEqualTo(502);
            assertThat(upstream.getRequestCount()).isEqualTo(2);
            assertThat(fillLocks()).isEmpty();
        }
    }

    @Test
    void givenKeyWithRpm5_whenRequestsAlternateBetweenGateways_thenTheSixthIsRefused() {
        SharedRedis.requireRunning();
        try (TestGateway a = gateway(""); TestGateway b = gateway("")) {
            List<Integer> statuses = new ArrayList<>();
            List<String> remaining = new ArrayList<>();
            List<HttpResponse<String>> refused = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                TestGateway gw = i % 2 == 0 ? a : b;
                HttpResponse<String> res = gw.post("/v1/chat/completions", chat("q" + i), "Authorization",
                        "Bearer sk-limited");
                statuses.add(res.statusCode());
                res.headers().firstValue("x-ratelimit-remaining-requests").ifPresent(remaining::add);
                if (res.statusCode() == 429) {
                    refused.add(res);
                }
            }

            assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
            assertThat(remaining).as("counted across both replicas, refusals included")
                    .containsExactly("4", "3", "2", "1", "0", "0", "0", "0");
            assertThat(upstream.getRequestCount()).isEqualTo(5);
            // the first request leaves the shared minute 60 s after its second began: the test takes far less
            HttpResponse<String> first = refused.getFirst();
            assertThat(Long.parseLong(first.headers().firstValue("retry-after").orElseThrow())).isBetween(45L, 60L);
            assertThat(TestGateway.json(first.body()).at("/error/message").asText())
                    .startsWith("the key 'limited' is over its limit (rpm 5); retry after ");
        }
    }

    @Test
    void givenRedisDownAndKeyWithRpm5_whenThisReplicasShareIsUsed_thenHeadersAnd429SayItIsTheReplicasShare()
            throws Exception {
        try (OwnRedisServer server = OwnRedisServer.start()) {
            redisUrl = server.url();
            server.stop();
            try (TestGateway down = gateway("")) {
                List<HttpResponse<String>> answers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    answers.add(down.post("/v1/chat/completions", chat("q" + i), "Authorization", "Bearer sk-limited"));
                }

                // local_share 0.5 of rpm 5 is 2 a minute on this replica; the first leaves its minute 60 s on
                assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(200, 200, 429);
                HttpResponse<String> refused = answers.getLast();
                assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
                        .isBetween(45L, 60L);
                // the headers count against this replica's share, which is what admits or refuses meanwhile
                assertThat(answers).extracting(a -> a.headers().firstValue("x-ratelimit-limit-requests").orElse(""))
                        .containsOnly("2");
                assertThat(answers).extracting(a -> a.headers().firstValue("x-ratelimit-remaining-requests")
                        .orElse("")).containsExactly("1", "0", "0");
                assertThat(TestGateway.json(refused.body()).at("/error/message").asText())
                        .startsWith("the key 'limited' is over this replica's share of its limit (rpm 2 of 5), as"
                                + " Redis, which replicas share the limit through, is unreachable; retry after ");
            }
        }
    }

    @Test
    void givenKeyWithTpm_whenTheSharedMinuteRefusesTokens_thenThe429NamesTpmOnlyAndWaitsForTheMinute() {
        SharedRedis.requireRunning();
        String keys = """
                  - {id: tokens, key_sha256: %s, rpm: 100, tpm: 1500}
                """.formatted(ConfigLoader.sha256Hex("sk-tokens"));
        try (TestGateway a = gateway(keys, ""); TestGateway b = gateway(keys, "")) {
            // each request estimates its prompt plus max_tokens 1000: a second one passes 1500 tokens a minute
            assertThat(a.post("/v1/chat/completions", chat("one"), "Authorization", "Bearer sk-tokens")
                    .statusCode()).isEqualTo(200);
            HttpResponse<String> refused = b.post("/v1/chat/completions", chat("two"), "Authorization",
                    "Bearer sk-tokens");

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
                    .isBetween(45L, 60L);
            assertThat(TestGateway.json(refused.body()).at("/error/message").asText())
                    .startsWith("the key 'tokens' is over its limit (tpm 1500); retry after ");
        }
    }

    @Test
    void givenRedisDown_whenBothGatewaysSpend_thenEachStaysWithinItsLocalShareAndTheLedgerRebuildsTheCounter()
            throws Exception {
        try (OwnRedisServer server = OwnRedisServer.start()) {
            redisUrl = server.url();
            String budget = """
                    budgets:
                      - name: daily
                        window: day
                        limit: "0.05"
                    """;
            try (TestGateway a = gateway(budget); TestGateway b = gateway(budget)) {
                server.stop();
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    TestGateway gw = i < 5 ? a : b;
                    statuses.add(gw.post("/v1/chat/completions", chat("q" + i), "Authorization", AUTH,
                            "Cache-Control", "no-cache").statusCode());
                }

                // a: local_share 0.5 of $0.05 is $0.025, two calls reserving $0.01008 each, not three; b falls back
                // after them and starts from the $0.0201 in the ledger: half of the $0.0299 left is one call
                assertThat(statuses).containsExactly(200, 200, 429, 429, 429, 200, 429, 429, 429, 429);
                assertThat(ledgerTotal()).isEqualTo(Money.of("0.03015"));
                assertThat(bothDown.await(10, TimeUnit.SECONDS)).isTrue();

                server.restart(); // empty: no persistence
                assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();
                JsonNode counters = TestGateway.json(b.get("/v1/budgets", "Authorization", AUTH).body());
                assertThat(Money.of(counters.at("/data/0/spent").asText())).isEqualTo(Money.of("0.03015"));
                HttpResponse<String> fits = a.post("/v1/chat/completions", chat("after"), "Authorization", AUTH);
                assertThat(fits.statusCode()).isEqualTo(200); // the whole limit is shared again
                HttpResponse<String> refused = a.post("/v1/chat/completions", chat("last"), "Authorization", AUTH);
                assertThat(refused.statusCode()).isEqualTo(429); // 0.0402 spent + 0.01008 would pass 0.05
            }
        }
    }

    @Test
    void givenRedisStoppedMidTest_whenRequestsArrive_thenServedOnLocalStateAndSharingResumesAfterRestart()
            throws Exception {
        try (OwnRedisServer server = OwnRedisServer.start()) {
            redisUrl = server.url();
            String budget = """
                    budgets:
                      - name: monthly
                        limit: "100"
                    """;
            try (TestGateway a = gateway(budget); TestGateway b = gateway(budget)) {
                assertThat(cacheHeader(a.post("/v1/chat/completions", chat("before"), "Authorization", AUTH)))
                        .isEqualTo("miss");
                assertThat(cacheHeader(b.post("/v1/chat/completions", chat("before"), "Authorization", AUTH)))
                        .isEqualTo("hit");

                server.stop();
                for (TestGateway gw : List.of(a, b)) { // the first call on each notices the outage
                    HttpResponse<String> noticing = gw.post("/v1/chat/completions", chat("notice"), "Authorization",
                            AUTH);
                    assertThat(noticing.statusCode()).isEqualTo(200);
                    assertThat(cacheHeader(noticing)).isEqualTo("bypass");
                }
                assertThat(bothDown.await(10, TimeUnit.SECONDS)).isTrue();
                HttpResponse<String> viaA = a.post("/v1/chat/completions", chat("during"), "Authorization", AUTH);
                HttpResponse<String> viaB = b.post("/v1/chat/completions", chat("during"), "Authorization", AUTH);
                assertThat(List.of(viaA.statusCode(), viaB.statusCode())).containsOnly(200);
                assertThat(List.of(cacheHeader(viaA), cacheHeader(viaB))).containsOnly("bypass");
                // a response stored during the outage stays in this replica's memory and can be continued there
                String stored = TestGateway.json(a.post("/v1/responses", "{\"model\": \"fast\", \"input\": \"hi\"}",
                        "Authorization", AUTH).body()).path("id").asText();
                HttpResponse<String> continued = a.post("/v1/responses", "{\"model\": \"fast\", "
                        + "\"previous_response_id\": \"" + stored + "\", \"input\": \"again\"}", "Authorization", AUTH);
                assertThat(continued.statusCode()).as(continued.body()).isEqualTo(200);
                HttpResponse<String> ready = a.get("/ready");
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(TestGateway.json(ready.body()).get("redis").asText()).startsWith("degraded");
                assertThat(alerts).extracting(Alert::rule).contains("redis-unavailable");

                server.restart();
                assertThat(bothBack.await(20, TimeUnit.SECONDS)).isTrue();
                HttpResponse<String> afterA = a.post("/v1/chat/completions", chat("after"), "Authorization", AUTH);
                HttpResponse<String> afterB = b.post("/v1/chat/completions", chat("after"), "Authorization", AUTH);

                assertThat(cacheHeader(afterA)).isEqualTo("miss");
                assertThat(cacheHeader(afterB)).isEqualTo("hit");
                assertThat(TestGateway.json(b.get("/ready").body()).get("redis").asText()).startsWith("ok");
                // Redis came back empty: the counters were rebuilt from the ledger, then the new call settled
                JsonNode counters = TestGateway.json(a.get("/v1/budgets", "Authorization", AUTH).body());
                assertThat(Money.of(counters.at("/data/0/spent").asText())).isEqualTo(ledgerTotal());
            }
        }
    }

    /** A ledger row of {@code cost} for a call with {@code tags}, as another replica wrote it. */
    private void spentEarlier(String cost, Map<String, String> tags) {
        ledger.append(new CostRecord("earlier", 1, java.time.Instant.now(), "fast", "fast", "openai",
                dev.costwise.llm.chat.Usage.of(5, 1000), Money.of(cost), Money.of(cost),
                dev.costwise.llm.cost.PriceStatus.PRICED, Outcome.SUCCESS, java.util.Optional.empty(),
                java.util.Optional.empty(), Duration.ZERO, tags));
    }

    @Test
    void givenSpendInTheLedger_whenAReplicaStartsWithRedisUnreachable_thenItsLocalShareCountsThatSpend()
            throws Exception {
        String keys = """
                  - {id: r1, key_sha256: %s, tags: {team: red}}
                  - {id: b1, key_sha256: %s, tags: {team: blue}}
                """.formatted(ConfigLoader.sha256Hex("sk-r1"), ConfigLoader.sha256Hex("sk-b1"));
        String budget = """
                budgets:
                  - {name: per-team, scope: team, window: day, limit: "0.08"}
                """;
        spentEarlier("0.070175", Map.of("key", "r1", "team", "red")); // spent through healthy replicas
        try (OwnRedisServer server = OwnRedisServer.start()) {
            redisUrl = server.url();
            server.stop(); // this replica never reaches Redis
            try (TestGateway down = gateway(keys, budget)) {
                assertThat(TestGateway.json(down.get("/ready").body()).get("redis").asText()).startsWith("degraded");

                HttpResponse<String> red = down.post("/v1/chat/completions", chat("red"), "Authorization",
                        "Bearer sk-r1", "Cache-Control", "no-cache");
                HttpResponse<String> blue = down.post("/v1/chat/completions", chat("blue"), "Authorization",
                        "Bearer sk-b1", "Cache-Control", "no-cache");

                // red: $0.009825 left of $0.08, half of it is this replica's; blue: half of $0.08 fits $0.01008
                assertThat(red.statusCode()).as(red.body()).isEqualTo(429);
                assertThat(TestGateway.json(red.body()).at("/error/budget").asText()).isEqualTo("per-team");
                assertThat(blue.statusCode()).as(blue.body()).isEqualTo(200);
                JsonNode listed = TestGateway.json(down.get("/v1/budgets", "Authorization", AUTH).body());
                Map<String, Money> spent = new java.util.HashMap<>();
                listed.get("data").forEach(b -> spent.put(b.get("scope_value").asText(),
                        Money.of(b.get("spent").asText())));
                assertThat(spent).containsEntry("red", Money.of("0.070175")).containsEntry("blue",
                        Money.of("0.01005"));
            }
        }
    }

    @Test
    void givenSpendThroughBothReplicas_whenRedisDropsMidRun_thenTheLocalShareIsOfWhatTheLedgerLeft()
            throws Exception {
        try (OwnRedisServer server = OwnRedisServer.start()) {
            redisUrl = server.url();
            String budget = """
                    budgets:
                      - {name: daily, window: day, limit: "0.03"}
                    """;
            try (TestGateway a = gateway(budget); TestGateway b = gateway(budget)) {
                for (TestGateway gw : List.of(a, b)) {
                    assertThat(gw.post("/v1/chat/completions", chat("before"), "Authorization", AUTH,
                            "Cache-Control", "no-cache").statusCode()).isEqualTo(200);
                }
                server.stop();

                HttpResponse<String> during = a.post("/v1/chat/completions", chat("during"), "Authorization", AUTH,
                        "Cache-Control", "no-cache");

                // $0.0201 spent of $0.03: half of the $0.0099 left is $0.00495, less than the $0.01008 reserved
                assertThat(during.statusCode()).as(during.body()).isEqualTo(429);
                assertThat(ledgerTotal()).isEqualTo(Money.of("0.0201"));
                JsonNode counters = TestGateway.json(a.get("/v1/budgets", "Authorization", AUTH).body());
                assertThat(Money.of(counters.at("/data/0/spent").asText())).isEqualTo(Money.of("0.0201"));
            }
        }
    }
}
