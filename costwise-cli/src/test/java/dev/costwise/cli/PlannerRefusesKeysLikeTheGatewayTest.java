package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.replay.ReplayResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A virtual key's {@code models} list names what it may call: the gateway refuses (403) a request for anything else,
 * billing nothing, and the planner refuses the trace lines that name that key alike. A gateway with virtual keys
 * refuses (401) a request that comes with none, and the planner refuses the lines that name no key alike.
 */
class PlannerRefusesKeysLikeTheGatewayTest {

    @TempDir
    Path dir;

    private static String line(String key, String content) {
        return "{\"timestamp\": \"2026-11-28T22:10:00Z\"" + (key.isEmpty() ? "" : ", \"key\": \"" + key + "\"")
                + ", \"request\": {\"model\":"
                + " \"gpt-4o\","
                + " \"messages\": [{\"role\": \"user\", \"content\": \"" + content + " P=100 C=50\"}]}, \"usage\":"
                + " {\"prompt_tokens\": 100, \"completion_tokens\": 50}}";
    }

    /**
     * Sends a trace whose first and third requests the gateway refuses with {@code status} and whose second and
     * fourth it answers on gpt-4o ($0.00075 each), replays it, and checks that the replay refuses the same two,
     * billing what the gateway billed.
     *
     * @return the replay, to check what it says of the refusals
     */
    private ReplayResult refusedAtBothEnds(String config, List<String> trace, int status) throws Exception {
        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, "auto", trace);
            ReplayResult replay = parity.replayed(config, "auto", trace, dir);

            assertThat(gateway).extracting(GatewayParity.Answer::status).containsExactly(status, 200, status, 200);
            assertThat(GatewayParity.billed(gateway)).isEqualByComparingTo("0.0015");
            assertThat(replay.after().outcomes()).extracting(RequestOutcome::model).containsExactly(Optional.empty(),
                    Optional.of("gpt-4o"), Optional.empty(), Optional.of("gpt-4o"));
            assertThat(replay.after().rejected()).isEqualTo(2);
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
            return replay;
        }
    }

    /**
     * Key {@code narrow} may call gpt-4o-mini only, {@code wide} anything: through pipeline {@code auto}, narrow's
     * requests are refused and wide's answered, 100 × $2.50 + 50 × $10 per 1M = $0.00075 each.
     */
    @Test
    void givenAKeyWhoseModelsListLacksThePipeline_whenItsLinesAreReplayed_thenTheyAreRefusedAsAtTheGateway()
            throws Exception {
        String config = """
                models:
                  - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                  - {name: gpt-4o-mini, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                keys:
                  - {id: narrow, key: sk-narrow, models: [gpt-4o-mini]}
                  - {id: wide, key: sk-wide}
                pipelines:
                  auto: {default_route: gpt-4o}
                """;
        List<String> trace = List.of(line("narrow", "a"), line("wide", "b"), line("narrow", "c"), line("wide", "d"));

        ReplayResult replay = refusedAtBothEnds(config, trace, 403);

        assertThat(replay.after().outcomes().getFirst().failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("the key 'narrow' may not use this pipeline (allowed: gpt-4o-mini)"));
    }

    /**
     * Keys are configured, so the gateway is closed: the two requests that come with no key are refused (401),
     * billing nothing, and the key's two are answered. The replay refuses the lines that name no key, counts them as
     * rejected, not as spend, and says so in its report.
     */
    @Test
    void givenAConfigWithKeys_whenLinesNameNoKey_thenTheyAreRefusedAsAtTheGatewayAndTheReportSaysSo()
            throws Exception {
        String config = """
                models:
                  - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
                keys:
                  - {id: app, key: sk-app}
                pipelines:
                  auto: {default_route: gpt-4o}
                """;
        List<String> trace = List.of(line("", "a"), line("app", "b"), line("", "c"), line("app", "d"));

        ReplayResult replay = refusedAtBothEnds(config, trace, 401);

        assertThat(replay.after().outcomes().getFirst().failure()).hasValueSatisfying(f -> assertThat(f)
                .startsWith("no key: the configuration has virtual keys"));
        assertThat(GatewayParity.metric(replay, "after.rejectedNoKey")).isEqualByComparingTo("2");
        assertThat(replay.report().notes()).anySatisfy(n -> assertThat(n).startsWith("2 of 4 requests refused:"
                + " no key"));
    }
}
