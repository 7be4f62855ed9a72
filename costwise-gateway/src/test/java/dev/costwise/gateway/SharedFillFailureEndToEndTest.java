package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.redis.SharedRedis;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Identical requests on several replicas that wait, through Redis, for one request's cache fill while its provider
 * keeps failing: they answer with the fill's failure instead of each retrying the failing provider again, so the
 * provider sees one request's calls, not one per replica. The provider is faked by MockWebServer in OpenAI's error
 * wire format (https://platform.openai.com/docs/guides/error-codes). Needs Redis on 127.0.0.1:6379 (skipped without
 * it, failed under CI=true).
 */
class SharedFillFailureEndToEndTest {
    private static final String MASTER = "master-secret-123";
    private static final String AUTH = "Bearer " + MASTER;
    private static final String REQUEST = TestGateway.chat("fast", "hello");

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final String prefix = SharedRedis.randomPrefix();

    @AfterEach
    void deleteKeys() {
        SharedRedis.deleteAll(SharedRedis.URL, prefix);
    }

    /** A replica retrying twice, without a circuit breaker, so that only the sharing bounds the calls. */
    private TestGateway replica() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "1.00", output: "1.00"}, circuit_breaker: off}
                defaults:
                  retry: {max_retries: 2}
                redis: {url: "%s", key_prefix: "%s", timeout: 2s}
                """.formatted(TestGateway.baseUrl(upstream), SharedRedis.URL, prefix), Map.of("MASTER", MASTER));
    }

    /** Waits, without sleeping, until {@code done} holds; fails after 30 s. */
    private static void spinUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in 30 s");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void givenWaitersOnThreeReplicas_whenTheFillFailsAfterItsRetries_thenTheyShareItsFailureAndCallNoFurther()
            throws Exception {
        SharedRedis.requireRunning();
        CountDownLatch holderCalling = new CountDownLatch(1);
        CountDownLatch waitersWaiting = new CountDownLatch(1);
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (holderCalling.getCount() > 0) {
                    holderCalling.countDown();
                    waitersWaiting.await(30, TimeUnit.SECONDS); // the first call fails only once all wait for it
                }
                return OpenAiFake.error(500, "server_error", null, "The server had an error");
            }
        });
        List<TestGateway> replicas = List.of(replica(), replica(), replica(), replica());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            answers.add(pool.submit(() -> replicas.getFirst().post("/v1/chat/completions", REQUEST,
                    "Authorization", AUTH)));
            assertThat(holderCalling.await(30, TimeUnit.SECONDS)).as("the fill's first call").isTrue();
            for (TestGateway waiter : replicas.subList(1, 4)) {
                long before = waiter.gateway.redisRoundTrips().orElseThrow();
                answers.add(pool.submit(() -> waiter.post("/v1/chat/completions", REQUEST, "Authorization", AUTH)));
                // a second lookup means the first found the fill locked: this replica's request waits for it
                spinUntil(() -> waiter.gateway.redisRoundTrips().orElseThrow() >= before + 2);
            }
            waitersWaiting.countDown();

            List<HttpResponse<String>> done = new ArrayList<>();
            for (Future<HttpResponse<String>> f : answers) {
                done.add(f.get(60, TimeUnit.SECONDS));
            }

            assertThat(done).extracting(HttpResponse::statusCode).containsOnly(502);
            assertThat(upstream.getRequestCount()).as("the fill's call and its two retries, and nothing more")
                    .isEqualTo(3);
            assertThat(done.subList(1, 4)).allSatisfy(res -> assertThat(res.body())
                    .contains("the identical request this one waited for failed upstream just now")
                    .contains("\"code\":\"upstream_error\""));
        } finally {
            replicas.forEach(TestGateway::close);
        }
    }
}
