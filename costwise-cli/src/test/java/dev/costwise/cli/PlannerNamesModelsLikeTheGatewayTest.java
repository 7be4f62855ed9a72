package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.replay.ReplayResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay names a configured deployment as the gateway does (its {@code x-costwise-model-used}, ledger and
 * per-model budgets): by its configured name, also when it deploys a catalog model under another name.
 */
class PlannerNamesModelsLikeTheGatewayTest {

    @TempDir
    Path dir;

    /**
     * Deployments {@code a} and {@code b} both serve gpt-4o-mini, without prices of their own. A per-model budget of
     * $0.00063 counts each apart at the gateway: each request reserves about $0.0006 (max_tokens 1,000 at $0.60 per
     * 1M) and is billed $0.000045, so both fit. Counted together as gpt-4o-mini, b's would not.
     */
    @Test
    void givenTwoDeploymentsOfOneModel_whenReplayed_thenTheyAreNamedAndBudgetedApartAsAtTheGateway()
            throws Exception {
        String config = """
                models:
                  - {name: a, provider: openai, model: gpt-4o-mini, api_key: sk-fake, base_url: UPSTREAM}
                  - {name: b, provider: openai, model: gpt-4o-mini, api_key: sk-fake, base_url: UPSTREAM}
                pipelines:
                  auto:
                    routes: [{name: first, model: a, when: {keywords: [first]}}]
                    default_route: b
                budgets:
                  - {name: each, scope: model, window: month, limit: "0.00063", on_exhausted: reject}
                """;
        String line = "{\"timestamp\": \"2026-11-28T22:10:00Z\", \"request\": {\"model\": \"gpt-4o-mini\","
                + " \"max_tokens\": 1000, \"messages\": [{\"role\": \"user\", \"content\": \"%s P=100 C=50\"}]},"
                + " \"usage\": {\"prompt_tokens\": 100, \"completion_tokens\": 50}}";
        List<String> trace = List.of(line.formatted("first"), line.formatted("second"));

        try (GatewayParity parity = new GatewayParity()) {
            List<GatewayParity.Answer> gateway = parity.atTheGateway(config, "auto", trace);
            ReplayResult replay = parity.replayed(config, "auto", trace, dir);

            assertThat(gateway).extracting(GatewayParity.Answer::model).containsExactly("a", "b");
            assertThat(replay.after().outcomes()).extracting(o -> o.model()).containsExactly(Optional.of("a"),
                    Optional.of("b"));
            assertThat(GatewayParity.metric(replay, "after.model.b.calls")).isEqualByComparingTo("1");
            assertThat(GatewayParity.metric(replay, "after.total")).isEqualByComparingTo(GatewayParity.billed(gateway));
        }
    }
}
