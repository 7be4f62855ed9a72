package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.CacheScope;
import dev.costwise.gateway.config.GatewayConfig.CacheSettings;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WindowsAndCacheTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final ObjectMapper json = new ObjectMapper();

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void givenRpmReached_whenTheOldestRequestLeavesTheMinute_thenANewOneIsAdmitted() {
        RateWindow w = new RateWindow(ticker);
        assertThat(w.tryAcquire(2, 0, 10).retryAfter()).isEmpty();
        advance(Duration.ofSeconds(30));
        RateWindow.Admission second = w.tryAcquire(2, 0, 10);
        assertThat(second.retryAfter()).isEmpty();
        assertThat(second.requests()).as("counted, this one included").isEqualTo(2);
        assertThat(second.tokens()).isEqualTo(20);

        assertThat(w.tryAcquire(2, 0, 10).retryAfter()).hasValue(Duration.ofSeconds(30));
        advance(Duration.ofSeconds(31));
        assertThat(w.tryAcquire(2, 0, 10).requests()).as("the first left the minute").isEqualTo(2);
    }

    @Test
    void givenTpm_whenActualUsageIsLowerThanEstimated_thenTheCorrectionFreesTokens() {
        RateWindow w = new RateWindow(ticker);
        assertThat(w.tryAcquire(0, 1000, 900).admitted()).isTrue();
        assertThat(w.tryAcquire(0, 1000, 200).admitted()).isFalse();

        w.correct(900, 100);

        assertThat(w.tryAcquire(0, 1000, 200).tokens()).isEqualTo(300);
    }

    @Test
    void givenCachedAnswer_whenTtlPasses_thenItIsGone_andKeysIgnoreStreamAndFieldOrder() throws Exception {
        ResponseCacheStore cache = new ResponseCacheStore(json, ticker);
        CacheSettings settings = new CacheSettings(true, CacheScope.KEY, Duration.ofMinutes(5), 100);
        ObjectNode a = (ObjectNode) json.readTree("{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"stream\":true,\"user\":\"u1\"}");
        ObjectNode b = (ObjectNode) json.readTree("{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}],"
                + "\"temperature\":0,\"model\":\"m\"}");
        ObjectNode c = (ObjectNode) json.readTree("{\"model\":\"m\",\"temperature\":1,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        String key = cache.key(settings, "m", "k1", a);

        assertThat(cache.key(settings, "m", "k1", b)).isEqualTo(key);
        assertThat(cache.key(settings, "m", "k1", c)).isNotEqualTo(key);
        assertThat(cache.key(settings, "m", "k2", a)).isNotEqualTo(key);

        cache.put("m", settings, key, new ResponseCacheStore.Entry(new byte[] {1}, Usage.of(1, 1), "m",
                Money.of("0.01"), "default"));
        advance(Duration.ofMinutes(4));
        assertThat(cache.get("m", settings, key)).isPresent();
        advance(Duration.ofMinutes(2));
        assertThat(cache.get("m", settings, key)).isEmpty();
    }

    @Test
    void givenAVirtualKeyWhoseIdIsMaster_whenItsRequestIsKeyed_thenItsScopeIsNotTheMasterKeys() throws Exception {
        ResponseCacheStore cache = new ResponseCacheStore(json, ticker);
        CacheSettings perKey = new CacheSettings(true, CacheScope.KEY, Duration.ofMinutes(5), 100);
        ObjectNode body = (ObjectNode) json.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        Caller keyNamedMaster = Caller.of(new VirtualKey("master", "tenant", List.of(), Optional.empty(),
                BudgetWindow.MONTH, Optional.empty(), Optional.empty(), Map.of(), Instant.EPOCH, Optional.empty(),
                false, Optional.empty()));

        assertThat(cache.key(perKey, "m", keyNamedMaster.cacheScope(), body))
                .isNotEqualTo(cache.key(perKey, "m", Caller.MASTER.cacheScope(), body))
                .isNotEqualTo(cache.key(perKey, "m", Caller.ANONYMOUS.cacheScope(), body));
    }

    @Test
    void givenByteBudget_whenCachesOfEveryPipelineFillIt_thenNewAnswersAreNotCachedUntilExpiryFreesRoom() {
        // Each entry weighs body + key + 200 bytes; the budget holds two 1,000-byte answers, not three.
        ResponseCacheStore cache = new ResponseCacheStore(json, ticker, java.util.Optional.empty(), 2_500,
                new UncachedAnswers(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), ticker));
        CacheSettings settings = new CacheSettings(true, CacheScope.KEY, Duration.ofMinutes(5), 100);
        ResponseCacheStore.Entry answer = new ResponseCacheStore.Entry(new byte[1000], Usage.of(1, 1), "m",
                Money.of("0.01"), "default");

        cache.put("a", settings, "k1", answer);
        cache.put("b", settings, "k2", answer); // another pipeline, same budget
        cache.put("c", settings, "k3", answer);

        assertThat(cache.get("a", settings, "k1")).isPresent();
        assertThat(cache.get("b", settings, "k2")).isPresent();
        assertThat(cache.get("c", settings, "k3")).isEmpty();
        assertThat(cache.rejectedForMemory()).isEqualTo(1);
        assertThat(cache.memoryUsed()).isEqualTo(2 * (1000 + 2 + 200));

        cache.put("a", settings, "k1", answer); // replacing an entry does not count it twice
        assertThat(cache.memoryUsed()).isEqualTo(2 * (1000 + 2 + 200));

        advance(Duration.ofMinutes(6)); // nobody reads "a" or "b" again: their expired entries still give room
        cache.put("c", settings, "k3", answer);
        assertThat(cache.get("c", settings, "k3")).isPresent();
        assertThat(cache.memoryUsed()).isEqualTo(1000 + 2 + 200);
    }
}
