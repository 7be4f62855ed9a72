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
 * A request asking for several answers ({@code n}) is served by the gateway, which bills what the provider reports
 * for all of them and, under a budget, holds the output limit once for each answer; the planner replays it alike.
 */
class PlannerBillsChoicesLikeTheGatewayTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            models:
              - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM}
            defaults:
              cache: false
            pipelines:
              auto: {default_route: gpt-4o}
            """;

    private static String line(int n, String extra) {
        return "{\"timestamp\": \"2026-11-28T22:10:00Z\", \"request\": {\"model\": \"gpt-4o\", \"n\": " + n + extra
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"two answers please P=100 C=40\"}]}, \"usage\":"
                + " {\"prompt_tokens\": 100, \"completion_tokens\": 40}}";
    }

    /** Two answers of 40 tokens in all, 100 prompt tokens: 100 × $2.50 + 40 × $10 per 1M = $0.00065. */
    @Test
    void givenARequestForTwoAnswers_whenReplayed_thenItIsBilledWhatTheGatewayBills() throws Exception {
        List<String> trace = List.of(line(2, ""));

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(CONFIG, "auto", trace);
            ReplayResult replay = parity.replayed(CONFIG, "auto", trace, dir);

            assertThat(GatewayParity.billed(gateway)).isEqualByComparingTo("0.00065");
            assertThat(replay.badLines()).isZero();
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
            assertThat(GatewayParity.metric(replay, "before.total")).isEqualByComparingTo("0.00065");
        }
    }

    /**
     * Under a $0.015 budget a request with {@code max_tokens: 1000} reserves about $0.01 for one answer, which fits,
     * and twice that for two, which does not: the gateway refuses the second request, and so does the replay.
     */
    @Test
    void givenABudget_whenARequestAsksForTwoAnswers_thenItsWorstCaseHoldsTheLimitTwiceAsAtTheGateway()
            throws Exception {
        String config = CONFIG + """
                budgets:
                  - {name: g, scope: global, window: month, limit: "0.015", on_exhausted: reject}
                """;
        List<String> one = List.of(line(1, ", \"max_tokens\": 1000"));
        List<String> two = List.of(line(2, ", \"max_tokens\": 1000"));

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gatewayOne = parity.atTheGateway(config, "auto", one);
            List<GatewayParity.Answer> gatewayTwo = parity.atTheGateway(config, "auto", two);
            ReplayResult replayOne = parity.replayed(config, "auto", one, dir);
            ReplayResult replayTwo = parity.replayed(config, "auto", two, dir);

            assertThat(gatewayOne).extracting(GatewayParity.Answer::status).containsExactly(200);
            assertThat(gatewayTwo).extracting(GatewayParity.Answer::status).containsExactly(429);
            assertThat(replayOne.after().outcomes()).extracting(RequestOutcome::model)
                    .containsExactly(Optional.of("gpt-4o"));
            assertThat(replayTwo.after().rejected()).isEqualTo(1);
            assertThat(GatewayParity.metric(replayTwo, "after.total")).isZero();
        }
    }
}
