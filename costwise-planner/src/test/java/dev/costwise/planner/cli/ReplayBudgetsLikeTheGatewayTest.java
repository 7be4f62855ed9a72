package dev.costwise.planner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay through a gateway configuration's budget takes the decisions the gateway takes: it resets the budget where
 * the gateway's window does, reserves the worst case the gateway reserves and, after a downgrade, calls what the
 * gateway calls.
 */
class ReplayBudgetsLikeTheGatewayTest {

    @TempDir
    Path dir;

    private JsonNode replay(String trace, String config, String pipeline) throws Exception {
        return new GatewayReplay(dir).replay(trace, config, pipeline);
    }

    /** A request of 1,000 in / 1,000 out on gpt-4o with max_tokens 1,000 ($0.0125; $0.00075 on gpt-4o-mini). */
    private static String gpt4oAt(String timestamp) {
        return "{\"timestamp\":\"" + timestamp + "\",\"request\":{\"model\":\"gpt-4o\",\"max_tokens\":1000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"request number 0\"}]},"
                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000}}\n";
    }

    /** The same request repeats: the gateway's default cache would answer it, and these tests are of budgets. */
    private static String budget(String window) {
        return GatewayReplay.openAi("gpt-4o", "gpt-4o-mini") + """
                defaults: {cache: false}
                pipelines:
                  gpt-4o: {}
                budgets:
                  - {name: global, scope: global, window: %s, limit: "0.02", on_exhausted: downgrade,
                     downgrade_to: gpt-4o-mini}
                """.formatted(window);
    }

    /**
     * A $0.02 daily budget downgrading to gpt-4o-mini: each request reserves gpt-4o's worst case of $0.0100275 (see
     * {@link ReplayChargesLikeTheGatewayTest}), so a day's first request is served by gpt-4o ($0.0125) and its second
     * by gpt-4o-mini ($0.00075). The gateway's day is the UTC day: at 00:30 UTC the window is new and empty, so the
     * day-2 requests repeat day 1's decisions: 2 × ($0.0125 + $0.00075) = $0.0265 (not $0.01475, as if the budget
     * carried day 1's spend).
     */
    @Test
    void givenADailyBudgetAndATraceOverTwoDays_whenReplayed_thenTheBudgetStartsAgainAtUtcMidnight() throws Exception {
        String trace = gpt4oAt("2026-11-27T22:00:00Z") + gpt4oAt("2026-11-27T23:30:00Z")
                + gpt4oAt("2026-11-28T00:30:00Z") + gpt4oAt("2026-11-28T01:00:00Z");

        JsonNode m = replay(trace, budget("day"), "gpt-4o");

        assertThat(m.get("after.total").decimalValue()).isEqualByComparingTo("0.0265");
        assertThat(m.get("after.model.gpt-4o.calls").intValue()).isEqualTo(2);
        assertThat(m.get("after.model.gpt-4o-mini.calls").intValue()).isEqualTo(2);
        assertThat(m.get("after.route.downgrade:global.requests").intValue()).isEqualTo(2);
    }

    /**
     * The same budget by the calendar month (the gateway's default window): midnight does not reset it, so Nov 30's
     * request is downgraded after Nov 29's; Dec 1 opens a new month, served by gpt-4o: $0.0125 + $0.00075 + $0.0125 =
     * $0.02575.
     */
    @Test
    void givenAMonthlyBudget_whenReplayedOverAMonthsEnd_thenItStartsAgainOnTheFirstOnly() throws Exception {
        String trace = gpt4oAt("2026-11-29T10:00:00Z") + gpt4oAt("2026-11-30T10:00:00Z")
                + gpt4oAt("2026-12-01T10:00:00Z");

        JsonNode monthly = replay(trace, budget("month"), "gpt-4o");
        JsonNode byDefault = replay(trace, budget("month").replace("window: month, ", ""), "gpt-4o");

        assertThat(monthly.get("after.total").decimalValue()).isEqualByComparingTo("0.02575");
        assertThat(monthly.get("after.model.gpt-4o.calls").intValue()).isEqualTo(2);
        assertThat(monthly.get("after.model.gpt-4o-mini.calls").intValue()).isEqualTo(1);
        assertThat(byDefault.get("after.total").decimalValue()).isEqualByComparingTo("0.02575");
    }

    /**
     * claude-haiku-4-5 ($1 in, $1.25 a five-minute cache write, $5 out), a prompt the gateway estimates at 1,000
     * tokens (3,972 characters: 993, plus 4 for the message and 3 for the reply) with max_tokens 1,000, under a
     * $0.0061 budget that downgrades to gpt-4o-mini. With {@code prompt_caching: tools_and_system} the gateway may
     * write the prompt to Anthropic's cache, so it reserves 1,000 × $1.25 + 1,000 × $5 per 1M = $0.00625, more than
     * the limit: the request goes to gpt-4o-mini, billed 1,000 × $0.15 + 100 × $0.60 per 1M = $0.00021. Without
     * prompt caching the worst case is $0.006, which fits: claude answers, $0.001 + $0.0005 = $0.0015.
     */
    @Test
    void givenAnAnthropicModelWithPromptCaching_whenReplayed_thenItsWorstCaseHoldsTheCacheWriteAsInTheGateway()
            throws Exception {
        String trace = "{\"request\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1000,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"" + "x".repeat(3972) + "\"}]},"
                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}\n";
        String config = GatewayReplay.openAi("gpt-4o-mini") + """
                  - {name: claude-haiku-4-5, provider: anthropic%s}
                pipelines:
                  claude: {default_route: claude-haiku-4-5}
                budgets:
                  - {name: global, scope: global, window: day, limit: "0.0061", on_exhausted: downgrade,
                     downgrade_to: gpt-4o-mini}
                """;

        JsonNode caching = replay(trace, config.formatted(", prompt_caching: tools_and_system"), "claude");
        JsonNode plain = replay(trace, config.formatted(""), "claude");

        assertThat(caching.get("after.total").decimalValue()).isEqualByComparingTo("0.00021");
        assertThat(caching.get("after.model.gpt-4o-mini.calls").intValue()).isEqualTo(1);
        assertThat(caching.has("after.model.claude-haiku-4-5.calls")).isFalse();
        assertThat(plain.get("after.total").decimalValue()).isEqualByComparingTo("0.0015");
    }

    /**
     * After a downgrade the gateway calls only the budget's {@code downgrade_to} (with the pipeline's retries), never
     * the pipeline's fallbacks. gpt-4o's worst case ($0.0100275) does not fit a $0.009 budget, so the request is
     * downgraded to gpt-4o-mini (worst case $0.00060165), which cannot take its 200,000-token prompt: the request
     * fails and costs nothing, although gpt-4.1 (a fallback, worst case $0.008022, which would fit) could have
     * answered it for $0.408.
     */
    @Test
    void givenADowngradedRequestThatFails_whenReplayed_thenThePipelinesFallbacksAreNotTriedAsInTheGateway()
            throws Exception {
        String trace = """
                {"request":{"model":"gpt-4o","max_tokens":1000,"messages":[{"role":"user","content":"long document"}]},\
                "usage":{"prompt_tokens":200000,"completion_tokens":1000}}
                """;
        String config = GatewayReplay.openAi("gpt-4o", "gpt-4o-mini", "gpt-4.1") + """
                pipelines:
                  big: {default_route: gpt-4o, fallbacks: [gpt-4.1]}
                budgets:
                  - {name: global, scope: global, window: day, limit: "0.009", on_exhausted: downgrade,
                     downgrade_to: gpt-4o-mini}
                """;

        JsonNode m = replay(trace, config, "big");

        assertThat(m.get("after.route.downgrade:global.requests").intValue()).isEqualTo(1);
        assertThat(m.get("after.model.gpt-4o-mini.calls").intValue()).isZero();
        assertThat(m.has("after.model.gpt-4.1.calls")).isFalse();
        assertThat(m.get("after.failed").intValue()).isEqualTo(1);
        assertThat(m.get("after.total").decimalValue()).isEqualByComparingTo("0");
    }
}
