package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A cache hit is measured against the same baseline as the call that filled it: on a router with a baseline, the hit
 * saves the whole baseline price, not only what the cheaper model cost, and the stream says what the ledger says. The
 * cache's metric counts its own saving, the call the hit replaced, as its help text and docs/gateway.md say.
 */
class CacheHitSavingsEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: gpt-4o, provider: openai, base_url: %1$s/v1}
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s/v1}
                pipelines:
                  router:
                    routes:
                      - {name: short, model: gpt-4o-mini, when: {max_chars: 60}}
                    default_route: gpt-4o
                    baseline: gpt-4o
                    cache: {enabled: true}
                """.formatted(TestGateway.baseUrl(upstream)));
    }

    @Test
    void givenARouterWithABaseline_whenAnAnswerComesFromTheCache_thenTheHitSavesTheBaselinePrice() {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "hi", 1000, 200));
        try (TestGateway gw = gateway()) {
            gw.post("/v1/chat/completions", TestGateway.chat("router", "short question"));
            String stream = gw.post("/v1/chat/completions", "{\"model\":\"router\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"short question\"}]}").body();

            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.SUCCESS, Outcome.CACHE_HIT);
            // gpt-4o: 1000 × $2.50 + 200 × $10 per 1M = $0.0045; the miss paid gpt-4o-mini's $0.00027
            Money baseline = Money.of("0.0045");
            assertThat(rows.get(0).baselineCost()).isEqualTo(baseline);
            assertThat(rows.get(1).baselineCost()).isEqualTo(baseline);
            assertThat(rows.get(1).cost()).isEqualTo(Money.ZERO);
            JsonNode usageChunk = null;
            for (String line : stream.split("\n")) {
                if (line.startsWith("data: {") && line.contains("\"costwise\"")) {
                    usageChunk = TestGateway.json(line.substring(6));
                }
            }
            assertThat(usageChunk).isNotNull();
            assertThat(Money.of(usageChunk.at("/costwise/savings").asText())).isEqualTo(baseline);
            assertThat(upstream.getRequestCount()).isEqualTo(1);

            // the metric is the cache's own saving, the call the hit replaced: gpt-4o-mini's price, not gpt-4o's
            String metrics = gw.get("/metrics").body();
            assertThat(metrics).contains("# HELP costwise_cache_saved_dollars_total What cache hits saved: the price"
                    + " of the calls they replaced, in dollars (/v1/spend measures a hit against the pipeline's"
                    + " baseline instead)\n");
            String saved = metrics.lines()
                    .filter(l -> l.startsWith("costwise_cache_saved_dollars_total{model=\"router\"}")).findFirst()
                    .orElseThrow();
            assertThat(Double.parseDouble(saved.substring(saved.lastIndexOf(' ') + 1)))
                    .isEqualTo(rows.get(0).cost().toBigDecimal().doubleValue()).isEqualTo(0.00027);
        }
    }
}
