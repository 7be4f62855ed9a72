package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageNormalizerTest {

    // https://platform.openai.com/docs/api-reference/chat/object : prompt_tokens includes
    // prompt_tokens_details.cached_tokens; completion_tokens includes completion_tokens_details.reasoning_tokens.
    @Test
    void givenOpenAiCounts_whenNormalised_thenPromptAndCompletionAreKeptAsTotals() {
        Usage u = UsageNormalizer.fromOpenAi(1_000, 200, 500, 120);

        assertThat(u).isEqualTo(new Usage(1_000, 200, 0, 0, 500, 120, false));
        assertThat(u.uncachedInputTokens()).isEqualTo(800);
    }

    // https://openrouter.ai/docs/use-cases/usage-accounting : cost is what the account was charged;
    // cost_details.upstream_inference_cost is what the upstream provider charged a BYOK call's own key.
    @Test
    void givenOpenRouterCosts_whenNormalised_thenAByokCallCostsTheFeePlusTheUpstreamCharge() {
        BigDecimal cost = new BigDecimal("0.0012");
        Optional<BigDecimal> upstream = Optional.of(new BigDecimal("0.0345"));

        assertThat(UsageNormalizer.fromOpenRouterCost(cost, false, Optional.of(cost))).hasValue(Money.of("0.0012"));
        assertThat(UsageNormalizer.fromOpenRouterCost(cost, true, upstream)).hasValue(Money.of("0.0357"));
        assertThat(UsageNormalizer.fromOpenRouterCost(cost, true, Optional.empty())).isEmpty();
        assertThatThrownBy(() -> UsageNormalizer.fromOpenRouterCost(new BigDecimal("-1"), false, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("openrouter cost cannot be negative, was -1");
    }

    @Test
    void givenOpenAiCachedAbovePrompt_whenNormalised_thenFailsNamingTheField() {
        assertThatThrownBy(() -> UsageNormalizer.fromOpenAi(100, 200, 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cached_tokens (200)").hasMessageContaining("prompt_tokens (100)");
    }

    // https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching : input_tokens counts only the tokens
    // after the last cache breakpoint; cache_read_input_tokens and cache_creation_input_tokens are separate.
    @Test
    void givenAnthropicCounts_whenNormalised_thenCacheReadsAndWritesAreAddedToInput() {
        // input 300 + read 1,000 + write5m 400 + write1h 100 = 1,800 prompt tokens
        Usage u = UsageNormalizer.fromAnthropic(300, 1_000, 400, 100, 250);

        assertThat(u.inputTokens()).isEqualTo(1_800);
        assertThat(u.cachedInputTokens()).isEqualTo(1_000);
        assertThat(u.cacheWriteTokens()).isEqualTo(500);
        assertThat(u.cacheWrite1hTokens()).isEqualTo(100);
        assertThat(u.cacheWrite5mTokens()).isEqualTo(400);
        assertThat(u.uncachedInputTokens()).isEqualTo(300);
        assertThat(u.outputTokens()).isEqualTo(250);
    }

    @Test
    void givenAnthropicThinking_whenNormalised_thenItIsRecordedAsReasoningInsideOutput() {
        Usage u = UsageNormalizer.fromAnthropic(10, 0, 0, 0, 900, 600);

        assertThat(u.outputTokens()).isEqualTo(900);
        assertThat(u.reasoningTokens()).isEqualTo(600);
    }

    // https://ai.google.dev/api/generate-content#UsageMetadata : promptTokenCount includes cachedContentTokenCount;
    // thoughtsTokenCount is reported apart from candidatesTokenCount.
    @Test
    void givenGeminiCounts_whenNormalised_thenThoughtsAreAddedToOutput() {
        // output = candidates 300 + thoughts 700 = 1,000
        Usage u = UsageNormalizer.fromGemini(2_000, 1_500, 300, 700);

        assertThat(u).isEqualTo(new Usage(2_000, 1_500, 0, 0, 1_000, 700, false));
    }

    @Test
    void givenNegativeGeminiCount_whenNormalised_thenFailsNamingProviderAndField() {
        assertThatThrownBy(() -> UsageNormalizer.fromGemini(10, 0, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gemini candidatesTokenCount cannot be negative, was -1");
    }
}
