package dev.costwise.llm.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContextWindowFallbackTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private final ContextWindowFallback fallback =
            ContextWindowFallback.of(CATALOG, JtokkitTokenEstimator.of(CATALOG));

    @Test
    void givenGpt4oTooSmall_whenChoosing_thenCheapestLargerSameProviderModelOfAtLeastItsTier() {
        // OpenAI models with a window above 128K and tier >= 3: gpt-5-mini ($0.25), o4-mini ($1.10), gpt-5 ($1.25),
        // gpt-4.1 ($2), o3 ($2): cheapest input first.
        assertThat(fallback.candidates("gpt-4o", 0, 0, Set.of())).extracting(ModelInfo::name)
                .startsWith("gpt-5-mini", "o4-mini", "gpt-5");
        assertThat(fallback.choose("gpt-4o", ChatRequest.of("gpt-4o", "a long prompt"))).map(ModelInfo::name)
                .contains("gpt-5-mini");
    }

    @Test
    void givenPromptAbove400k_whenChoosing_thenOnlyWindowsThatHoldItQualify() {
        assertThat(fallback.candidates("gpt-4o", 500_000, 500_000, Set.of())).extracting(ModelInfo::name)
                .first().isEqualTo("gpt-4.1");
    }

    @Test
    void givenNoSameProviderCandidate_whenChoosing_thenOtherProvidersByPriceAndNeverALowerTier() {
        var names = fallback.candidates("llama-3.3-70b-versatile:free", 0, 0, Set.of()).stream()
                .map(ModelInfo::name).toList();

        assertThat(names).first().isEqualTo("gemini-2.5-flash:free");
        assertThat(names).doesNotContain("gemini-2.5-flash-lite:free", "llama-3.1-8b-instant");
    }

    @Test
    void givenRequiredCapabilities_whenChoosing_thenModelsWithoutThemAreSkipped() {
        assertThat(fallback.candidates("gpt-4o", 0, 0, Set.of(Capability.VISION))).allSatisfy(
                m -> assertThat(m.supports(Capability.VISION)).isTrue());
    }

    @Test
    void givenLargestWindowAlready_whenChoosing_thenNothing() {
        assertThat(fallback.candidates("gpt-4.1", 2_000_000, 2_000_000, Set.of())).isEmpty();
    }

    @Test
    void givenUnknownModel_whenChoosing_thenFailsWithSuggestions() {
        assertThatThrownBy(() -> fallback.choose("gpt-4oo", ChatRequest.of("x", "y")))
                .isInstanceOf(UnknownModelException.class).hasMessageContaining("gpt-4o");
    }
}
