package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JtokkitTokenEstimatorTest {

    private final JtokkitTokenEstimator estimator = JtokkitTokenEstimator.of(ModelCatalogs.bundled());

    /**
     * The example conversation of OpenAI's cookbook
     * (https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken), for which the API itself reported 129
     * prompt tokens on gpt-4 (cl100k_base) and 124 on gpt-4o / gpt-4o-mini (o200k_base).
     */
    private static final ChatRequest COOKBOOK = ChatRequest.builder("gpt-4o").messages(List.of(
            Message.system("You are a helpful, pattern-following assistant that translates corporate jargon into"
                    + " plain English."),
            named("example_user", "New synergies will help drive top-line growth."),
            named("example_assistant", "Things working well together will increase revenue."),
            named("example_user", "Let's circle back when we have more bandwidth to touch base on opportunities"
                    + " for increased leverage."),
            named("example_assistant", "Let's talk later when we're less busy about how to do better."),
            Message.user("This late pivot means we don't have time to boil the ocean for the client deliverable.")))
            .build();

    @Test
    void givenCookbookConversation_whenEstimatedForOpenAiModels_thenMatchesTheCountsTheApiReported() {
        assertThat(estimator.estimateInput("gpt-4o", COOKBOOK)).isEqualTo(new TokenEstimator.TokenEstimate(124, true));
        assertThat(estimator.estimateInput("gpt-4o-mini", COOKBOOK).tokens()).isEqualTo(124);
        assertThat(estimator.estimateInput("gpt-4-turbo", COOKBOOK).tokens()).isEqualTo(129);
    }

    @Test
    void givenOneUserMessage_whenEstimated_thenContentPlusRolePlusOverhead() {
        // "hello" = 1 token, "user" = 1 token: 3 (message) + 1 + 1 + 3 (reply priming) = 8
        assertThat(estimator.estimateInput("gpt-4o", ChatRequest.of("gpt-4o", "hello")).tokens()).isEqualTo(8);
    }

    @Test
    void givenAnthropicModel_whenCounted_thenCl100kTimesFactorRoundedUpAndNotExact() {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(20);
        long cl100k = JtokkitTokenEstimator.ofDefaults().countText("gpt-4-turbo", text);

        assertThat(estimator.countText("claude-sonnet-4-5", text)).isEqualTo((long) Math.ceil(cl100k * 1.15));
        assertThat(estimator.countText("gemini-2.5-pro", text)).isEqualTo(cl100k);
        assertThat(estimator.countText("llama-3.3-70b-versatile:free", text)).isEqualTo((long) Math.ceil(cl100k * 1.05));
        assertThat(estimator.estimateInput("claude-sonnet-4-5", ChatRequest.of("x", text)).exact()).isFalse();
    }

    @Test
    void givenImages_whenEstimated_thenFixedPerImageEstimatesByDetailAndProvider() {
        ChatRequest low = withImage("low");
        ChatRequest high = withImage("high");
        long base = estimator.estimateInput("gpt-4o", ChatRequest.of("gpt-4o", "describe")).tokens();

        assertThat(estimator.estimateInput("gpt-4o", low).tokens()).isEqualTo(base + 85);
        assertThat(estimator.estimateInput("gpt-4o", high).tokens()).isEqualTo(base + 765);
        long geminiBase = estimator.estimateInput("gemini-2.5-flash", ChatRequest.of("x", "describe")).tokens();
        assertThat(estimator.estimateInput("gemini-2.5-flash", high).tokens()).isEqualTo(geminiBase + 1032);
    }

    @Test
    void givenOpenRouterOpenAiModel_whenEstimated_thenUsesOpenAiEncodingExactly() {
        assertThat(estimator.estimateInput("openrouter/openai/gpt-4o-mini", COOKBOOK))
                .isEqualTo(new TokenEstimator.TokenEstimate(124, true));
    }

    @Test
    void givenTextWithSpecialTokenMarkers_whenCounted_thenTreatedAsOrdinaryText() {
        assertThat(estimator.countText("gpt-4o", "<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void givenBadFactor_whenBuilt_thenRejectedNamingProviderAndValue() {
        assertThatThrownBy(() -> JtokkitTokenEstimator.builder().factor("anthropic", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("factor for 'anthropic' must be in (0, 10], was 0.0");
    }

    private static Message named(String name, String text) {
        return new Message(Role.SYSTEM, List.of(ContentPart.text(text)), Optional.of(name), List.of(),
                Optional.empty());
    }

    private static ChatRequest withImage(String detail) {
        return ChatRequest.builder("gpt-4o").addMessage(new Message(Role.USER, List.of(ContentPart.text("describe"),
                new ContentPart.Image("https://example.com/cat.png", Optional.of(detail))), Optional.empty(),
                List.of(), Optional.empty())).build();
    }
}
