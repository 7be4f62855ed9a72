package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogPricerTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private final CatalogPricer pricer = CatalogPricer.of(CATALOG);

    @Test
    void givenOpenAiUsageWithCachedPrompt_whenPriced_thenCachedTokensUseTheCachedPrice() {
        // prompt_tokens 1,000 (cached 200), completion_tokens 500 on gpt-4o ($2.50 / cached $1.25 / $10):
        // 800 × 2.50/1M + 200 × 1.25/1M + 500 × 10/1M = 0.002 + 0.00025 + 0.005 = $0.00725
        Usage usage = UsageNormalizer.fromOpenAi(1_000, 200, 500, 0);

        assertThat(pricer.price("gpt-4o", usage)).isEqualTo(new Pricer.Priced(Money.of("0.00725"), PriceStatus.PRICED));
    }

    @Test
    void givenUsageWithAReportedCost_whenPricedAsACallOrAsTokens_thenOnlyTheCallTakesTheReportedCost() {
        // the provider's charge is the call's cost; a baseline prices the same tokens on its own model
        Usage usage = Usage.of(1_000, 1_400).withReportedCost(Money.of("0.0123456789"));

        assertThat(pricer.priceCall("gpt-4o", usage))
                .isEqualTo(new Pricer.Priced(Money.of("0.0123456789"), PriceStatus.PROVIDER_REPORTED));
        assertThat(pricer.price("gpt-4o-mini", usage).cost()).isEqualTo(Money.of("0.00099"));
        assertThat(pricer.priceCall("gpt-4o", Usage.of(1_000, 1_400)).cost()).isEqualTo(Money.of("0.0165"));
        // a sum of calls is priced as tokens, never as one call's charge
        assertThat(usage.plus(usage).reportedCost()).isEmpty();
        assertThat(usage.withServiceTier(ServiceTier.FLEX).reportedCost()).hasValue(Money.of("0.0123456789"));
    }

    @Test
    void givenAnAlias_whenItsCatalogNameIsAsked_thenItIsTheModelsNameAndAnUnknownNameStaysAsItIs() {
        assertThat(pricer.catalogName("gpt-4o-2024-08-06")).isEqualTo("gpt-4o");
        assertThat(pricer.catalogName("Claude-Haiku-4.5")).isEqualTo("claude-haiku-4-5");
        assertThat(pricer.catalogName("llama3.2")).isEqualTo("llama3.2:3b");
        assertThat(pricer.catalogName("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(pricer.catalogName("my-own-model")).isEqualTo("my-own-model");
    }

    @Test
    void givenPromptsAbove200k_whenPriced_thenOnlyTheModelsWithA1mBetaPremiumPayTheLongContextRates() {
        // https://platform.claude.com/docs/en/about-claude/pricing#long-context-pricing: Sonnet 4 and 4.5 with the
        // context-1m beta bill a prompt above 200K input tokens at $6 / $22.50 for the whole call; Opus 4.6 and
        // Sonnet 4.6 have the 1M window at their standard prices
        Usage above = Usage.of(200_001, 1_000);
        Usage at = Usage.of(200_000, 1_000);

        // 200,001 × $6 + 1,000 × $22.50 per million
        assertThat(pricer.price("claude-sonnet-4-5", above).cost()).isEqualTo(Money.of("1.222506"));
        assertThat(pricer.price("claude-sonnet-4", above).cost()).isEqualTo(Money.of("1.222506"));
        // 200,000 × $3 + 1,000 × $15 per million: at the threshold, not above it
        assertThat(pricer.price("claude-sonnet-4-5", at).cost()).isEqualTo(Money.of("0.615"));
        // 200,001 × $3 + 1,000 × $15 per million
        assertThat(pricer.price("claude-sonnet-4-6", above).cost()).isEqualTo(Money.of("0.615003"));
    }

    @Test
    void givenSpecRequestShapes_whenPriced_thenMatchTheSpecPerRequestCosts() {
        // spec: GPT-4o request $0.0165 = 1,000 × 2.50/1M + 1,400 × 10/1M = 0.0025 + 0.014
        assertThat(pricer.price("gpt-4o", Usage.of(1_000, 1_400)).cost()).isEqualTo(Money.of("0.0165"));
        // spec: GPT-4o-mini request $0.00075 = 1,000 × 0.15/1M + 1,000 × 0.60/1M = 0.00015 + 0.0006
        assertThat(pricer.price("gpt-4o-mini", Usage.of(1_000, 1_000)).cost()).isEqualTo(Money.of("0.00075"));
    }

    @Test
    void givenOpenAiReasoningTokens_whenPriced_thenTheyAreBilledAsOutputOnce() {
        // o4-mini ($1.10 / $4.40): prompt 1,000, completion 3,000 of which reasoning 2,500 (already inside completion)
        // 1,000 × 1.10/1M + 3,000 × 4.40/1M = 0.0011 + 0.0132 = $0.0143
        Usage usage = UsageNormalizer.fromOpenAi(1_000, 0, 3_000, 2_500);

        assertThat(pricer.price("o4-mini", usage).cost()).isEqualTo(Money.of("0.0143"));
    }

    @Test
    void givenAnthropicUsageWithCacheReadsAndBothWriteTtls_whenPriced_thenEachPartHasItsOwnRate() {
        // claude-sonnet-4-5: input $3, cache read $0.30, 5m write $3.75, 1h write $6, output $15.
        // Anthropic input_tokens 300 exclude cache_read 1,000, ephemeral_5m 400 and ephemeral_1h 100:
        // 300 × 3 + 1,000 × 0.30 + 400 × 3.75 + 100 × 6 + 250 × 15 = 900 + 300 + 1,500 + 600 + 3,750 = 7,050 per 1M
        // = $0.00705
        Usage usage = UsageNormalizer.fromAnthropic(300, 1_000, 400, 100, 250);

        assertThat(pricer.price("claude-sonnet-4.5", usage).cost()).isEqualTo(Money.of("0.00705"));
    }

    @Test
    void givenGeminiUsageWithThoughts_whenPriced_thenThoughtsAreBilledAsOutput() {
        // gemini-2.5-flash: input $0.30, cached $0.03, output $2.50.
        // promptTokenCount 2,000 includes cachedContentTokenCount 1,500; candidates 300 + thoughts 700 = 1,000 output
        // 500 × 0.30 + 1,500 × 0.03 + 1,000 × 2.50 = 150 + 45 + 2,500 = 2,695 per 1M = $0.002695
        Usage usage = UsageNormalizer.fromGemini(2_000, 1_500, 300, 700);

        assertThat(pricer.price("gemini-2.5-flash", usage).cost()).isEqualTo(Money.of("0.002695"));
    }

    @Test
    void givenAnswersServedOnFlexOrPriority_whenPriced_thenTheTierThatServedThemSetsThePrice() {
        // o3: standard $2 / cached $0.50 / $8; flex half of each; priority $3.50 / $0.875 / $14.
        // prompt 10,000 (cached 4,000), completion 2,000:
        Usage usage = UsageNormalizer.fromOpenAi(10_000, 4_000, 2_000, 0);
        // standard: 6,000 × 2 + 4,000 × 0.50 + 2,000 × 8 = 12,000 + 2,000 + 16,000 = 30,000 per 1M = $0.03
        assertThat(pricer.price("o3", usage).cost()).isEqualTo(Money.of("0.03"));
        // flex: 6,000 × 1 + 4,000 × 0.25 + 2,000 × 4 = 6,000 + 1,000 + 8,000 = 15,000 per 1M = $0.015
        assertThat(pricer.price("o3", usage.withServiceTier(ServiceTier.FLEX)).cost()).isEqualTo(Money.of("0.015"));
        // priority: 6,000 × 3.50 + 4,000 × 0.875 + 2,000 × 14 = 21,000 + 3,500 + 28,000 = 52,500 per 1M = $0.0525
        assertThat(pricer.price("o3", usage.withServiceTier(ServiceTier.PRIORITY)).cost())
                .isEqualTo(Money.of("0.0525"));
    }

    @Test
    void givenATierTheModelHasNoPricesFor_whenPriced_thenTheStandardPricesApply() {
        // gpt-5-nano is sold on flex but not on priority; Claude has neither: their standard prices bill the call.
        // 1M × $0.05 + 1M × $0.40 = $0.45
        Usage usage = Usage.of(1_000_000, 1_000_000);

        assertThat(pricer.price("gpt-5-nano", usage.withServiceTier(ServiceTier.PRIORITY)).cost())
                .isEqualTo(pricer.price("gpt-5-nano", usage).cost()).isEqualTo(Money.of("0.45"));
        // 100,000 × $3 + 100,000 × $15 (below Sonnet's 200K long-context threshold)
        assertThat(pricer.price("claude-sonnet-4.5", Usage.of(100_000, 100_000).withServiceTier(ServiceTier.FLEX))
                .cost()).isEqualTo(Money.of("1.8"));
    }

    @Test
    void givenATierWithItsOwnLongContextPrices_whenThePromptIsAbove_thenThoseApply() {
        Pricing standard = Pricing.of("1", "2");
        Pricing flexLong = Pricing.of("5", "7");
        Pricing flex = new Pricing(Money.of("0.5"), Money.of("0.5"), Money.of("0.5"), Money.of("0.5"), Money.of("1"),
                Optional.of(new Pricing.LongContextPricing(100, flexLong)));
        Pricing prices = standard.withServiceTier(ServiceTier.FLEX, flex);

        assertThat(CatalogPricer.effectivePricing(prices, Usage.of(100, 1).withServiceTier(ServiceTier.FLEX)))
                .isEqualTo(flex);
        assertThat(CatalogPricer.effectivePricing(prices, Usage.of(101, 1).withServiceTier(ServiceTier.FLEX)))
                .isEqualTo(flexLong);
        assertThat(CatalogPricer.effectivePricing(prices, Usage.of(101, 1))).isSameAs(prices);
    }

    @Test
    void givenUsagesOfOneTierOrOfTwo_whenAdded_thenTheSumKeepsTheSharedTierOrFallsBackToStandard() {
        Usage flex = Usage.of(10, 5).withServiceTier(ServiceTier.FLEX);

        assertThat(flex.plus(flex).serviceTier()).isEqualTo(ServiceTier.FLEX);
        assertThat(flex.plus(Usage.of(1, 1)).serviceTier()).isEqualTo(ServiceTier.STANDARD);
        assertThat(flex.plus(flex).totalTokens()).isEqualTo(30);
    }

    @Test
    void givenGeminiProPromptAbove200k_whenPriced_thenLongContextPricesApplyToTheWholeCall() {
        // 250,000 × 2.50/1M + 1,000 × 15/1M = 0.625 + 0.015 = $0.64
        assertThat(pricer.price("gemini-2.5-pro", Usage.of(250_000, 1_000)).cost()).isEqualTo(Money.of("0.64"));
        // exactly 200,000 is not above the threshold: 200,000 × 1.25/1M + 1,000 × 10/1M = 0.25 + 0.01 = $0.26
        assertThat(pricer.price("gemini-2.5-pro", Usage.of(200_000, 1_000)).cost()).isEqualTo(Money.of("0.26"));
    }

    @Test
    void givenSonnetPromptAbove200kCountingCacheReads_whenPriced_thenLongContextPricesApply() {
        // claude-sonnet-4 long context: input $6, cache read $0.60, output $22.50.
        // input_tokens 150,000 + cache_read 100,000 = 250,000 > 200,000:
        // 150,000 × 6 + 100,000 × 0.60 + 2,000 × 22.50 = 900,000 + 60,000 + 45,000 = 1,005,000 per 1M = $1.005
        Usage usage = UsageNormalizer.fromAnthropic(150_000, 100_000, 0, 0, 2_000);

        assertThat(pricer.price("claude-sonnet-4", usage).cost()).isEqualTo(Money.of("1.005"));
    }

    @Test
    void givenFreeTierAndLocalModels_whenPriced_thenZeroWithTheirStatus() {
        Usage usage = Usage.of(10_000, 2_000);

        assertThat(pricer.price("gemini-2.5-pro:free", usage))
                .isEqualTo(new Pricer.Priced(Money.ZERO, PriceStatus.FREE_TIER));
        assertThat(pricer.price("deepseek/deepseek-r1:free", usage).status()).isEqualTo(PriceStatus.FREE_TIER);
        assertThat(pricer.price("llama3.1:8b", usage)).isEqualTo(new Pricer.Priced(Money.ZERO, PriceStatus.LOCAL));
    }

    @Test
    void givenModelWithNoPrice_whenPricedStrictly_thenFailsWithTypedErrorInsteadOfZero() {
        assertThatThrownBy(() -> pricer.price("huggingface/meta-llama/Llama-3.3-70B-Instruct", Usage.of(10, 10)))
                .isInstanceOf(UnpricedModelException.class)
                .hasMessageContaining("'huggingface/meta-llama/Llama-3.3-70B-Instruct' has no known price");
    }

    @Test
    void givenModelWithNoPrice_whenUnpricedAllowed_thenZeroMarkedUnpriced() {
        CatalogPricer lenient = CatalogPricer.builder(CATALOG).allowUnpricedModels().build();

        assertThat(lenient.price("huggingface/meta-llama/Llama-3.3-70B-Instruct", Usage.of(10, 10)))
                .isEqualTo(new Pricer.Priced(Money.ZERO, PriceStatus.UNPRICED));
        assertThat(lenient.price("my-private-model", Usage.of(10, 10)).status()).isEqualTo(PriceStatus.UNPRICED);
    }

    @Test
    void givenUnknownModel_whenPricedStrictly_thenFailsSuggestingNames() {
        assertThatThrownBy(() -> pricer.price("gpt-4o-mni", Usage.of(1, 1)))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("did you mean gpt-4o-mini");
    }

    @Test
    void givenEmbeddingUsage_whenPriced_thenOnlyInputIsBilled() {
        // text-embedding-3-small $0.02: 1,000,000 × 0.02/1M = $0.02
        assertThat(pricer.price("text-embedding-3-small", Usage.of(1_000_000, 0)).cost()).isEqualTo(Money.of("0.02"));
    }

    @Test
    void givenManyCalls_whenCostsAreSummed_thenTheTotalIsExact() {
        // 1,000,000 gpt-4o-mini calls of 1,000 + 1,000 tokens at $0.00075 each = $750 exactly (no float drift)
        Money one = pricer.price("gpt-4o-mini", Usage.of(1_000, 1_000)).cost();
        Money total = Money.ZERO;
        for (int i = 0; i < 1_000_000; i++) {
            total = total.plus(one);
        }
        assertThat(total).isEqualTo(Money.ofDollars(750));
    }

    // ------------------------------------------------------------------ baseline

    @Test
    void givenNoBaseline_whenAnotherModelAnswered_thenTheBaselineIsTheRequestedModelsPriceForTheSameTokens() {
        Usage usage = UsageNormalizer.fromOpenAi(1_000, 200, 500, 0);

        // 800 × 2.50 + 200 × 1.25 + 500 × 10 per million: gpt-4o's own cached price for the cached tokens
        assertThat(pricer.baselineCost(ChatRequest.of("gpt-4o", "hi"), "gpt-4o-mini", usage, Money.of("0.000435")))
                .isEqualTo(Money.of("0.00725"));
    }

    @Test
    void givenABaseline_whenAnyModelIsAskedFor_thenTheTokensArePricedOnTheBaseline() {
        CatalogPricer againstGpt4o = pricer.withBaseline("gpt-4o-2024-08-06");

        assertThat(againstGpt4o.baseline()).contains("gpt-4o");
        assertThat(againstGpt4o.baselineCost(ChatRequest.of("claude-sonnet-4-5", "hi"), "gpt-4o-mini",
                Usage.of(1_000, 500), Money.ZERO)).isEqualTo(Money.of("0.0075"));
        assertThat(againstGpt4o.toString()).endsWith(", baseline gpt-4o]");
    }

    @Test
    void givenTheBaselineIsTheModelCalled_whenMeasured_thenWhatWasPaidIsTheBaseline() {
        Money paid = Money.of("0.0123456789"); // reported by the provider: no savings claimed against itself

        assertThat(pricer.baselineCost(ChatRequest.of("gpt-4o-2024-11-20", "hi"), "gpt-4o", Usage.of(1_000, 500),
                paid)).isEqualTo(paid);
        assertThat(pricer.withBaseline("gpt-4o").baselineCost(ChatRequest.of("gpt-4o-mini", "hi"), "gpt-4o",
                Usage.of(1_000, 500), paid)).isEqualTo(paid);
    }

    @Test
    void givenARequestedModelTheCatalogCannotPrice_whenMeasured_thenWhatWasPaidIsTheBaseline() {
        assertThat(pricer.baselineCost(ChatRequest.of("my-router-alias", "hi"), "gpt-4o-mini", Usage.of(1_000, 500),
                Money.of("0.00045"))).isEqualTo(Money.of("0.00045"));
    }

    @Test
    void givenAReportedCost_whenMeasured_thenTheBaselinePricesTheTokens() {
        Usage usage = Usage.of(1_000, 500).withReportedCost(Money.of("0.0001"));

        assertThat(pricer.baselineCost(ChatRequest.of("gpt-4o", "hi"), "gpt-4o-mini", usage, Money.of("0.0001")))
                .isEqualTo(Money.of("0.0075"));
    }

    @Test
    void givenAFlexAnswer_whenMeasured_thenTheBaselineIsOnTheTierCostwiseDidNotChoose() {
        // o3: standard $2 / $8, flex $1 / $4 per million; the answer ran on flex
        Usage onFlex = Usage.of(1_000, 500).withServiceTier(ServiceTier.FLEX);
        ChatRequest callersFlex = ChatRequest.builder("o3").addMessage(Message.user("hi"))
                .serviceTier(ServiceTier.FLEX).build();
        ChatRequest costwisesFlex = callersFlex.toBuilder().callerServiceTier(Optional.of(ServiceTier.STANDARD))
                .build();

        assertThat(pricer.baselineCost(callersFlex, "gpt-4o-mini", onFlex, Money.ZERO))
                .as("o3 would have run on flex too").isEqualTo(Money.of("0.003"));
        assertThat(pricer.baselineCost(costwisesFlex, "gpt-4o-mini", onFlex, Money.ZERO))
                .as("without Costwise, o3 on the caller's standard tier").isEqualTo(Money.of("0.006"));
        assertThat(pricer.baselineCost(costwisesFlex, "o3", onFlex, Money.of("0.003")))
                .as("the model called, on the tier Costwise did not choose").isEqualTo(Money.of("0.006"));
        assertThat(pricer.baselineCost(callersFlex, "o3", onFlex, Money.of("0.003"))).isEqualTo(Money.of("0.003"));
    }

    @Test
    void givenABaselineTheCatalogCannotPrice_whenSet_thenRefusedNamingIt() {
        assertThatThrownBy(() -> pricer.withBaseline("gpt-4o-mni")).isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("gpt-4o-mni");
        assertThatThrownBy(() -> CatalogPricer.builder(CATALOG).allowUnpricedModels().build()
                .withBaseline("my-private-model")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'my-private-model' has no known price");
    }

    @Test
    void givenAPricerWithNoBaseline_whenAsked_thenWhatWasPaidIsTheBaseline() {
        Pricer fixed = (model, usage) -> new Pricer.Priced(Money.ofDollars(1), PriceStatus.PRICED);

        assertThat(fixed.baselineCost(ChatRequest.of("gpt-4o", "hi"), "m", Usage.of(1, 1), Money.of("0.25")))
                .isEqualTo(Money.of("0.25"));
    }
}
