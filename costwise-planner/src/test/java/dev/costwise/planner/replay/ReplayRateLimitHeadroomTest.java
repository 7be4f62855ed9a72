package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.planner.Planner;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import dev.costwise.planner.scenario.ScenarioException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway configuration whose route reads a model's rate-limit headroom ({@code rate_limit_headroom_above}) is
 * replayed: a trace has no provider rate-limit headers, so the headroom is unknown and counted as full, as the gateway
 * counts a model it has no report of, and the report says so.
 */
class ReplayRateLimitHeadroomTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            models:
              - {name: gpt-4o, provider: openai}
              - {name: gpt-4o-mini, provider: openai}
            defaults: {cache: false}
            pipelines:
              gpt-4o:
                routes:
                  - {name: cheap, model: gpt-4o-mini, when: {rate_limit_headroom_above: %s}}
                default_route: gpt-4o
            """;

    private static final String LINE = "{\"timestamp\":\"2026-11-27T10:00:00Z\",\"request\":{\"model\":\"gpt-4o\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]},\"usage\":{\"prompt_tokens\":100,"
            + "\"completion_tokens\":10}}\n";

    private final GatewayPipelineReader reader = new GatewayPipelineReader(Planner.ofDefaults().catalog());

    @Test
    void givenARouteWhileItsModelHasHeadroom_whenReplayed_thenItTakesTheRequestsAndTheReportSaysWhy() throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), LINE + LINE);
        GatewayPipelineReader.Priced g = reader.readPriced(CONFIG.formatted("0.2"), "gpt-4o", "gw.yaml");

        ReplayResult r = Planner.of(g.catalog()).replay(trace, g.pipeline(), ReplayOptions.defaults());

        assertThat(r.after().outcomes()).extracting(RequestOutcome::model)
                .containsExactly(Optional.of("gpt-4o-mini"), Optional.of("gpt-4o-mini"));
        assertThat(r.report().notes()).anySatisfy(n -> assertThat(n)
                .startsWith("Rate-limit headroom: a trace carries no provider rate-limit headers")
                .contains("counted as full"));
    }

    @Test
    void givenAPipelineWithoutHeadroomRoutes_whenReplayed_thenTheReportHasNoHeadroomNote() throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), LINE);
        GatewayPipelineReader.Priced g = reader.readPriced(CONFIG.replace("rate_limit_headroom_above: %s",
                "max_chars: 100"), "gpt-4o", "gw.yaml");

        ReplayResult r = Planner.of(g.catalog()).replay(trace, g.pipeline(), ReplayOptions.defaults());

        assertThat(r.report().notes()).noneSatisfy(n -> assertThat(n).startsWith("Rate-limit headroom"));
    }

    @Test
    void givenAHeadroomTheGatewayRefuses_whenRead_thenThePlannerRefusesItToo() {
        assertThatThrownBy(() -> reader.read(CONFIG.formatted("1.5"), "gpt-4o", "gw.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("rate_limit_headroom_above: expected a share in [0, 1], was 1.5");
        assertThatThrownBy(() -> reader.read(CONFIG.formatted("1"), "gpt-4o", "gw.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("rate_limit_headroom_above: can never match");
    }
}
