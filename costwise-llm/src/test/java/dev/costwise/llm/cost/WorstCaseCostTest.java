package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorstCaseCostTest {

    private static final ModelCatalog CATALOG = ModelCatalog.bundled();

    private static Pricing pricing(String model) {
        return CATALOG.require(model).pricing().orElseThrow();
    }

    @Test
    void givenAPromptAndAnOutputLimit_whenPriced_thenBothAreAtTheTiersPrices() {
        // gpt-4o: 11 × $2.50 + 1,000 × $10 per 1M; o4-mini on flex: 1,000 × $0.55 + 1,000 × $2.20 per 1M
        assertThat(WorstCaseCost.of(pricing("gpt-4o"), 11, 1_000, ServiceTier.STANDARD, Optional.empty()))
                .isEqualTo(Money.of("0.0100275"));
        assertThat(WorstCaseCost.of(pricing("o4-mini"), 1_000, 1_000, ServiceTier.FLEX, Optional.empty()))
                .isEqualTo(Money.of("0.00275"));
    }

    @Test
    void givenACallThatMayWriteThePromptCache_whenPriced_thenThePromptIsHeldAtTheWritePrice() {
        // claude-haiku-4-5: $1 input, $1.25 five-minute writes, $2 one-hour writes, $5 output per 1M
        Pricing haiku = pricing("claude-haiku-4-5");

        assertThat(WorstCaseCost.of(haiku, 1_000, 0, ServiceTier.STANDARD, Optional.of(CacheControl.Ttl.FIVE_MINUTES)))
                .isEqualTo(Money.of("0.00125"));
        assertThat(WorstCaseCost.of(haiku, 1_000, 0, ServiceTier.STANDARD, Optional.of(CacheControl.Ttl.ONE_HOUR)))
                .isEqualTo(Money.of("0.002"));
    }

    @Test
    void givenAModelThatBillsUsOnlyInferenceApart_whenPriced_thenItIsHeldAtThatDearerGeography() {
        // a workspace's default_inference_geo may run any call in the US: claude-opus-4-6 at 1.1 × ($5 in, $25 out)
        assertThat(WorstCaseCost.of(pricing("claude-opus-4-6"), 1_000, 1_000, ServiceTier.STANDARD, Optional.empty()))
                .isEqualTo(Money.of("0.033"));
        assertThat(WorstCaseCost.of(pricing("claude-opus-4-5"), 1_000, 1_000, ServiceTier.STANDARD, Optional.empty()))
                .isEqualTo(Money.of("0.03"));
    }

    @Test
    void givenAModelThatMarksThePromptCache_whenItsWritesAreTaken_thenTheRequestsOwnBreakpointsComeFirst() {
        Optional<CacheControl.Ttl> none = Optional.empty();
        Optional<CacheControl.Ttl> hour = Optional.of(CacheControl.Ttl.ONE_HOUR);

        assertThat(WorstCaseCost.cacheWrites(none, AnthropicPromptCaching.NONE)).isEmpty();
        assertThat(WorstCaseCost.cacheWrites(none, AnthropicPromptCaching.TOOLS_AND_SYSTEM))
                .contains(CacheControl.Ttl.FIVE_MINUTES);
        assertThat(WorstCaseCost.cacheWrites(hour, AnthropicPromptCaching.TOOLS_AND_SYSTEM)).isEqualTo(hour);
        assertThat(WorstCaseCost.cacheWrites(hour, AnthropicPromptCaching.NONE)).isEqualTo(hour);
    }

    @Test
    void givenNoRequestedLimit_whenTheOutputLimitIsTaken_thenTheModelsAndForAThinkingAnthropicModelItsBudgetToo() {
        assertThat(WorstCaseCost.outputLimit(1_000, 16_384, "openai", Optional.empty())).isEqualTo(1_000);
        assertThat(WorstCaseCost.outputLimit(0, 16_384, "openai", Optional.of(Reasoning.budget(32_000))))
                .isEqualTo(16_384);
        assertThat(WorstCaseCost.outputLimit(0, 8_192, "anthropic", Optional.of(Reasoning.budget(10_000))))
                .isEqualTo(18_192);
        assertThat(WorstCaseCost.outputLimit(0, 8_192, "anthropic", Optional.of(Reasoning.budget(4_000))))
                .as("a budget below the limit fits inside it").isEqualTo(8_192);
    }

    @Test
    void givenAVerdictPromptAndTheLongestAnswer_whenHeld_thenTheAnswerCountsAQuarterMorePlusFraming() {
        // 120 prompt tokens + 1,000 answer tokens + 250 (a finer tokenizer) + 16 framing
        assertThat(WorstCaseCost.verdictInput(120, 1_000)).isEqualTo(1_386);
        assertThat(WorstCaseCost.verdictInput(0, 0)).isEqualTo(16);
    }
}
