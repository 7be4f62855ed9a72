package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.ModelRetirements;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A configured model its provider retired, or retires within 30 days, is warned of (never refused) by the config
 * check and in the gateway's start log; the bundled catalog's {@code retiresOn} says when, read with a fixed clock.
 */
class ModelRetirementWarningsTest {

    private static final Clock NOV_28 = at("2026-11-28T09:00:00Z");

    /** Anthropic retires Sonnet 4.5 on 2026-11-30 and retired Sonnet 4 on 2026-06-15; gpt-4o-mini goes 2027-01-14. */
    private static final String YAML = """
            models:
              - {name: sonnet45, provider: anthropic, model: claude-sonnet-4-5-20250929, api_key: k}
              - {name: mini, provider: openai, model: gpt-4o-mini, api_key: k}
              - {name: sonnet4, provider: anthropic, model: claude-sonnet-4-20250514, api_key: k}
              - {name: sonnet46, provider: anthropic, model: claude-sonnet-4-6, api_key: k}
              - {name: claude-sonnet-4, provider: sim}
              - {name: proxied, provider: openai-compatible, model: gemini-2.0-flash, base_url: "http://127.0.0.1:1/v1",
                 price: {input: "0.10", output: "0.40"}}
            """;

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    private static GatewayConfig config(String yaml) {
        GatewayConfig parsed = new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "test.yaml");
        return parsed.withServer(parsed.server().withAddress("127.0.0.1", 0));
    }

    @Test
    void givenARetiredAndASoonRetiringModel_whenChecked_thenOneWarningEachInConfigOrderAndNoneForTheOthers() {
        List<String> warnings = ModelRetirements.warnings(config(YAML), NOV_28);

        assertThat(warnings).containsExactly(
                "model 'sonnet45' (anthropic/claude-sonnet-4-5-20250929) retires on 2026-11-30 (in 2 days): from "
                        + "then its provider no longer serves it, and its calls fail or are answered by a replacement "
                        + "at other prices: move to a current model (see costwise models --catalog)",
                "model 'sonnet4' (anthropic/claude-sonnet-4-20250514) was retired by its provider on 2026-06-15, "
                        + "so its calls fail or are answered by a replacement at other prices: move to a current "
                        + "model (see costwise models --catalog)");
    }

    @Test
    void givenARetirementThirtyDaysAhead_thenWarned_andThirtyOneDaysAhead_thenNot() {
        GatewayConfig sonnet45 = config("models: [{name: s, provider: anthropic, model: claude-sonnet-4-5, "
                + "api_key: k}]");

        assertThat(ModelRetirements.warnings(sonnet45, at("2026-10-31T23:59:59Z")))
                .singleElement().asString().contains("retires on 2026-11-30 (in 30 days)");
        assertThat(ModelRetirements.warnings(sonnet45, at("2026-10-30T12:00:00Z"))).isEmpty();
        assertThat(ModelRetirements.warnings(sonnet45, at("2026-11-29T00:00:00Z")))
                .singleElement().asString().contains("retires on 2026-11-30 (in 1 day)");
        assertThat(ModelRetirements.warnings(sonnet45, at("2026-11-30T00:00:00Z")))
                .singleElement().asString().contains("was retired by its provider on 2026-11-30");
    }

    @Test
    void givenAnOpenRouterModelNamedWithoutItsPrefix_whenChecked_thenItsCatalogEntryIsFound() {
        GatewayConfig cfg = config("models: [{name: r, provider: openrouter, model: anthropic/claude-sonnet-4.5, "
                + "api_key: k}]");

        // OpenRouter sets its own schedule: the catalog gives that deployment no date, so nothing is claimed
        assertThat(ModelRetirements.retiresOn(cfg.models().getFirst())).isEmpty();
        assertThat(ModelRetirements.warnings(cfg, NOV_28)).isEmpty();
    }

    @Test
    void givenARetiringModel_whenTheGatewayStarts_thenItsStartLogWarnsOfIt() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (Gateway gw = Gateway.builder(config(YAML)).ledger(new MemorySpendLedger())
                .keys(new InMemoryVirtualKeyStore(NOV_28)).clock(NOV_28).build().start()) {
            assertThat(gw.port()).isPositive();
        } finally {
            System.setErr(oldErr);
        }

        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("WARN").contains("model 'sonnet45' (anthropic/claude-sonnet-4-5-20250929) retires "
                + "on 2026-11-30 (in 2 days)")
                .contains("model 'sonnet4' (anthropic/claude-sonnet-4-20250514) was retired by its provider on "
                        + "2026-06-15")
                .doesNotContain("'mini'").doesNotContain("'sonnet46'").doesNotContain("'proxied'");
    }
}
