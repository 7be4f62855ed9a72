package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.Planner;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay through a gateway configuration holds each request to the key, team and user budgets its caller falls
 * under, as the gateway's budget book does: the line's {@code key} (a virtual key's id, whose own budget and team the
 * configuration's {@code keys} give) and the request's {@code user}. A request that names neither is held by none.
 */
class ReplayCallerBudgetsTest {

    @TempDir
    Path dir;

    /**
     * A request of 1,000 in / 1,000 out on gpt-4o with max_tokens 1,000: billed $0.0125, its worst case (an 11-token
     * estimated prompt plus max_tokens) $0.0100275.
     */
    private static String line(String key, String user) {
        return "{\"timestamp\":\"2026-11-27T10:00:00Z\"" + (key.isEmpty() ? "" : ",\"key\":\"" + key + "\"")
                + ",\"request\":{\"model\":\"gpt-4o\",\"max_tokens\":1000" + (user.isEmpty() ? ""
                : ",\"user\":\"" + user + "\"") + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]},"
                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000}}\n";
    }

    /** The requests repeat: the gateway's default cache would answer them, and these tests are of budgets. */
    private static final String MODELS = """
            models:
              - {name: gpt-4o, provider: openai}
            defaults: {cache: false}
            pipelines:
              gpt-4o: {}
            """;

    private ReplayResult replay(String config, String... lines) throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), String.join("", lines));
        GatewayPipelineReader.Priced g = new GatewayPipelineReader(Planner.ofDefaults().catalog())
                .readPriced(config, "gpt-4o", "gw.yaml");
        return Planner.of(g.catalog()).replay(trace, g.pipeline(), ReplayOptions.defaults());
    }

    /**
     * A $0.03 daily budget per end user: alice's first two requests fit ($0.0125 + $0.0100275), her third does not
     * ($0.025 + $0.0100275); bob counts apart, and a request naming no user is not held.
     */
    @Test
    void givenAUserBudget_whenReplayed_thenEachEndUserIsHeldToItApart() throws Exception {
        ReplayResult r = replay(MODELS + """
                budgets:
                  - {name: per-user, scope: user, window: day, limit: "0.03"}
                """, line("", "alice"), line("", "alice"), line("", "alice"), line("", "bob"), line("", ""),
                line("", ""), line("", ""));

        List<RequestOutcome> out = r.after().outcomes();
        assertThat(out).extracting(RequestOutcome::model).containsExactly(Optional.of("gpt-4o"),
                Optional.of("gpt-4o"), Optional.empty(), Optional.of("gpt-4o"), Optional.of("gpt-4o"),
                Optional.of("gpt-4o"), Optional.of("gpt-4o"));
        assertThat(out.get(2).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("spent $0.025 of $0.03 in its daily window for user 'alice'"));
        assertThat(r.report().notes()).anySatisfy(n -> assertThat(n).contains("4 an end user"))
                .noneSatisfy(n -> assertThat(n).startsWith("Warning"));
    }

    /**
     * Key k1 has a $0.02 budget of its own and k1 and k2 are in team a, whose budget is $0.03 a day. k1's second
     * request passes its own budget ($0.0125 + $0.0100275); k2's first fits the team's ($0.0125 spent), its second
     * does not ($0.025 spent); a line of k3, with no budget of its own and in no team, is held by neither.
     */
    @Test
    void givenAKeysOwnBudgetAndATeamBudget_whenReplayed_thenTheLinesKeyIsHeldToBoth() throws Exception {
        ReplayResult r = replay(MODELS + """
                keys:
                  - {id: k1, key_sha256: "%s", budget: "0.02", budget_window: day, tags: {team: a}}
                  - {id: k2, key_sha256: "%s", tags: {team: a}}
                  - {id: k3, key_sha256: "%s"}
                budgets:
                  - {name: per-team, scope: team, window: day, limit: "0.03"}
                """.formatted("1".repeat(64), "2".repeat(64), "3".repeat(64)), line("k1", ""), line("k1", ""),
                line("k2", ""), line("k2", ""), line("k3", ""));

        List<RequestOutcome> out = r.after().outcomes();
        assertThat(out).extracting(RequestOutcome::model).containsExactly(Optional.of("gpt-4o"), Optional.empty(),
                Optional.of("gpt-4o"), Optional.empty(), Optional.of("gpt-4o"));
        assertThat(out.get(1).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("spent $0.0125 of $0.02 in its daily window for key 'k1'"));
        assertThat(out.get(3).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("spent $0.025 of $0.03 in its daily window for team 'a'"));
        assertThat(r.after().cost().toString()).isEqualTo("0.0375");
    }

    @Test
    void givenCallerBudgetsAndATraceNamingNoCaller_whenReplayed_thenTheReportWarnsTheyHeldNothing()
            throws Exception {
        ReplayResult r = replay(MODELS + """
                budgets:
                  - {name: per-user, scope: user, window: day, limit: "0.01"}
                  - {name: per-key, scope: key, window: day, limit: "0.01"}
                """, line("", ""), line("", ""));

        assertThat(r.after().rejected()).isZero();
        assertThat(r.report().notes()).anySatisfy(n -> assertThat(n).startsWith("Warning: the configuration has user"
                + " budgets, but no request names an end user"))
                .anySatisfy(n -> assertThat(n).startsWith("Warning: the configuration has key or team budgets"));
    }
}
