package dev.costwise.llm.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ServiceTier;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogJsonReaderTest {

    private static final String VALID = """
            {"name": "m1", "provider": "p", "kind": "chat",
             "pricing": {"input": "1.00", "output": "2.00"},
             "contextWindow": 1000, "maxOutputTokens": 100, "capabilities": ["tools"], "tier": 2,
             "priceSource": "https://example.com", "priceAsOf": "2025-11-20"}""";

    @Test
    void givenMinimalEntry_whenRead_thenDefaultsCachedAndCacheWritePricesToInput() {
        ModelInfo m = read("{\"models\": [" + VALID + "]}").require("m1");

        assertThat(m.upstreamModel()).isEqualTo("m1");
        assertThat(m.pricing().orElseThrow().cachedInputPerMillion()).isEqualTo(Money.of("1"));
        assertThat(m.pricing().orElseThrow().cacheWrite1hPerMillion()).isEqualTo(Money.of("1"));
        assertThat(m.supports(Capability.TOOLS)).isTrue();
    }

    @Test
    void givenFlexAndPriorityPrices_whenRead_thenEachTierHasItsOwnWithCachedInputDefaultingToItsInput() {
        String json = "{\"models\": [" + VALID.replace("\"output\": \"2.00\"}", "\"output\": \"2.00\", "
                + "\"flex\": {\"input\": \"0.50\", \"output\": \"1.00\"}, "
                + "\"priority\": {\"input\": \"1.75\", \"cachedInput\": \"0.4375\", \"output\": \"3.50\"}}")
                + "]}";

        Pricing p = read(json).require("m1").pricing().orElseThrow();

        assertThat(p.onTier(ServiceTier.FLEX).inputPerMillion()).isEqualTo(Money.of("0.5"));
        assertThat(p.onTier(ServiceTier.FLEX).cachedInputPerMillion()).isEqualTo(Money.of("0.5"));
        assertThat(p.onTier(ServiceTier.PRIORITY).cachedInputPerMillion()).isEqualTo(Money.of("0.4375"));
        assertThat(p.onTier(ServiceTier.PRIORITY).outputPerMillion()).isEqualTo(Money.of("3.5"));
        assertThat(p.onTier(ServiceTier.STANDARD)).isSameAs(p);
    }

    @Test
    void givenABadTierPrice_whenRead_thenErrorNamesTheTierAndField() {
        String bad = "{\"models\": [" + VALID.replace("\"output\": \"2.00\"}", "\"output\": \"2.00\", "
                + "\"flex\": {\"input\": \"0.50\", \"ouput\": \"1.00\"}}") + "]}";
        String notObject = "{\"models\": [" + VALID.replace("\"output\": \"2.00\"}",
                "\"output\": \"2.00\", \"priority\": \"2x\"}") + "]}";

        assertThatThrownBy(() -> read(bad)).isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("pricing.flex.ouput is not a known field");
        assertThatThrownBy(() -> read(notObject)).isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("pricing.priority must be an object of the priority tier's prices");
    }

    @Test
    void givenInferenceGeoMultipliers_whenRead_thenTheyAreThePricesOnesAndABadOneIsNamed() {
        String geo = "{\"models\": [" + VALID.replace("\"output\": \"2.00\"}",
                "\"output\": \"2.00\", \"inferenceGeo\": {\"us\": \"1.1\"}}") + "]}";
        String zero = geo.replace("\"1.1\"", "\"0\"");
        String word = geo.replace("\"1.1\"", "\"x1.1\"");
        String onATier = "{\"models\": [" + VALID.replace("\"output\": \"2.00\"}", "\"output\": \"2.00\", "
                + "\"flex\": {\"input\": \"0.50\", \"output\": \"1.00\", \"inferenceGeo\": {\"us\": \"1.1\"}}}")
                + "]}";

        Pricing p = read(geo).require("m1").pricing().orElseThrow();

        assertThat(p.inferenceGeoMultipliers()).containsExactly(Map.entry("us", new BigDecimal("1.1")));
        assertThat(p.inferenceGeoMultiplier(Optional.of("us"))).isEqualByComparingTo("1.1");
        assertThat(p.inferenceGeoMultiplier(Optional.of("global"))).isEqualByComparingTo("1");
        assertThatThrownBy(() -> read(zero)).isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("pricing.inferenceGeo.us must be a positive multiplier of the prices, was 0");
        assertThatThrownBy(() -> read(word)).isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("pricing.inferenceGeo.us must be a decimal number");
        assertThatThrownBy(() -> read(onATier)).isInstanceOf(CatalogFormatException.class)
                .hasMessageContaining("pricing.flex.inferenceGeo is not a known field");
    }

    @Test
    void givenBadPrice_whenRead_thenErrorNamesFileEntryFieldAndValue() {
        String json = "{\"models\": [" + VALID.replace("\"input\": \"1.00\"", "\"input\": \"one\"") + "]}";

        assertThatThrownBy(() -> read(json))
                .isInstanceOf(CatalogFormatException.class)
                .hasMessage("test.json: models[0] 'm1': pricing.input must be a decimal number of dollars per 1M"
                        + " tokens, was \"one\"");
    }

    @Test
    void givenNegativePrice_whenRead_thenRejected() {
        String json = "{\"models\": [" + VALID.replace("\"2.00\"", "\"-2.00\"") + "]}";

        assertThatThrownBy(() -> read(json)).hasMessageContaining("pricing.output cannot be negative, was -2.00");
    }

    @Test
    void givenMissingPricing_whenRead_thenErrorExplainsNullAndFree() {
        String json = "{\"models\": [" + VALID.replace("\"pricing\": {\"input\": \"1.00\", \"output\": \"2.00\"},",
                "") + "]}";

        assertThatThrownBy(() -> read(json))
                .hasMessageContaining("models[0] 'm1': pricing is missing; use null for an unknown price");
    }

    @Test
    void givenUnknownCapability_whenRead_thenErrorListsKnownOnes() {
        String json = "{\"models\": [" + VALID.replace("[\"tools\"]", "[\"telepathy\"]") + "]}";

        assertThatThrownBy(() -> read(json))
                .hasMessageContaining("capabilities unknown capability \"telepathy\"; known: [tools, vision");
    }

    @Test
    void givenMisspeltField_whenRead_thenRejectedInsteadOfIgnored() {
        String json = "{\"models\": [" + VALID.replace("\"tier\"", "\"teir\"") + "]}";

        assertThatThrownBy(() -> read(json)).hasMessageContaining("models[0] 'm1': teir is not a known field");
    }

    @Test
    void givenFreeTierOnPaidModel_whenRead_thenRejected() {
        String json = "{\"models\": [" + VALID.replace("\"tier\": 2", "\"tier\": 2, \"freeTier\": {\"rpm\": 5}")
                + "]}";

        assertThatThrownBy(() -> read(json)).hasMessageContaining("freeTier is only allowed on a free deployment");
    }

    @Test
    void givenUndeclaredProvider_whenRead_thenRejected() {
        String json = "{\"providers\": {\"openai\": {}}, \"models\": [" + VALID + "]}";

        assertThatThrownBy(() -> read(json)).hasMessageContaining("provider 'p' is not declared in 'providers'");
    }

    @Test
    void givenBadDate_whenRead_thenRejectedWithExample() {
        String json = "{\"models\": [" + VALID.replace("2025-11-20", "last week") + "]}";

        assertThatThrownBy(() -> read(json)).hasMessageContaining("priceAsOf must be an ISO date");
    }

    @Test
    void givenARetirementDate_whenRead_thenTheModelCarriesItAndIsRetiredFromThatDayOn() {
        String json = "{\"models\": [" + VALID.replace("\"priceAsOf\": \"2025-11-20\"",
                "\"priceAsOf\": \"2025-11-20\", \"retiresOn\": \"2026-11-30\"") + "]}";

        ModelInfo m = read(json).require("m1");

        assertThat(m.retiresOn()).contains(LocalDate.of(2026, 11, 30));
        assertThat(m.isRetiredOn(LocalDate.of(2026, 11, 29))).isFalse();
        assertThat(m.isRetiredOn(LocalDate.of(2026, 11, 30))).isTrue();
        assertThat(m.isRetiredOn(LocalDate.of(2027, 1, 1))).isTrue();
    }

    @Test
    void givenNoOrANullRetirementDate_whenRead_thenNoneIsKnown() {
        String withNull = "{\"models\": [" + VALID.replace("\"priceAsOf\": \"2025-11-20\"",
                "\"priceAsOf\": \"2025-11-20\", \"retiresOn\": null") + "]}";

        assertThat(read("{\"models\": [" + VALID + "]}").require("m1").retiresOn()).isEmpty();
        assertThat(read(withNull).require("m1").retiresOn()).isEmpty();
        assertThat(read(withNull).require("m1").isRetiredOn(LocalDate.of(2999, 1, 1))).isFalse();
    }

    @Test
    void givenABadRetirementDate_whenRead_thenTheErrorNamesTheModelTheFieldAndTheValue() {
        String notIso = "{\"models\": [" + VALID.replace("\"priceAsOf\": \"2025-11-20\"",
                "\"priceAsOf\": \"2025-11-20\", \"retiresOn\": \"30/11/2026\"") + "]}";
        String notText = "{\"models\": [" + VALID.replace("\"priceAsOf\": \"2025-11-20\"",
                "\"priceAsOf\": \"2025-11-20\", \"retiresOn\": 20261130") + "]}";

        assertThatThrownBy(() -> read(notIso)).isInstanceOf(CatalogFormatException.class)
                .hasMessage("test.json: models[0] 'm1': retiresOn must be an ISO date such as 2025-11-20, was "
                        + "\"30/11/2026\"");
        assertThatThrownBy(() -> read(notText)).isInstanceOf(CatalogFormatException.class)
                .hasMessage("test.json: models[0] 'm1': retiresOn must be a string, was NUMBER 20261130");
    }

    @Test
    void givenARetiringModel_whenItsPriceIsOverridden_thenItKeepsItsRetirementDate() {
        String json = "{\"models\": [" + VALID.replace("\"priceAsOf\": \"2025-11-20\"",
                "\"priceAsOf\": \"2025-11-20\", \"retiresOn\": \"2026-11-30\"") + "]}";

        ModelCatalog overridden = ModelCatalogs.builder().from(read(json))
                .override("m1", Pricing.of("0.50", "1.00")).build();

        assertThat(overridden.require("m1").retiresOn()).contains(LocalDate.of(2026, 11, 30));
    }

    @Test
    void givenNullPricing_whenRead_thenModelIsUnpriced() {
        String json = "{\"models\": [" + VALID.replace("{\"input\": \"1.00\", \"output\": \"2.00\"}", "null")
                + "]}";

        assertThat(read(json).require("m1").pricing()).isEmpty();
    }

    @Test
    void givenBrokenJson_whenRead_thenSaysSo() {
        assertThatThrownBy(() -> read("{\"models\": [")).hasMessageStartingWith("test.json: not valid JSON");
    }

    @Test
    void givenDuplicateNames_whenRead_thenFailsNamingBoth() {
        assertThatThrownBy(() -> read("{\"models\": [" + VALID + "," + VALID + "]}"))
                .hasMessageContaining("test.json: model name or alias 'm1'");
    }

    private static ModelCatalog read(String json) {
        return ModelCatalogs.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }
}
