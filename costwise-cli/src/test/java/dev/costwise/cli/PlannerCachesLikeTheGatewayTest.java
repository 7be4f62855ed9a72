package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.replay.ReplayResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner's response cache answers the requests the gateway's answers from its cache, no more and no fewer: the
 * same default settings, the same scope and the same key for a request.
 */
class PlannerCachesLikeTheGatewayTest {

    @TempDir
    Path dir;

    private static String line(String key, String content) {
        return "{\"timestamp\": \"2026-11-28T22:10:00Z\"" + (key.isEmpty() ? "" : ", \"key\": \"" + key + "\"")
                + ", \"request\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + content + " P=100 C=50\"}]}, \"usage\": {\"prompt_tokens\": 100, \"completion_tokens\": 50}}";
    }

    private static List<Boolean> hits(ReplayResult replay) {
        return replay.after().outcomes().stream().map(RequestOutcome::cacheHit).toList();
    }

    private static List<Boolean> hits(List<GatewayParity.Answer> gateway) {
        return gateway.stream().map(a -> a.cache().equals("hit")).toList();
    }

    /**
     * A configuration without a {@code cache} section: the gateway caches anyway (an hour, per key), so a repeated
     * request costs nothing the second and third time: 100 × $2.50 + 50 × $10 per 1M = $0.00075 for each of the two
     * different requests, $0.0015 in all.
     */
    @Test
    void givenNoCacheSection_whenARequestRepeats_thenThePlannerCountsTheGatewaysDefaultCacheHits() throws Exception {
        String config = """
                models:
                  - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                pipelines:
                  auto: {default_route: gpt-4o}
                """;
        List<String> trace = List.of(line("", "same"), line("", "same"), line("", "other"), line("", "same"));

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, "auto", trace);
            ReplayResult replay = parity.replayed(config, "auto", trace, dir);

            assertThat(hits(gateway)).containsExactly(false, true, false, true);
            assertThat(GatewayParity.billed(gateway)).isEqualByComparingTo("0.0015");
            assertThat(hits(replay)).isEqualTo(hits(gateway));
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
        }
    }

    /**
     * Sixteen forms of one request. The gateway's key is the body as written, without {@code user}, {@code metadata}
     * and the stream settings, so {@code "temperature": 0.0} after {@code 0}, content as text parts, {@code "name":
     * null} and {@code "n": 1} are misses there (billed again) as much as a new {@code seed} or {@code max_tokens}:
     * 9 of 16 are billed, 9 × $0.00075 = $0.00675, and the replay predicts exactly those.
     */
    @Test
    void givenOneRequestWrittenInSixteenWays_whenReplayed_thenTheHitsAreTheGatewaysOnly() throws Exception {
        String config = """
                models:
                  - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                defaults:
                  cache: {enabled: true, ttl: 1h}
                  retry: {max_retries: 0}
                pipelines:
                  auto: {default_route: gpt-4o}
                """;
        String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"cache probe P=100 C=50\"}]";
        List<String> variants = List.of("", "", ", \"temperature\": 0", ", \"temperature\": 0.0",
                ", \"user\": \"alice\"", ", \"user\": \"bob\"", ", \"max_tokens\": 500",
                ", \"max_tokens\": 500, \"stream\": false", ", \"metadata\": {\"a\": \"b\"}", ", \"seed\": 1",
                "PARTS", "NAME", ", \"n\": 1", ", \"top_p\": 1",
                ", \"stream\": true, \"stream_options\": {\"include_usage\": true}", ", \"stream\": true");
        List<String> trace = new java.util.ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            String v = variants.get(i);
            String m = switch (v) {
                case "PARTS" -> messages.replace("\"cache probe P=100 C=50\"",
                        "[{\"type\": \"text\", \"text\": \"cache probe P=100 C=50\"}]");
                case "NAME" -> messages.replace("C=50\"}", "C=50\", \"name\": null}");
                default -> messages + v;
            };
            trace.add("{\"timestamp\": \"2026-11-28T22:%02d:00Z\", \"request\": {\"model\": \"gpt-4o\", %s},"
                    .formatted(10 + i, m) + " \"usage\": {\"prompt_tokens\": 100, \"completion_tokens\": 50}}");
        }

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, "auto", trace);
            ReplayResult replay = parity.replayed(config, "auto", trace, dir);

            assertThat(hits(gateway)).containsExactly(false, true, false, false, true, true, false, true, true, false,
                    false, false, false, false, true, true);
            assertThat(GatewayParity.billed(gateway)).isEqualByComparingTo("0.00675");
            assertThat(hits(replay)).isEqualTo(hits(gateway));
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
        }
    }

    /**
     * By default each virtual key has its own entries: the same request from key a, then b, then a again is a miss,
     * a miss and a hit; a pipeline with {@code scope: shared} answers b from a's entry.
     */
    @Test
    void givenTwoKeys_whenTheySendTheSameRequest_thenEachHasItsOwnEntriesUnlessTheCacheIsShared() throws Exception {
        String config = """
                models:
                  - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                keys:
                  - {id: a, key: sk-a}
                  - {id: b, key: sk-b}
                pipelines:
                  auto: {default_route: gpt-4o}
                  shared: {default_route: gpt-4o, cache: {scope: shared}}
                """;
        List<String> trace = List.of(line("a", "same"), line("b", "same"), line("a", "same"));

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> perKey = parity.atTheGateway(config, "auto", trace);
            List<GatewayParity.Answer> shared = parity.atTheGateway(config, "shared", trace);
            ReplayResult perKeyReplay = parity.replayed(config, "auto", trace, dir);
            ReplayResult sharedReplay = parity.replayed(config, "shared", trace, dir);

            assertThat(hits(perKey)).containsExactly(false, false, true);
            assertThat(hits(shared)).containsExactly(false, true, true);
            assertThat(hits(perKeyReplay)).isEqualTo(hits(perKey));
            assertThat(hits(sharedReplay)).isEqualTo(hits(shared));
            assertThat(GatewayParity.metric(perKeyReplay, "after.total"))
                    .isEqualByComparingTo(GatewayParity.billed(perKey));
        }
    }
}
