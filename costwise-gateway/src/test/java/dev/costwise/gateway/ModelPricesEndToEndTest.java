package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.llm.cost.PriceStatus;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Every model the gateway serves has a price: its own, the catalog's (also under its provider's prefix, as OpenRouter
 * ids are), or none needed (local and simulated models); a model without one is refused at load (see
 * ShutdownAndConfigTest), since its calls would be billed $0 and no budget could hold them.
 */
class ModelPricesEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    @Test
    void givenAnOpenRouterModelByItsOwnId_whenCalled_thenItIsBilledAtTheCatalogsOpenRouterPrice() {
        upstream.enqueue(OpenAiFake.completion("openai/gpt-4o-mini", "hi", 1000, 500));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: or-mini, provider: openrouter, model: openai/gpt-4o-mini, api_key: k, base_url: %s/v1}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("or-mini", "hi"));

            // openrouter/openai/gpt-4o-mini: $0.15 in, $0.60 out per 1M: 1000 × 0.15 + 500 × 0.60 = $0.00045
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.00045");
            assertThat(gw.records().getFirst().cost()).isEqualTo(Money.of("0.00045"));
            assertThat(gw.records().getFirst().priceStatus()).isEqualTo(PriceStatus.PRICED);
        }
    }

    @Test
    void givenALocalModelTheCatalogDoesNotList_whenCalled_thenItLoadsAndIsFree() {
        upstream.enqueue(OpenAiFake.completion("phi4", "hi", 10, 5));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: phi, provider: ollama, model: phi4, base_url: %s/v1}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("phi", "hi"));

            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0");
            assertThat(gw.records().getFirst().priceStatus()).isEqualTo(PriceStatus.LOCAL);
        }
    }

    @Test
    void givenACatalogModelNothingPrices_whenAsked_thenThe404SaysWhyItIsNotServed() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: gpt-4o-mini, provider: openai, base_url: %s/v1}
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> unpriced = gw.post("/v1/chat/completions", TestGateway.chat("gpt-5.2", "hi"));
            HttpResponse<String> unknown = gw.post("/v1/chat/completions", TestGateway.chat("gpt-99", "hi"));

            assertThat(unpriced.statusCode()).isEqualTo(404);
            assertThat(TestGateway.json(unpriced.body()).at("/error/message").asText())
                    .startsWith("the model 'gpt-5.2' is not served: the catalog has no price for it");
            assertThat(TestGateway.json(unknown.body()).at("/error/message").asText())
                    .startsWith("the model 'gpt-99' does not exist (known: gpt-4o-mini");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenProviderKeysInTheEnvironment_whenTheDefaultIsBuilt_thenOnlyModelsWithAPriceAreServed() {
        GatewayConfig detected = EmbeddedDefaults.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-x",
                "HF_TOKEN", "hf-x")::get, NOV_28_2026);

        List<String> served = detected.models().stream().map(GatewayConfig.Model::name).toList();
        assertThat(served).contains("gpt-4o", "gpt-4o-mini")
                .doesNotContain("gpt-5.2", "huggingface/meta-llama/Llama-3.3-70B-Instruct");
        assertThat(detected.models()).allSatisfy(m -> assertThat(m.effectivePrice()).isPresent());
    }

    @Test
    void givenAProviderKey_whenTheDefaultIsBuilt_thenModelsTheProviderHasRetiredAreNotServed() {
        GatewayConfig detected = EmbeddedDefaults.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-x")::get, NOV_28_2026);
        GatewayConfig later = EmbeddedDefaults.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-x")::get,
                Clock.fixed(Instant.parse("2027-01-14T00:00:00Z"), ZoneOffset.UTC));

        // o4-mini was shut down on 2026-10-23; gpt-4o is served until 2027-01-14
        assertThat(detected.models()).extracting(GatewayConfig.Model::name).contains("gpt-4o")
                .doesNotContain("o4-mini");
        assertThat(later.models()).extracting(GatewayConfig.Model::name).doesNotContain("gpt-4o");
    }

    private static final Clock NOV_28_2026 = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
}
