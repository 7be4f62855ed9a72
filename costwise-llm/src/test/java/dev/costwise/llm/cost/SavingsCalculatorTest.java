package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SavingsCalculatorTest {

    private final CatalogPricer pricer = CatalogPricer.of(ModelCatalogs.bundled());
    private final SavingsCalculator savings = SavingsCalculator.of(pricer, "gpt-4o");

    @Test
    void givenCallOnCheaperModel_whenSavingsComputed_thenBaselineMinusCost() {
        // gpt-4o-mini: 1,000 × 0.15 + 1,400 × 0.60 = 150 + 840 = 990 per 1M = $0.00099
        // gpt-4o baseline: 1,000 × 2.50 + 1,400 × 10 = 2,500 + 14,000 = 16,500 per 1M = $0.0165
        SavingsCalculator.Savings s = savings.savings("gpt-4o-mini", Usage.of(1_000, 1_400));

        assertThat(s.cost()).isEqualTo(Money.of("0.00099"));
        assertThat(s.baselineCost()).isEqualTo(Money.of("0.0165"));
        assertThat(s.saved()).isEqualTo(Money.of("0.01551"));
        assertThat(s.savedRatio()).isEqualTo(0.94);
    }

    @Test
    void givenFreeModel_whenSavingsComputed_thenTheWholeBaselineIsSaved() {
        SavingsCalculator.Savings s = savings.savings("gemini-2.5-pro:free", Usage.of(1_000, 1_400));

        assertThat(s.saved()).isEqualTo(Money.of("0.0165"));
        assertThat(s.status()).isEqualTo(PriceStatus.FREE_TIER);
    }

    @Test
    void givenCallOnDearerModel_whenSavingsComputed_thenSavingsAreNegative() {
        // claude-opus-4-1: 1,000 × 15 + 1,000 × 75 = 90,000 per 1M = $0.09; gpt-4o: 2,500 + 10,000 = $0.0125
        assertThat(savings.savings("claude-opus-4-1", Usage.of(1_000, 1_000)).saved()).isEqualTo(Money.of("-0.0775"));
    }

    @Test
    void givenCacheHit_whenSavingsComputed_thenNothingPaidAndBaselineSaved() {
        SavingsCalculator.Savings s = savings.cacheHitSavings(Usage.of(1_000, 1_400));

        assertThat(s.cost()).isEqualTo(Money.ZERO);
        assertThat(s.saved()).isEqualTo(Money.of("0.0165"));
    }

    @Test
    void givenATierCostwiseChoseOrNot_whenTheBaselineIsPriced_thenOnlyCostwisesChoiceMovesIt() {
        // gpt-5: 100,000 prompt tokens (50,000 cached) and 20,000 output; standard $0.26875, priority twice that
        Usage usage = UsageNormalizer.fromOpenAi(100_000, 50_000, 20_000, 0);
        SavingsCalculator againstGpt5 = SavingsCalculator.of(pricer, "gpt-5");

        assertThat(SavingsCalculator.baselineTier(ServiceTier.PRIORITY, Optional.empty()))
                .as("the caller's or its account's tier").isEqualTo(ServiceTier.PRIORITY);
        assertThat(SavingsCalculator.baselineTier(ServiceTier.FLEX,
                Optional.of(SavingsCalculator.callerTier(Optional.empty())))).isEqualTo(ServiceTier.STANDARD);
        assertThat(againstGpt5.baselineCost(usage.withServiceTier(ServiceTier.PRIORITY), Optional.empty()))
                .isEqualTo(Money.of("0.5375"));
        assertThat(againstGpt5.baselineCost(usage.withServiceTier(ServiceTier.FLEX), Optional.empty()))
                .isEqualTo(Money.of("0.134375"));
        assertThat(againstGpt5.baselineCost(usage.withServiceTier(ServiceTier.FLEX),
                Optional.of(ServiceTier.STANDARD))).isEqualTo(Money.of("0.26875"));
    }

    @Test
    void givenUnpricedBaseline_whenCreated_thenRejected() {
        CatalogPricer lenient = CatalogPricer.builder(ModelCatalogs.bundled()).allowUnpricedModels().build();

        assertThatThrownBy(() -> SavingsCalculator.of(lenient, "huggingface/meta-llama/Llama-3.3-70B-Instruct"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no known price");
    }
}
