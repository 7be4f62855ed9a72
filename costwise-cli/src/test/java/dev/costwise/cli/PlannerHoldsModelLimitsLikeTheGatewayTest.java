package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.replay.ReplayResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configured model's {@code context_window} and {@code max_output_tokens} hold at the gateway whether or not the
 * model has a {@code price:} of its own; the planner replaying the same configuration holds them too, and predicts
 * the gateway's bill.
 */
class PlannerHoldsModelLimitsLikeTheGatewayTest {

    @TempDir
    Path dir;

    /**
     * gpt-4o-mini, unpriced, is configured with a 1,000-token window: the gateway's estimate of a 4,117-character
     * prompt (1,037 tokens) is over it, so the request goes, uncalled, to the context-window fallback {@code house}:
     * 1,200 × $0.30 + 50 × $1.20 per 1M = $0.00042 (not gpt-4o-mini's $0.00021).
     */
    @Test
    void givenAnUnpricedModelWithASmallContextWindow_whenReplayed_thenTheLongPromptGoesWhereTheGatewaySendsIt()
            throws Exception {
        String config = """
                models:
                  - {name: gpt-4o-mini, provider: openai, api_key: sk-fake, base_url: UPSTREAM, context_window: 1000}
                  - {name: house, provider: openai-compatible, model: house-llm, api_key: sk-fake,
                     base_url: UPSTREAM, price: {input: "0.30", output: "1.20"}}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  auto: {default_route: gpt-4o-mini, context_window_fallback: house}
                """;
        List<String> trace = List.of("{\"request\": {\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"long " + "y".repeat(4100) + " P=1200 C=50\"}]}, \"usage\": {\"prompt_tokens\": "
                + "1200, \"completion_tokens\": 50}}");

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, "auto", trace);
            ReplayResult replay = parity.replayed(config, "auto", trace, dir);

            assertThat(gateway).extracting(GatewayParity.Answer::model).containsExactly("house");
            assertThat(GatewayParity.billed(gateway)).isEqualByComparingTo("0.00042");
            assertThat(replay.after().outcomes()).extracting(o -> o.model().orElseThrow()).containsExactly("house");
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
        }
    }

    /**
     * gpt-4o, unpriced, is configured with {@code max_output_tokens: 2000}: a request without {@code max_tokens}
     * reserves 2,000 output tokens ($0.020035 with its prompt), which a $0.05 budget has room for, so the gateway
     * serves it: 1,000 × $2.50 + 100 × $10 per 1M = $0.0035. Holding the catalog's 16,384 tokens instead ($0.164)
     * would reject it.
     */
    @Test
    void givenAnUnpricedModelWithAnOutputLimit_whenReplayedUnderABudget_thenItReservesThatLimitAsTheGatewayDoes()
            throws Exception {
        String config = """
                models:
                  - {name: gpt-4o, provider: openai, api_key: sk-fake, base_url: UPSTREAM, max_output_tokens: 2000}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  auto: {default_route: gpt-4o}
                budgets:
                  - {name: g, scope: global, window: month, limit: "0.05", on_exhausted: reject}
                """;
        List<String> trace = List.of("{\"timestamp\": \"2026-11-28T22:10:00Z\", \"request\": {\"model\": \"gpt-4o\","
                + " \"messages\": [{\"role\": \"user\", \"content\": \"plain question P=1000 C=100\"}]}, \"usage\":"
                + " {\"prompt_tokens\": 1000, \"completion_tokens\": 100}}");

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, "auto", trace);
            ReplayResult replay = parity.replayed(config, "auto", trace, dir);

            assertThat(gateway).extracting(GatewayParity.Answer::status).containsExactly(200);
            assertThat(GatewayParity.billed(gateway)).isEqualByComparingTo("0.0035");
            assertThat(replay.after().rejected()).isZero();
            assertThat(replay.after().outcomes()).extracting(RequestOutcome::route)
                    .isEqualTo(gateway.stream().map(GatewayParity.Answer::route).toList());
            assertThat(replay.after().outcomes()).extracting(RequestOutcome::failure).allMatch(f -> f.isEmpty());
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
        }
    }
}
