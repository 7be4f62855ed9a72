package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} shows spend per model: open by default (Prometheus scrape configs expect it), and for the master
 * key or a metrics key only with {@code server.metrics_auth: master_key}.
 */
class MetricsAccessEndToEndTest {
    private static final String MASTER = "sk-master-0123456789abcdef";
    private static final String SCRAPE = "prometheus-0123456789abcdef";

    private static List<String> problemsOf(String yaml, Map<String, String> env) {
        return ((ConfigException) assertThatThrownBy(() -> new ConfigLoader(env::get).parse(yaml, "c.yaml"))
                .isInstanceOf(ConfigException.class).actual()).problems();
    }

    @Test
    void givenNoMetricsSetting_whenScrapedWithoutAKey_thenServed() {
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models: [{name: m, provider: sim}]
                """, Map.of("MASTER", MASTER))) {
            HttpResponse<String> res = gw.get("/metrics");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("costwise_ledger_failures_total");
        }
    }

    @Test
    void givenMetricsNeedAKey_whenScraped_thenOnlyTheMasterKeyOrTheMetricsKeyReadsThem() {
        try (TestGateway gw = new TestGateway("""
                server: {metrics_auth: master_key, metrics_key: "${SCRAPE}"}
                master_key: ${MASTER}
                models: [{name: m, provider: sim}]
                """, Map.of("MASTER", MASTER, "SCRAPE", SCRAPE))) {
            String virtual = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"app\"}", "Authorization",
                    "Bearer " + MASTER).body()).get("key").asText();

            HttpResponse<String> none = gw.get("/metrics");
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(TestGateway.json(none.body()).at("/error/message").asText())
                    .contains("/metrics needs the master key or server.metrics_key");
            assertThat(none.body()).doesNotContain("costwise_ledger_failures_total");
            assertThat(gw.get("/metrics", "Authorization", "Bearer " + virtual).statusCode()).isEqualTo(401);
            assertThat(gw.get("/metrics", "Authorization", "Bearer " + SCRAPE + "x").statusCode()).isEqualTo(401);

            assertThat(gw.get("/metrics", "Authorization", "Bearer " + MASTER).statusCode()).isEqualTo(200);
            assertThat(gw.get("/metrics", "Authorization", "Bearer " + SCRAPE).body())
                    .contains("costwise_ledger_failures_total");
            assertThat(gw.get("/v1/spend", "Authorization", "Bearer " + SCRAPE).statusCode())
                    .as("the metrics key opens nothing else").isEqualTo(401);
        }
    }

    @Test
    void givenMetricsSettingsThatCannotWork_whenLoaded_thenEachIsRefusedWithItsPath() {
        assertThat(problemsOf("""
                server: {metrics_auth: master_key}
                models: [{name: m, provider: sim}]
                """, Map.of())).containsExactly("server.metrics_auth: master_key needs a master key (master_key, "
                + "or COSTWISE_MASTER_KEY) or server.metrics_key: without one nothing could read /metrics");
        assertThat(problemsOf("""
                server: {metrics_key: "${SCRAPE}"}
                models: [{name: m, provider: sim}]
                """, Map.of("SCRAPE", SCRAPE))).containsExactly(
                "server.metrics_key: is only used with metrics_auth: master_key; /metrics is open");
        assertThat(problemsOf("""
                server: {metrics_auth: always, metrics_key: short}
                models: [{name: m, provider: sim}]
                """, Map.of())).containsExactly("server.metrics_auth: expected open (anyone may read /metrics) or "
                + "master_key (it needs the master key or server.metrics_key), was 'always'");
        assertThat(problemsOf("""
                server: {metrics_auth: master_key, metrics_key: short}
                models: [{name: m, provider: sim}]
                """, Map.of())).containsExactly("server.metrics_key: must be at least 16 characters, was 5");
    }
}
