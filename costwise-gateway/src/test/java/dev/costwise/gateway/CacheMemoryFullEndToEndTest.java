package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A full response cache says so: new answers it cannot keep are counted by reason in {@code /metrics} and the log
 * says why at most every five minutes, instead of every repeat silently being a paid miss. The provider is faked by
 * MockWebServer in OpenAI's wire format (https://platform.openai.com/docs/api-reference/chat/object).
 */
class CacheMemoryFullEndToEndTest {
    private static final String MASTER = "master-secret-123";
    private static final String AUTH = "Bearer " + MASTER;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void givenCacheMemoryFull_whenNewAnswersArrive_thenEachIsCountedAndTheLogSaysWhyOncePerInterval() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.completion("gpt-4o-mini", "x".repeat(1500), 5, 500);
            }
        });
        // Each answer weighs about 2.2 KB (its body, its key and 200 bytes): 3 KB hold one, not two.
        String yaml = """
                master_key: ${MASTER}
                server: {cache_memory: 3KB}
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s,
                     price: {input: "1.00", output: "1.00"}}
                """.formatted(TestGateway.baseUrl(upstream) + "/v1");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        List<String> cache = new ArrayList<>();
        String metrics;
        try (TestGateway gw = new TestGateway(yaml, Map.of("MASTER", MASTER), nanos::get)) {
            for (String prompt : List.of("q1", "q2", "q3", "q1", "q3")) {
                cache.add(gw.post("/v1/chat/completions", TestGateway.chat("fast", prompt), "Authorization", AUTH)
                        .headers().firstValue("x-costwise-cache").orElse("(none)"));
            }
            nanos.addAndGet(Duration.ofMinutes(5).toNanos());
            cache.add(gw.post("/v1/chat/completions", TestGateway.chat("fast", "q4"), "Authorization", AUTH)
                    .headers().firstValue("x-costwise-cache").orElse("(none)"));
            metrics = gw.get("/metrics").body();
        } finally {
            System.setErr(original);
        }

        assertThat(cache).containsExactly("miss", "miss", "miss", "hit", "miss", "miss");
        assertThat(metrics).contains("costwise_cache_not_stored_total{reason=\"memory_full\"} 4.0\n");
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("response cache full")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("(server.cache_memory)").contains("(1 answer(s) not cached");
        assertThat(lines.get(1)).as("the three left out since the first line").contains("(3 answer(s) not cached");
    }
}
