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
 * A replay through a gateway configuration holds each request to every budget the gateway holds it to (each global
 * one and each per-model one, each with its own window, limit and {@code on_exhausted}), in the gateway's order: the
 * first budget without room for the worst case decides, rejecting or downgrading.
 */
class ReplayEveryGatewayBudgetTest {

    @TempDir
    Path dir;

    /** A request of 1,000 in / 1,000 out on gpt-4o with max_tokens 1,000 ($0.0125 before). */
    private static String gpt4oAt(String timestamp) {
        return "{\"timestamp\":\"" + timestamp + "\",\"request\":{\"model\":\"gpt-4o\",\"max_tokens\":1000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"request number 0\"}]},"
                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000}}\n";
    }

    /** @return the replay of {@code trace} through the gateway config's {@code gpt-4o} pipeline, at its prices */
    private static ReplayResult replay(Path trace, String config) {
        GatewayPipelineReader.Priced g = new GatewayPipelineReader(Planner.ofDefaults().catalog())
                .readPriced(config, "gpt-4o", "gw.yaml");
        return Planner.of(g.catalog()).replay(trace, g.pipeline(), ReplayOptions.defaults());
    }

    private static final String CONFIG = """
            models:
              - {name: gpt-4o, provider: openai, base_url: "http://127.0.0.1:1/v1"}
              - {name: gpt-4o-mini, provider: openai, base_url: "http://127.0.0.1:1/v1"}
              - {name: gpt-4.1-mini, provider: openai, base_url: "http://127.0.0.1:1/v1"}
            pipelines:
              gpt-4o: {}
            budgets:
              - {name: daily, scope: global, window: day, limit: "0.02", on_exhausted: reject}
              - {name: monthly, scope: global, window: month, limit: "0.036", on_exhausted: downgrade,
                 downgrade_to: gpt-4o-mini}
              - {name: per-model, scope: model, window: month, limit: "0.026", on_exhausted: downgrade,
                 downgrade_to: gpt-4.1-mini}
            """;

    /**
     * Worst cases reserved (an 11-token estimated prompt plus max_tokens 1,000): gpt-4o $0.0100275, gpt-4.1-mini
     * $0.0016044, gpt-4o-mini $0.00060165; billed: gpt-4o $0.0125, gpt-4.1-mini $0.002, gpt-4o-mini $0.00075.
     * <ol>
     *   <li>Nov 27 10:00: every budget has room: gpt-4o, $0.0125.</li>
     *   <li>Nov 27 11:00: the daily budget ($0.0125 + $0.0100275 > $0.02), first in order, rejects, although the
     *       monthly and the per-model one would have room.</li>
     *   <li>Nov 28 10:00: a new day: gpt-4o, $0.0125 (month $0.025, gpt-4o's own $0.025).</li>
     *   <li>Nov 29 10:00: only gpt-4o's per-model budget lacks room ($0.025 + $0.0100275 > $0.026; the month's
     *       $0.0350275 fits $0.036): downgraded to its gpt-4.1-mini, whose own count is empty (counted with gpt-4o's,
     *       $0.0266 would not fit): $0.002.</li>
     *   <li>Nov 29 11:00: the monthly budget ($0.027 + $0.0100275 > $0.036) and gpt-4o's both lack room; the monthly,
     *       earlier in the configuration, wins: gpt-4o-mini (its own per-model count empty), $0.00075.</li>
     *   <li>Dec 1 10:00: a new month and day: gpt-4o, $0.0125.</li>
     * </ol>
     * Before: 6 × $0.0125 = $0.075; after: 3 × $0.0125 + $0.002 + $0.00075 = $0.04025. Holding only the first global
     * budget, requests 4 and 5 would run on gpt-4o and 5 be rejected by the day: $0.05 after.
     */
    @Test
    void givenGlobalAndPerModelBudgets_whenReplayed_thenEachRequestIsHeldToEveryOneInTheGatewaysOrder()
            throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), gpt4oAt("2026-11-27T10:00:00Z")
                + gpt4oAt("2026-11-27T11:00:00Z") + gpt4oAt("2026-11-28T10:00:00Z") + gpt4oAt("2026-11-29T10:00:00Z")
                + gpt4oAt("2026-11-29T11:00:00Z") + gpt4oAt("2026-12-01T10:00:00Z"));
        ReplayResult r = replay(trace, CONFIG);

        List<RequestOutcome> out = r.after().outcomes();
        assertThat(out).extracting(RequestOutcome::model).containsExactly(Optional.of("gpt-4o"), Optional.empty(),
                Optional.of("gpt-4o"), Optional.of("gpt-4.1-mini"), Optional.of("gpt-4o-mini"), Optional.of("gpt-4o"));
        assertThat(out).extracting(o -> o.cost().toString())
                .containsExactly("0.0125", "0", "0.0125", "0.002", "0.00075", "0.0125");
        assertThat(out).extracting(RequestOutcome::route).containsExactly("default", "default", "default",
                "downgrade:per-model", "downgrade:monthly", "default");
        assertThat(out).extracting(RequestOutcome::budgetHit).containsExactly(false, true, false, true, true, false);
        assertThat(out.get(1).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("spent $0.0125 of $0.02 in its daily window"));
        assertThat(r.after().rejected()).isEqualTo(1);
        assertThat(r.costBefore().toString()).isEqualTo("0.075");
        assertThat(r.after().cost().toString()).isEqualTo("0.04025");
    }

    /**
     * A downgrade must fit every budget too. The month's $0.0105 takes gpt-4o's first worst case ($0.0100275) and is
     * billed $0.0125; the second request lacks room, is downgraded to gpt-4o-mini, whose $0.00060165 worst case on
     * top of $0.0125 does not fit either: refused, as the gateway refuses it (the daily budget had room for both).
     */
    @Test
    void givenADowngradeWithoutRoom_whenReplayed_thenTheRequestIsRefused() throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), gpt4oAt("2026-11-27T10:00:00Z")
                + gpt4oAt("2026-11-27T11:00:00Z"));
        String config = CONFIG.substring(0, CONFIG.indexOf("budgets:")) + """
                budgets:
                  - {name: daily, scope: global, window: day, limit: "1", on_exhausted: reject}
                  - {name: monthly, scope: global, window: month, limit: "0.0105", on_exhausted: downgrade,
                     downgrade_to: gpt-4o-mini}
                """;
        ReplayResult r = replay(trace, config);

        List<RequestOutcome> out = r.after().outcomes();
        assertThat(out).extracting(RequestOutcome::model).containsExactly(Optional.of("gpt-4o"), Optional.empty());
        assertThat(out.get(1).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("spent $0.0125 of $0.0105 in its monthly window"));
        assertThat(r.after().cost().toString()).isEqualTo("0.0125");
    }

    /**
     * Two budgets configured alike (same scope, window and limit, other names) are two budgets at the gateway, each
     * charged once per request: after the first request ($0.0125) each has spent $0.0125, so the second's worst case
     * ($0.0100275) fits both $0.03 limits and is served; the third ($0.025 + $0.0100275) fits neither. Counted in one
     * shared counter, each request would be charged twice and the second already refused.
     */
    @Test
    void givenTwoBudgetsConfiguredAlike_whenReplayed_thenEachCountsItsOwnSpend() throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), gpt4oAt("2026-11-27T10:00:00Z")
                + gpt4oAt("2026-11-27T11:00:00Z") + gpt4oAt("2026-11-27T12:00:00Z"));
        String config = CONFIG.substring(0, CONFIG.indexOf("budgets:")) + """
                budgets:
                  - {name: team-a, scope: global, window: day, limit: "0.03", on_exhausted: reject}
                  - {name: team-b, scope: global, window: day, limit: "0.03", on_exhausted: reject}
                """;
        ReplayResult r = replay(trace, config);

        List<RequestOutcome> out = r.after().outcomes();
        assertThat(out).extracting(RequestOutcome::model).containsExactly(Optional.of("gpt-4o"),
                Optional.of("gpt-4o"), Optional.empty());
        assertThat(out.get(2).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("spent $0.025 of $0.03 in its daily window"));
        assertThat(r.after().cost().toString()).isEqualTo("0.025");
    }
}
