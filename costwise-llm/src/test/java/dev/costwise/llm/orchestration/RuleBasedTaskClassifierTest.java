package dev.costwise.llm.orchestration;

import static dev.costwise.llm.orchestration.TestCatalog.CLAUDE_SONNET;
import static dev.costwise.llm.orchestration.TestCatalog.GEMINI_PRO_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.GPT_4O_MINI;
import static dev.costwise.llm.orchestration.TestCatalog.LLAMA_8B_FREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsageTracker;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleBasedTaskClassifierTest {
    private final TestCatalog catalog = TestCatalog.standard();
    private final RuleBasedTaskClassifier classifier = RuleBasedTaskClassifier.builder(catalog).build();

    private TaskClassification classify(String prompt, TaskPreferences prefs) {
        return classifier.classify(new TaskClassificationRequest(prompt, List.of(Message.user(prompt)), prefs));
    }

    @Test
    void givenSpecExample_whenClassified_thenSimpleSummarizationOnAFreeModelWithShortOutput() {
        TaskClassification c = classifier.execute(TaskClassificationRequest.of(
                "Summarize this article in 3 bullet points: the council voted to expand bike lanes."),
                WorkflowContext.of("t"));

        assertThat(c.complexity()).isEqualTo(Complexity.SIMPLE);
        assertThat(c.taskType()).isEqualTo(TaskType.SUMMARIZATION);
        assertThat(c.recommendedModel()).isEqualTo(LLAMA_8B_FREE);
        assertThat(c.estimatedCost()).isEqualTo(Money.ZERO);
        assertThat(c.estimatedOutputTokens()).isEqualTo(90);
        assertThat(c.reason()).contains("'summar'").contains("short output requested").contains("free");
        assertThat(c.confidence()).isBetween(0.0, 1.0);
    }

    @Test
    void givenAUsageTrackerAsHeadroom_whenTheFreeModelIsAtItsLimit_thenAnotherModelIsRecommended() {
        UsageTracker tracker = UsageTracker.builder()
                .modelLimits(LLAMA_8B_FREE, RateLimits.NONE.withRequestsPerMinute(1)).build();
        tracker.record(LLAMA_8B_FREE, "groq", Usage.of(10, 10));
        TaskClassifier withHeadroom = RuleBasedTaskClassifier.builder(catalog).headroom(tracker).build();

        TaskClassification c = withHeadroom.execute(TaskClassificationRequest.of(
                "Summarize this article in 3 bullet points: the council voted to expand bike lanes."),
                WorkflowContext.of("t"));

        assertThat(c.recommendedModel()).isNotEqualTo(LLAMA_8B_FREE);
    }

    @Test
    void givenProofWithLatex_whenClassified_thenExpertMathNamingTheSignals() {
        TaskClassification c = classify("Prove that $\\sqrt{3}$ is irrational, then prove rigorously that the "
                + "square root of any prime is irrational.", TaskPreferences.DEFAULT);

        assertThat(c.complexity()).isEqualTo(Complexity.EXPERT);
        assertThat(c.taskType()).isEqualTo(TaskType.MATH);
        assertThat(c.reason()).contains("LaTeX").contains("'prove'").contains("'rigorous'");
        assertThat(catalog.require(c.recommendedModel()).tier()).isEqualTo(4);
    }

    @Test
    void givenCodeBlock_whenClassified_thenCodeNamingTheBlock() {
        TaskClassification c = classify("Why does this fail?\n```java\nint n = map.get(\"a\");\n```",
                TaskPreferences.DEFAULT);

        assertThat(c.taskType()).isEqualTo(TaskType.CODE);
        assertThat(c.reason()).contains("1 code block");
    }

    @Test
    void givenVisionRequired_whenClassified_thenOnlyAVisionModelIsRecommended() {
        TaskClassification c = classify("Describe this chart briefly.",
                TaskPreferences.builder().require(Capability.VISION).build());

        assertThat(catalog.require(c.recommendedModel()).supports(Capability.VISION)).isTrue();
        assertThat(c.reason()).contains(LLAMA_8B_FREE + " lacks [VISION]");
    }

    @Test
    void givenPaidOnlyAndCostCap_whenClassified_thenCheapestPaidModelUnderTheCap() {
        TaskClassification c = classify("Write a Python function that checks whether a string is a palindrome.",
                TaskPreferences.builder().preferFree(false).maxCostPerCall(Money.of("0.001")).build());

        assertThat(c.recommendedModel()).isEqualTo(GPT_4O_MINI);
        assertThat(c.estimatedCost().isGreaterThan(Money.of("0.001"))).isFalse();
        assertThat(c.reason()).contains("cheapest capable");
    }

    @Test
    void givenLatencySensitiveReasoningTask_whenClassified_thenANonThinkingModelIsPreferred() {
        TaskClassification c = classify("Analyze the trade-offs of microservices for a 20-person startup and "
                + "recommend an approach.", TaskPreferences.builder().latencySensitive(true).build());

        assertThat(catalog.require(c.recommendedModel()).supports(Capability.REASONING)).isFalse();
    }

    @Test
    void givenNoModelFits_whenClassified_thenErrorNamesTheNeedsAndRejections() {
        assertThatThrownBy(() -> classify("Hello!", TaskPreferences.builder().minContextWindow(2_000_000).build()))
                .isInstanceOf(NoCapableModelException.class)
                .hasMessageContaining("window >= 2000000")
                .hasMessageContaining(GEMINI_PRO_FREE + " window 1048576 < 2000000")
                .hasMessageContaining(CLAUDE_SONNET);
    }

    @Test
    void givenBadPreference_whenBuilt_thenErrorNamesTheValue() {
        assertThatThrownBy(() -> TaskPreferences.builder().maxCostPerCall(Money.of("-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxCostPerCall cannot be negative, was -1");
        assertThatThrownBy(() -> TaskPreferences.builder().minContextWindow(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minContextWindow cannot be negative, was -5");
    }

    @Test
    void givenMessageWithAnImage_whenClassified_thenVisionIsRequiredWithoutBeingAsked() {
        Message withImage = new Message(dev.costwise.llm.chat.Role.USER, List.of(
                dev.costwise.llm.chat.ContentPart.text("What does this chart show?"),
                dev.costwise.llm.chat.ContentPart.image("https://example.com/chart.png")), java.util.Optional.empty(),
                List.of(), java.util.Optional.empty());

        TaskClassification c = classifier.classify(new TaskClassificationRequest("What does this chart show?",
                List.of(withImage), TaskPreferences.DEFAULT));

        assertThat(catalog.require(c.recommendedModel()).supports(Capability.VISION)).isTrue();
    }
}
