package dev.costwise.planner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code costwise replay --gateway-config X --pipeline P} predicts what the gateway charges for the same traffic
 * through the same pipeline: each figure below is what the gateway billed for the request (hand-checked from the
 * catalog's prices), and an unchanged pipeline shows no saving and no loss.
 */
class ReplayChargesLikeTheGatewayTest {

    @TempDir
    Path dir;

    private JsonNode replay(String trace, String config, String pipeline, String... more) throws Exception {
        return new GatewayReplay(dir).replay(trace, config, pipeline, more);
    }

    private static String openAi(String... models) {
        return GatewayReplay.openAi(models);
    }

    /**
     * o4-mini ($1.10 / $4.40 per 1M; flex $0.55 / $2.20), 1,000 in / 1,000 out asked on flex: the gateway passes the
     * caller's tier through to a model that configures none and bills flex, $0.00055 + $0.0022 = $0.00275 (not the
     * standard $0.0055). A deployment configured with {@code service_tier: flex} asks for flex whatever the caller
     * asked (here priority), so it too bills $0.00275.
     */
    @Test
    void givenACallerAskingForFlex_whenReplayed_thenAfterIsBilledOnFlexAsTheGatewayBillsIt() throws Exception {
        String trace = """
                {"request":{"model":"o4-mini","service_tier":"flex","messages":[{"role":"user","content":"f5"}]},\
                "usage":{"prompt_tokens":1000,"completion_tokens":1000}}
                """;
        String config = openAi("o4-mini") + """
                  - {name: o4-flex, provider: openai, model: o4-mini, service_tier: flex,
                     base_url: "http://127.0.0.1:1/v1"}
                pipelines:
                  o4-mini: {}
                  batch: {default_route: o4-flex}
                """;

        JsonNode same = replay(trace, config, "o4-mini");
        JsonNode dry = replay(trace, config, "o4-mini", "--dry-run");
        JsonNode deployment = replay(trace.replace("\"flex\"", "\"priority\""), config, "batch");

        assertThat(same.get("before.total").decimalValue()).isEqualByComparingTo("0.00275");
        assertThat(same.get("after.total").decimalValue()).isEqualByComparingTo("0.00275");
        assertThat(same.get("savings.total").decimalValue()).isEqualByComparingTo("0");
        assertThat(dry.get("after.total").decimalValue()).isEqualByComparingTo("0.00275");
        assertThat(deployment.get("after.total").decimalValue()).isEqualByComparingTo("0.00275");
    }

    /**
     * gpt-4o ($2.50 in, $1.25 cached, $10 out), 5,000 prompt tokens of which the provider read 4,000 from its prompt
     * cache, 100 out: 1,000 × 2.50 + 4,000 × 1.25 + 100 × 10 per 1M = $0.0085, before and, through the unchanged
     * pipeline, after: what the gateway charged. On gpt-4o-mini ($0.15, $0.075, $0.60), another OpenAI model, the
     * same share stays cached: $0.00015 + $0.0003 + $0.00006 = $0.00051. On Anthropic's claude-haiku-4-5 ($1 / $5)
     * the cache is cold: 5,000 × 1 + 100 × 5 per 1M = $0.0055.
     */
    @Test
    void givenRecordedPromptCacheReads_whenReplayed_thenAfterBillsThemOnTheSameProviderAndNotOnAnother()
            throws Exception {
        String trace = """
                {"request":{"model":"gpt-4o","messages":[{"role":"user","content":"q4"}]},\
                "usage":{"prompt_tokens":5000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":4000}}}
                """;
        String config = openAi("gpt-4o", "gpt-4o-mini") + """
                  - {name: claude-haiku-4-5, provider: anthropic}
                pipelines:
                  gpt-4o: {}
                  mini: {default_route: gpt-4o-mini}
                  claude: {default_route: claude-haiku-4-5}
                """;

        JsonNode same = replay(trace, config, "gpt-4o");
        JsonNode dry = replay(trace, config, "gpt-4o", "--dry-run");
        JsonNode mini = replay(trace, config, "mini");
        JsonNode claude = replay(trace, config, "claude");

        assertThat(same.get("before.total").decimalValue()).isEqualByComparingTo("0.0085");
        assertThat(same.get("after.total").decimalValue()).isEqualByComparingTo("0.0085");
        assertThat(same.get("savings.total").decimalValue()).isEqualByComparingTo("0");
        assertThat(dry.get("after.total").decimalValue()).isEqualByComparingTo("0.0085");
        assertThat(mini.get("after.total").decimalValue()).isEqualByComparingTo("0.00051");
        assertThat(claude.get("after.total").decimalValue()).isEqualByComparingTo("0.0055");
    }

    /**
     * Without a recorded usage each of a request's answers is estimated at the assumed length: n = 2, max_tokens 100
     * (under the assumed 300), on gpt-4o-mini, is billed 2 × 100 × $0.60 per 1M for output, twice one answer's.
     */
    @Test
    void givenARequestForTwoAnswersWithoutUsage_whenReplayed_thenEachAnswerIsEstimated() throws Exception {
        String line = """
                {"request":{"model":"gpt-4o-mini","max_tokens":100,%s"messages":[{"role":"user","content":"hi"}]}}
                """;
        String config = openAi("gpt-4o-mini") + "pipelines:\n  gpt-4o-mini: {}\n";

        JsonNode one = replay(line.formatted(""), config, "gpt-4o-mini");
        JsonNode two = replay(line.formatted("\"n\":2,"), config, "gpt-4o-mini");

        assertThat(two.get("before.total").decimalValue().subtract(one.get("before.total").decimalValue()))
                .isEqualByComparingTo("0.00006");
        assertThat(two.get("after.total").decimalValue()).isEqualByComparingTo(two.get("before.total")
                .decimalValue());
    }

    /**
     * A log of the gateway's own traffic names what callers sent it: the pipeline {@code auto} and the group
     * {@code pool}, both served there. Both lines replay; {@code auto}'s before-cost is on its baseline gpt-4o
     * (1,000 × $2.50 + 1,000 × $10 per 1M = $0.0125), {@code pool}'s on its first member gpt-4o-mini ($0.00075).
     */
    @Test
    void givenLinesNamingAPipelineAndAGroup_whenReplayed_thenTheyAreReplayedWithTheirBaselinesBeforeCost()
            throws Exception {
        String line = """
                {"request":{"model":"%s","messages":[{"role":"user","content":"hi %s"}]},\
                "usage":{"prompt_tokens":1000,"completion_tokens":1000}}
                """;
        String config = openAi("gpt-4o", "gpt-4o-mini") + """
                groups:
                  pool: [gpt-4o-mini, gpt-4o]
                pipelines:
                  auto: {default_route: pool, baseline: gpt-4o}
                """;

        JsonNode m = replay(line.formatted("auto", 1) + line.formatted("pool", 2), config, "auto");

        assertThat(m.get("badLines").intValue()).isZero();
        assertThat(m.get("before.total").decimalValue()).isEqualByComparingTo("0.01325");
        assertThat(m.get("after.total").decimalValue()).isEqualByComparingTo("0.0015");
    }

    private static String sixRequestsOnGpt4o() {
        StringBuilder trace = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            trace.append("{\"request\":{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",")
                    .append("\"content\":\"request number ").append(i).append("\"}]},")
                    .append("\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000}}\n");
        }
        return trace.toString();
    }

    private static String dailyBudget(String onExhausted) {
        return openAi("gpt-4o", "gpt-4o-mini") + """
                pipelines:
                  gpt-4o: {}
                budgets:
                  - {name: global-daily, scope: global, window: day, limit: "0.02", %s}
                """.formatted(onExhausted);
    }

    /**
     * Six requests of 1,000 in / 1,000 out on gpt-4o ($0.0125 each; on gpt-4o-mini $0.00075), each with max_tokens
     * 1,000, against a $0.02 daily budget that downgrades to gpt-4o-mini. Before each call the gateway reserves the
     * worst case: its prompt estimate ("request number 0": (16 + 3) / 4 = 4 tokens of text, 4 for the message, 3 for
     * the reply's priming: 11 tokens) plus max_tokens, at gpt-4o's prices: 11 × $2.50 + 1,000 × $10 per 1M =
     * $0.0100275. The first call fits ($0 spent) and costs $0.0125; the second would pass the limit ($0.0125 +
     * $0.0100275 > $0.02), so it and the rest go to gpt-4o-mini (worst case $0.00060165, which fits): $0.0125 + 5 ×
     * $0.00075 = $0.01625, what the gateway spent. Rejecting instead, the gateway answers only the first: $0.0125.
     */
    @Test
    void givenADailyBudget_whenReplayed_thenADowngradeOrRejectionComesOnceTheWorstCaseNoLongerFitsAsInTheGateway()
            throws Exception {
        JsonNode downgraded = replay(sixRequestsOnGpt4o(),
                dailyBudget("on_exhausted: downgrade, downgrade_to: gpt-4o-mini"), "gpt-4o");
        JsonNode dry = replay(sixRequestsOnGpt4o(),
                dailyBudget("on_exhausted: downgrade, downgrade_to: gpt-4o-mini"), "gpt-4o", "--dry-run");
        JsonNode rejected = replay(sixRequestsOnGpt4o(), dailyBudget("on_exhausted: reject"), "gpt-4o");

        assertThat(downgraded.get("after.total").decimalValue()).isEqualByComparingTo("0.01625");
        assertThat(downgraded.get("after.model.gpt-4o.calls").intValue()).isEqualTo(1);
        assertThat(downgraded.get("after.model.gpt-4o-mini.calls").intValue()).isEqualTo(5);
        assertThat(downgraded.get("after.route.downgrade:global-daily.requests").intValue()).isEqualTo(5);
        assertThat(dry.get("after.total").decimalValue()).isEqualByComparingTo("0.01625");
        assertThat(rejected.get("after.total").decimalValue()).isEqualByComparingTo("0.0125");
        assertThat(rejected.get("after.rejected").intValue()).isEqualTo(5);
    }

    /**
     * A 200,000-token prompt is over gpt-4o-mini's 128K window: its context-length error sends the gateway to the
     * context_window_fallback gpt-4.1 (1M window), but only after reserving gpt-4.1's worst case (11 estimated prompt
     * tokens × $2 + 1,000 max_tokens × $8 per 1M = $0.008022): under a $0.005 budget it has no room, so gpt-4.1 is
     * not tried and the request fails, costing nothing. Under $0.01 it fits and gpt-4.1 answers: 200,000 × $2 +
     * 1,000 × $8 per 1M = $0.408.
     */
    @Test
    void givenAFallbackTheBudgetHasNoRoomFor_whenReplayed_thenItIsNotTriedAsInTheGateway() throws Exception {
        String trace = """
                {"request":{"model":"gpt-4o","max_tokens":1000,"messages":[{"role":"user","content":"long document"}]},\
                "usage":{"prompt_tokens":200000,"completion_tokens":1000}}
                """;
        String config = openAi("gpt-4o-mini", "gpt-4.1") + """
                pipelines:
                  mini: {default_route: gpt-4o-mini, context_window_fallback: gpt-4.1}
                budgets:
                  - {name: global-daily, scope: global, window: day, limit: "%s", on_exhausted: reject}
                """;

        JsonNode tight = replay(trace, config.formatted("0.005"), "mini");
        JsonNode roomy = replay(trace, config.formatted("0.01"), "mini");

        assertThat(tight.get("after.failed").intValue()).isEqualTo(1);
        assertThat(tight.get("after.total").decimalValue()).isEqualByComparingTo("0");
        assertThat(tight.has("after.model.gpt-4.1.calls")).isFalse();
        assertThat(roomy.get("after.model.gpt-4.1.calls").intValue()).isEqualTo(1);
        assertThat(roomy.get("after.total").decimalValue()).isEqualByComparingTo("0.408");
    }

    /**
     * As in the gateway (AttemptLoop.isCallersFault), a context-length error is the request's own fault: without a
     * context_window_fallback no ordinary fallback is tried, and the request fails. With one, the larger window
     * answers: 200,000 × $2 + 2,000 × $8 per 1M = $0.416 on gpt-4.1.
     */
    @Test
    void givenAPromptOverTheWindow_whenReplayed_thenOnlyTheContextWindowFallbackAnswersItAsInTheGateway()
            throws Exception {
        String trace = """
                {"request":{"model":"gpt-4o","messages":[{"role":"user","content":"long document"}]},\
                "usage":{"prompt_tokens":200000,"completion_tokens":2000}}
                """;
        String models = openAi("gpt-4o-mini", "gpt-4.1", "gpt-4o");

        JsonNode fallbacksOnly = replay(trace, models + """
                pipelines:
                  mini: {default_route: gpt-4o-mini, fallbacks: [gpt-4.1]}
                """, "mini");
        JsonNode larger = replay(trace, models + """
                defaults:
                  context_window_fallback: gpt-4.1
                pipelines:
                  mini: {default_route: gpt-4o-mini, fallbacks: [gpt-4o]}
                """, "mini");

        assertThat(fallbacksOnly.get("after.failed").intValue()).isEqualTo(1);
        assertThat(fallbacksOnly.has("after.model.gpt-4.1.calls")).isFalse();
        assertThat(larger.get("after.failed").intValue()).isZero();
        assertThat(larger.get("after.total").decimalValue()).isEqualByComparingTo("0.416");
        assertThat(larger.has("after.model.gpt-4o.calls")).isFalse();
    }

    /**
     * The gateway's own estimate of a 600,000-character prompt (150,000 tokens) is over gpt-4o-mini's 128K window, so
     * it sends the request to the context_window_fallback uncalled, even though the recorded usage is small:
     * 1,000 × $2 + 1,000 × $8 per 1M = $0.01 on gpt-4.1, in a replay and in a dry run alike.
     */
    @Test
    void givenAPromptEstimatedOverTheWindow_whenReplayed_thenThePrimaryIsSkippedForTheLargerWindow() throws Exception {
        String trace = "{\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "a ".repeat(300_000) + "\"}]},\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000}}\n";
        String config = openAi("gpt-4o-mini", "gpt-4.1") + """
                pipelines:
                  mini: {default_route: gpt-4o-mini, context_window_fallback: gpt-4.1}
                """;

        JsonNode run = replay(trace, config, "mini");
        JsonNode dry = replay(trace, config, "mini", "--dry-run");

        assertThat(run.get("after.total").decimalValue()).isEqualByComparingTo("0.01");
        assertThat(run.has("after.model.gpt-4o-mini.calls")).isFalse();
        assertThat(dry.get("after.total").decimalValue()).isEqualByComparingTo("0.01");
    }

    /**
     * A trace recorded at the gateway names what callers sent: a renamed deployment without a price (served at its
     * upstream model's catalog price) or an alias of it. Both are priced as gpt-4o-mini: 1,000 × $0.15 + 1,000 ×
     * $0.60 per 1M = $0.00075 a request, before and after.
     */
    @Test
    void givenARenamedDeploymentAndAnAlias_whenReplayed_thenTheirLinesArePricedAsTheUpstreamModel() throws Exception {
        String line = """
                {"request":{"model":"%s","messages":[{"role":"user","content":"hi %s"}]},\
                "usage":{"prompt_tokens":1000,"completion_tokens":1000}}
                """;
        String config = """
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: "http://127.0.0.1:1/v1"}
                aliases:
                  cheap: fast
                pipelines:
                  fast: {default_route: fast}
                """;

        JsonNode m = replay(line.formatted("fast", 1) + line.formatted("cheap", 2), config, "fast");

        assertThat(m.get("badLines").intValue()).isZero();
        assertThat(m.get("before.total").decimalValue()).isEqualByComparingTo("0.0015");
        assertThat(m.get("after.total").decimalValue()).isEqualByComparingTo("0.0015");
    }
}
