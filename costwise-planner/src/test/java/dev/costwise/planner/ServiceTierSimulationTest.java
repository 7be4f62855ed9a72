package dev.costwise.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.planner.report.PlanReport;
import dev.costwise.planner.scenario.ScenarioException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What moving traffic to OpenAI's flex tier saves, planned with the catalog's flex prices. */
class ServiceTierSimulationTest {

    @TempDir
    Path dir;

    private PlanReport simulate(String after) throws IOException {
        Path file = dir.resolve("flex.yaml");
        Files.writeString(file, """
                name: flex
                traffic:
                  requestsPerDay: 200
                  promptTokens: 1000
                  outputTokens: 500
                before:
                  model: o4-mini
                after:
                """ + after.indent(2));
        return Planner.ofDefaults().simulate(ScenarioFile.of(file));
    }

    @Test
    void givenBackgroundTrafficMovedToFlex_whenSimulated_thenTheDayCostsHalf() throws IOException {
        PlanReport report = simulate("model: {model: o4-mini, serviceTier: flex}");

        // o4-mini: 1,000 × $1.10 + 500 × $4.40 per 1M = $0.0033 a request on the standard tier, $0.00165 on flex
        assertThat(report.metric("before.perDay")).hasValueSatisfying(v -> assertThat(v)
                .isEqualByComparingTo(new BigDecimal("0.66")));
        assertThat(report.metric("after.perDay")).hasValueSatisfying(v -> assertThat(v)
                .isEqualByComparingTo(new BigDecimal("0.33")));
    }

    @Test
    void givenATierTheCatalogDoesNotPriceTheModelOn_whenRead_thenTheErrorSaysSo() {
        assertThatThrownBy(() -> simulate("model: {model: gpt-4o, serviceTier: flex}"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("after.model.serviceTier: the catalog has no flex prices for 'gpt-4o'");
        assertThatThrownBy(() -> simulate("model: {model: o4-mini, serviceTier: cheap}"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("expected default, flex or priority, was 'cheap'");
        assertThatThrownBy(() -> simulate("model: {model: o4-mini, serviceTeir: flex}"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("unknown field 'serviceTeir'");
    }
}
