package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.replay.ReplayResult;
import java.math.BigDecimal;
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

    /**
     * What the gateway served from its cache, and billed.
     *
     * @param hits whether each request was a hit
     * @param billed what it billed in all
     */
    private record Served(List<Boolean> hits, BigDecimal billed) {}

    /**
     * Sends {@code trace} to a gateway running {@code config}'s {@code pipeline} and replays it through the same,
     * checking that the replay's hits and cost are the gateway's.
     *
     * @return what the gateway served from its cache, and billed
     */
    private Served atBothEnds(String config, String pipeline, List<String> trace) throws Exception {
        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, pipeline, trace);
            ReplayResult replay = parity.replayed(config, pipeline, trace, dir);
            Served served = new Served(gateway.stream().map(a -> a.cache().equals("hit")).toList(),
                    GatewayParity.billed(gateway));

            assertThat(replay.after().outcomes()).extracting(RequestOutcome::cacheHit).isEqualTo(served.hits());
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(served.billed());
            return served;
        }
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
        Served gateway = atBothEnds(config, "auto", List.of(line("", "same"), line("", "same"), line("", "other"),
                line("", "same")));

        assertThat(gateway.hits()).containsExactly(false, true, false, true);
        assertThat(gateway.billed()).isEqualByComparingTo("0.0015");
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

        Served gateway = atBothEnds(config, "auto", trace);

        assertThat(gateway.hits()).containsExactly(false, true, false, false, true, true, false, true, true, false,
                false, false, false, false, true, true);
        assertThat(gateway.billed()).isEqualByComparingTo("0.00675");
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

        assertThat(atBothEnds(config, "auto", trace).hits()).containsExactly(false, false, true);
        assertThat(atBothEnds(config, "shared", trace).hits()).containsExactly(false, true, true);
    }

    /**
     * The gateway lowers a request's reasoning to its pipeline's {@code max_reasoning_effort} (the pipeline's, else
     * the defaults') before it takes the cache key, so under a {@code low} cap requests asking for {@code high},
     * {@code medium} and {@code low} share one entry (and so do OpenRouter-style {@code reasoning} objects asking for
     * more than the cap), while one asking for less ({@code minimal}) or for nothing has its own. Under a
     * {@code high} cap the same lines are all different requests but the repeat. The replay predicts those hits.
     */
    @Test
    void givenAReasoningCap_whenRequestsDifferOnlyInAnEffortAboveIt_thenThePlannerCountsTheGatewaysSharedEntries()
            throws Exception {
        String config = """
                models:
                  - {name: gpt-5.1, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                defaults:
                  max_reasoning_effort: low
                pipelines:
                  auto: {default_route: gpt-5.1}
                  deep: {default_route: gpt-5.1, max_reasoning_effort: high}
                """;
        List<String> efforts = List.of(", \"reasoning_effort\": \"high\"", ", \"reasoning_effort\": \"medium\"",
                ", \"reasoning_effort\": \"low\"", "", ", \"reasoning_effort\": \"minimal\"",
                ", \"reasoning\": {\"effort\": \"high\"}", ", \"reasoning\": {\"effort\": \"medium\"}",
                ", \"reasoning_effort\": \"high\"");
        List<String> trace = new java.util.ArrayList<>();
        for (int i = 0; i < efforts.size(); i++) {
            trace.add(("{\"timestamp\": \"2026-11-28T22:%02d:00Z\", \"request\": {\"model\": \"gpt-5.1\", "
                    + "\"messages\": [{\"role\": \"user\", \"content\": \"think P=100 C=50\"}]%s}, "
                    + "\"usage\": {\"prompt_tokens\": 100, \"completion_tokens\": 50}}").formatted(10 + i,
                    efforts.get(i)));
        }

        assertThat(atBothEnds(config, "auto", trace).hits())
                .containsExactly(false, true, true, false, false, false, true, true);
        assertThat(atBothEnds(config, "deep", trace).hits())
                .containsExactly(false, false, false, false, false, false, false, true);
    }
}
