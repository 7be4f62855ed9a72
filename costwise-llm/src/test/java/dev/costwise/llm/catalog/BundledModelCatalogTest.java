package dev.costwise.llm.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BundledModelCatalogTest {

    private final ModelCatalog catalog = ModelCatalogs.bundled();

    @Test
    void givenBundledFile_whenLoaded_thenItHoldsAtLeastFortyModelsAcrossEveryProvider() {
        assertThat(catalog.all()).hasSizeGreaterThanOrEqualTo(40);
        assertThat(catalog.all()).extracting(ModelInfo::provider).contains("openai", "anthropic", "gemini", "groq",
                "openrouter", "deepseek", "mistral", "huggingface", "ollama");
        assertThat(catalog.all()).allSatisfy(m -> {
            assertThat(m.priceSource()).isNotBlank();
            assertThat(m.priceAsOf()).isAfter(LocalDate.of(2024, 1, 1));
        });
    }

    @Test
    void givenSpecModels_whenLookedUp_thenEachHasTheSpecPrices() {
        assertPrices("gpt-4o", "2.50", "1.25", "10");
        assertPrices("gpt-4o-mini", "0.15", "0.075", "0.60");
        assertPrices("claude-sonnet-4-5", "3", "0.30", "15");
        assertPrices("claude-3-5-sonnet-20241022", "3", "0.30", "15");
        assertPrices("gemini-2.5-pro", "1.25", "0.125", "10");
        assertThat(catalog.require("claude-sonnet-4.5").name()).isEqualTo("claude-sonnet-4-5");
        for (String free : List.of("llama3.1:8b", "codellama:7b", "deepseek/deepseek-r1:free",
                "gemini-2.5-pro:free", "gemini-2.5-flash:free", "llama-3.3-70b-versatile:free")) {
            assertThat(catalog.require(free).isFree()).as(free).isTrue();
        }
        assertThat(catalog.require("gemini-2.5-flash").isFree()).isFalse();
        assertThat(catalog.require("llama-3.3-70b-versatile").provider()).isEqualTo("groq");
    }

    @Test
    void givenLlama32_8b_whichOllamaDoesNotPublish_whenLookedUp_thenUnknownRatherThanLlama31() {
        assertThatThrownBy(() -> catalog.require("llama3.2:8b")).isInstanceOf(UnknownModelException.class);

        ModelInfo m = catalog.require("llama3.1:8b");
        assertThat(m.aliases()).isEmpty();
        assertThat(m.provider()).isEqualTo("ollama");
        assertThat(m.freeTier()).contains(FreeTier.UNLIMITED);
    }

    @Test
    void givenLongContextModels_whenLookedUp_thenTheyCarryThe200kPrices() {
        Pricing.LongContextPricing pro = catalog.require("gemini-2.5-pro").pricing().orElseThrow().longContext()
                .orElseThrow();
        assertThat(pro.thresholdInputTokens()).isEqualTo(200_000);
        assertThat(pro.pricing().inputPerMillion()).isEqualTo(Money.of("2.50"));
        assertThat(pro.pricing().outputPerMillion()).isEqualTo(Money.of("15"));

        for (String sonnet : List.of("claude-sonnet-4", "claude-sonnet-4-5")) {
            Pricing.LongContextPricing lc = catalog.require(sonnet).pricing().orElseThrow().longContext()
                    .orElseThrow();
            assertThat(lc.pricing().inputPerMillion()).as(sonnet).isEqualTo(Money.of("6"));
            assertThat(lc.pricing().outputPerMillion()).as(sonnet).isEqualTo(Money.of("22.50"));
        }
    }

    @Test
    void givenAnthropicModel_whenLookedUp_thenCacheWritesCostOneAndAQuarterOrTwiceInput() {
        Pricing p = catalog.require("claude-sonnet-4-5").pricing().orElseThrow();

        assertThat(p.cacheWrite5mPerMillion()).isEqualTo(Money.of("3.75"));
        assertThat(p.cacheWrite1hPerMillion()).isEqualTo(Money.of("6"));
    }

    @Test
    void givenClaudeModelsOf2026_whenLookedUp_thenEachHasThePricingPagePrices() {
        // platform.claude.com model pages and pricing page: input, 5m write, 1h write, cache hit, output
        assertAnthropicPrices("claude-opus-5-5", "4", "5", "8", "0.20", "20");
        assertAnthropicPrices("claude-opus-5", "5", "6.25", "10", "0.50", "25");
        assertAnthropicPrices("claude-opus-4-6", "5", "6.25", "10", "0.50", "25");
        assertAnthropicPrices("claude-sonnet-5", "2", "2.50", "4", "0.20", "10");
        assertAnthropicPrices("claude-sonnet-4-6", "3", "3.75", "6", "0.30", "15");
        assertAnthropicPrices("claude-fable-5-1", "10", "12.50", "20", "0.25", "50");
        assertAnthropicPrices("claude-fable-5", "10", "12.50", "20", "1", "50");

        ModelInfo opus = catalog.require("claude-opus-4.7");
        assertThat(opus.name()).isEqualTo("claude-opus-4-7");
        assertThat(opus.contextWindow()).isEqualTo(1_000_000);
        assertThat(opus.maxOutputTokens()).isEqualTo(128_000);
    }

    @Test
    void givenClaudeModelsWithAMillionTokenWindowAtOneRate_whenLookedUp_thenTheyHaveNoLongContextTier() {
        for (String model : List.of("claude-opus-5-5", "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7",
                "claude-opus-4-6", "claude-sonnet-5", "claude-sonnet-4-6", "claude-fable-5-1", "claude-fable-5")) {
            ModelInfo m = catalog.require(model);
            assertThat(m.contextWindow()).as(model).isEqualTo(1_000_000);
            assertThat(m.pricing().orElseThrow().longContext()).as(model).isEmpty();
        }
    }

    @Test
    void givenGpt51_whenLookedUp_thenItHasTheModelPagePricesAndItsSnapshotAlias() {
        assertPrices("gpt-5.1", "1.25", "0.125", "10");
        ModelInfo m = catalog.require("gpt-5.1-2025-11-13");
        assertThat(m.name()).isEqualTo("gpt-5.1");
        assertThat(m.contextWindow()).isEqualTo(400_000);
        assertThat(m.maxOutputTokens()).isEqualTo(128_000);
        assertThat(m.pricing().orElseThrow().cacheWrite5mPerMillion()).as("OpenAI bills no cache writes for gpt-5.1")
                .isEqualTo(Money.of("1.25"));
    }

    @Test
    void givenNewModelsWithoutAFullOfficialPrice_whenLookedUp_thenTheyAreUnpricedRatherThanGuessed() {
        for (String model : List.of("claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-2", "gpt-5.2",
                "gpt-5.4", "gpt-5.4-mini", "gpt-5.5", "gpt-6.2-sol", "gemini-3.1-pro-preview",
                "gemini-3-pro-preview", "gemini-3-flash-preview")) {
            assertThat(catalog.require(model).pricing()).as(model).isEmpty();
        }
        ModelInfo gemini = catalog.require("gemini-3.1-pro-preview");
        assertThat(gemini.contextWindow()).isEqualTo(1_048_576);
        assertThat(gemini.maxOutputTokens()).isEqualTo(65_536);
        assertThat(catalog.require("gpt-6.2-sol").contextWindow()).isEqualTo(1_050_000);
    }

    @Test
    void givenFreeTierDeployments_whenLookedUp_thenTheyCarryTheirDocumentedLimits() {
        FreeTier pro = catalog.require("gemini-2.5-pro:free").freeTier().orElseThrow();
        assertThat(pro.requestsPerMinute()).hasValue(5);
        assertThat(pro.requestsPerDay()).hasValue(100);
        assertThat(pro.tokensPerMinute()).hasValue(250_000);

        FreeTier groq = catalog.require("llama-3.3-70b-versatile:free").freeTier().orElseThrow();
        assertThat(groq.requestsPerMinute()).hasValue(30);
        assertThat(groq.tokensPerDay()).hasValue(100_000);
        assertThat(catalog.require("llama-3.3-70b-versatile:free").upstreamModel())
                .isEqualTo("llama-3.3-70b-versatile");
    }

    @Test
    void givenEmbeddingModels_whenLookedUp_thenTheyArePricedPerInputToken() {
        Map<String, ModelInfo> embeddings = catalog.all().stream().filter(m -> m.kind() == ModelKind.EMBEDDING)
                .collect(Collectors.toMap(ModelInfo::name, Function.identity()));

        assertThat(embeddings.get("text-embedding-3-small").pricing().orElseThrow().inputPerMillion())
                .isEqualTo(Money.of("0.02"));
        assertThat(embeddings.get("text-embedding-3-large").pricing().orElseThrow().inputPerMillion())
                .isEqualTo(Money.of("0.13"));
        assertThat(embeddings).containsKeys("gemini-embedding-001", "nomic-embed-text");
        assertThat(embeddings.get("nomic-embed-text").isFree()).isTrue();
    }

    @Test
    void givenClaudeSonnet45And4_afterTheirMillionTokenBetaEnded_thenTheirWindowIs200k() {
        ModelInfo m = catalog.require("claude-sonnet-4-5-20250929");

        assertThat(m.contextWindow()).isEqualTo(200_000);
        assertThat(m.maxOutputTokens()).isEqualTo(64_000);
        assertThat(catalog.require("claude-sonnet-4").contextWindow()).isEqualTo(200_000);
    }

    @Test
    void givenModelsTheirProvidersRetired_whenLookedUp_thenTheyKeepTheirPricesAndCarryTheDay() {
        Map<String, LocalDate> retired = Map.of("claude-sonnet-4-0", LocalDate.of(2026, 6, 15),
                "claude-opus-4-1", LocalDate.of(2026, 8, 5), "claude-3-5-haiku-20241022", LocalDate.of(2026, 2, 19),
                "gemini-2.0-flash", LocalDate.of(2026, 6, 1), "gemini-2.0-flash:free", LocalDate.of(2026, 6, 1),
                "gemini-3-pro-preview", LocalDate.of(2026, 3, 9), "deepseek-chat", LocalDate.of(2026, 7, 24),
                "deepseek-reasoner", LocalDate.of(2026, 7, 24), "gpt-3.5-turbo", LocalDate.of(2026, 10, 23));
        LocalDate today = LocalDate.of(2026, 11, 28);

        retired.forEach((name, day) -> {
            ModelInfo m = catalog.require(name);
            assertThat(m.retiresOn()).as(name).contains(day);
            assertThat(m.isRetiredOn(today)).as(name).isTrue();
        });
        assertThat(catalog.require("claude-opus-4-1").pricing().orElseThrow().outputPerMillion())
                .as("older ledgers still need the price").isEqualTo(Money.of("75"));
        assertThat(catalog.require("claude-sonnet-4.5").retiresOn()).contains(LocalDate.of(2026, 11, 30));
        for (String soon : List.of("claude-sonnet-4-5", "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-pro:free",
                "gpt-5", "o3")) {
            assertThat(catalog.require(soon).isRetiredOn(today)).as(soon).isFalse();
            assertThat(catalog.require(soon).retiresOn()).as(soon).isPresent();
        }
        assertThat(catalog.require("claude-sonnet-4-6").retiresOn()).isEmpty();
        assertThat(catalog.require("gemini-2.5-flash-lite").retiresOn()).isEmpty();
    }

    @Test
    void givenGroqGptOss120b_whenLookedUp_thenItHasGroqsPricesWithHalfPriceCacheHits() {
        assertPrices("groq/gpt-oss-120b", "0.15", "0.075", "0.60");
    }

    @Test
    void givenDeepSeeksLegacyNames_whenLookedUp_thenTheyArePricedAsTheV4FlashTheyLastServed() {
        for (String name : List.of("deepseek-chat", "deepseek-reasoner")) {
            assertPrices(name, "0.14", "0.0028", "0.28");
            assertThat(catalog.require(name).contextWindow()).as(name).isEqualTo(1_000_000);
        }
    }

    @Test
    void givenHuggingFaceRouterModel_whenLookedUp_thenItHasNoPriceRatherThanZero() {
        assertThat(catalog.require("huggingface/meta-llama/Llama-3.3-70B-Instruct").pricing()).isEmpty();
    }

    @Test
    void givenNameInOtherCase_whenFound_thenMatches() {
        assertThat(catalog.find("GPT-4o-Mini")).map(ModelInfo::name).contains("gpt-4o-mini");
    }

    @Test
    void givenMisspeltName_whenRequired_thenFailsSuggestingCloseNames() {
        assertThatThrownBy(() -> catalog.require("gpt4o-mini"))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageStartingWith("unknown model 'gpt4o-mini'; did you mean gpt-4o-mini");
        assertThatThrownBy(() -> catalog.require("gemini-2.5-prp"))
                .hasMessageContaining("did you mean gemini-2.5-pro");
    }

    @Test
    void givenNothingClose_whenRequired_thenFailsWithoutSuggestions() {
        assertThatThrownBy(() -> catalog.require("zzzzzzzzzzzzzzzzzzzz"))
                .isInstanceOf(UnknownModelException.class)
                .hasMessage("unknown model 'zzzzzzzzzzzzzzzzzzzz'");
    }

    @Test
    void givenBuilder_whenPriceOverriddenAndModelAdded_thenCatalogReflectsBoth() {
        ModelInfo mine = new ModelInfo("acme-ft", "openai", "ft:gpt-4o-mini:acme", ModelKind.CHAT,
                Optional.of(Pricing.of("0.30", "1.20")), 128_000, 16_384, Set.of(Capability.TOOLS),
                Optional.empty(), 2, Set.of("acme"), "contract", LocalDate.of(2026, 1, 1));

        ModelCatalog custom = ModelCatalogs.builder().from(catalog)
                .override("claude-sonnet-4.5", Pricing.of("2.00", "10.00"))
                .add(mine)
                .build();

        assertThat(custom.require("claude-sonnet-4-5").pricing().orElseThrow().inputPerMillion())
                .isEqualTo(Money.of("2"));
        assertThat(custom.require("claude-sonnet-4-5").priceSource()).isEqualTo("override");
        assertThat(custom.require("acme").name()).isEqualTo("acme-ft");
        assertThat(custom.all()).hasSize(catalog.all().size() + 1);
        assertThat(catalog.require("claude-sonnet-4-5").pricing().orElseThrow().inputPerMillion())
                .as("the base catalog is unchanged").isEqualTo(Money.of("3"));
    }

    @Test
    void givenBuilder_whenAddingAnExistingName_thenFailsNamingIt() {
        ModelInfo dup = catalog.require("gpt-4o");

        assertThatThrownBy(() -> ModelCatalogs.builder().from(catalog).add(dup))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'gpt-4o' is already in the catalog");
    }

    @Test
    void givenAliasClash_whenBuilt_thenFailsNamingBothModels() {
        ModelInfo clash = new ModelInfo("other", "openai", "other", ModelKind.CHAT, Optional.empty(), 1000, 100,
                Set.of(), Optional.empty(), 1, Set.of("gpt-4o"), "x", LocalDate.of(2026, 1, 1));

        assertThatThrownBy(() -> ModelCatalogs.builder().from(catalog).add(clash).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gpt-4o' of 'other' is already used by 'gpt-4o'");
    }

    @Test
    void givenOverrideOfUnknownModel_whenCalled_thenFailsWithSuggestions() {
        assertThatThrownBy(() -> ModelCatalogs.builder().from(catalog).override("gpt-4x", Pricing.FREE))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("gpt-4o");
    }

    @Test
    @SuppressWarnings("deprecation") // calls the shortcuts on purpose
    void givenTheShortcutsOnModelCatalog_whenUsed_thenTheyAreDeprecatedForModelCatalogsAndDoTheSame()
            throws NoSuchMethodException {
        assertThat(ModelCatalog.class.getMethod("bundled").isAnnotationPresent(Deprecated.class)).isTrue();
        assertThat(ModelCatalog.class.getMethod("builder").isAnnotationPresent(Deprecated.class)).isTrue();
        assertThat(ModelCatalog.bundled().all()).isEqualTo(catalog.all());
        assertThat(ModelCatalog.builder().from(catalog).build().all()).isEqualTo(catalog.all());
    }

    private void assertAnthropicPrices(String model, String input, String write5m, String write1h, String hit,
            String output) {
        Pricing p = catalog.require(model).pricing().orElseThrow();
        assertThat(p.inputPerMillion()).as(model + " input").isEqualTo(Money.of(input));
        assertThat(p.cacheWrite5mPerMillion()).as(model + " 5m cache write").isEqualTo(Money.of(write5m));
        assertThat(p.cacheWrite1hPerMillion()).as(model + " 1h cache write").isEqualTo(Money.of(write1h));
        assertThat(p.cachedInputPerMillion()).as(model + " cache hit").isEqualTo(Money.of(hit));
        assertThat(p.outputPerMillion()).as(model + " output").isEqualTo(Money.of(output));
    }

    private void assertPrices(String model, String input, String cached, String output) {
        Pricing p = catalog.require(model).pricing().orElseThrow();
        assertThat(p.inputPerMillion()).as(model + " input").isEqualTo(Money.of(input));
        assertThat(p.cachedInputPerMillion()).as(model + " cached").isEqualTo(Money.of(cached));
        assertThat(p.outputPerMillion()).as(model + " output").isEqualTo(Money.of(output));
    }
}
