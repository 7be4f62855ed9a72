package dev.costwise.llm.orchestration;

import static dev.costwise.llm.orchestration.TestCatalog.CLAUDE_SONNET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LlmTaskClassifierTest {
    private static final String TASK = "Summarize this article in 3 bullet points: the council voted to expand bike "
            + "lanes by 40 km, funded by a federal grant.";
    private final FakeTicker ticker = new FakeTicker();
    private final ScriptedChatModel claude = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final RuleBasedTaskClassifier rules = RuleBasedTaskClassifier.builder(TestCatalog.standard()).build();
    private final LlmTaskClassifier classifier = LlmTaskClassifier.of(claude, rules);
    private final WorkflowContext ctx = WorkflowContext.builder("classify").ticker(ticker).build();

    @Test
    void givenValidJson_whenClassified_thenUsesTheModelsJudgementAndReportsItsTokens() {
        claude.replies("{\"complexity\": \"moderate\", \"task_type\": \"SUMMARIZATION\", \"reason\": \"short "
                + "summary of a given text\", \"confidence\": 0.7}", Usage.of(180, 40));

        TaskClassification c = classifier.execute(TaskClassificationRequest.of(TASK), ctx);

        assertThat(c.source()).isEqualTo("llm");
        assertThat(c.complexity()).isEqualTo(Complexity.MODERATE);
        assertThat(c.taskType()).isEqualTo(TaskType.SUMMARIZATION);
        assertThat(c.confidence()).isEqualTo(0.7);
        assertThat(c.classifierUsage()).isEqualTo(Usage.of(180, 40));
        assertThat(c.reason()).contains("short summary of a given text");
        assertThat(claude.requests()).singleElement()
                .satisfies(r -> assertThat(r.responseFormat()).isInstanceOf(ResponseFormat.JsonObject.class));
    }

    @Test
    void givenMalformedJson_whenClassified_thenRulesAnswerAndTheReasonSaysWhy() {
        claude.replies("Sure! This looks like a summarization task.", Usage.of(180, 12));

        TaskClassification c = classifier.execute(TaskClassificationRequest.of(TASK), ctx);

        assertThat(c.source()).isEqualTo("rules-fallback");
        assertThat(c.taskType()).isEqualTo(TaskType.SUMMARIZATION);
        assertThat(c.reason()).startsWith("LLM classifier failed (malformed reply: not JSON");
        assertThat(c.classifierUsage()).as("the failed call was still billed").isEqualTo(Usage.of(180, 12));
        assertThat(ctx.records("llm_fallback")).singleElement()
                .satisfies(r -> assertThat(r.attributes().get("why").toString()).contains("not JSON"));
    }

    @Test
    void givenValueOutsideTheEnum_whenClassified_thenRulesAnswerNamingTheBadValue() {
        claude.replies("{\"complexity\": \"HARD\", \"task_type\": \"SUMMARIZATION\", \"reason\": \"x\"}",
                Usage.of(180, 20));

        TaskClassification c = classifier.execute(TaskClassificationRequest.of(TASK), ctx);

        assertThat(c.source()).isEqualTo("rules-fallback");
        assertThat(c.reason()).contains("field 'complexity' has invalid value 'HARD'").contains("EXPERT");
    }

    @Test
    void givenMissingRequiredField_whenClassified_thenRulesAnswer() {
        claude.replies("{\"complexity\": \"SIMPLE\", \"reason\": \"x\"}", Usage.of(180, 20));

        TaskClassification c = classifier.execute(TaskClassificationRequest.of(TASK), ctx);

        assertThat(c.source()).isEqualTo("rules-fallback");
        assertThat(c.reason()).contains("missing required field 'task_type'");
    }

    @Test
    void givenConfidenceOutOfRange_whenClassified_thenRulesAnswer() {
        claude.replies("{\"complexity\": \"SIMPLE\", \"task_type\": \"CHAT\", \"reason\": \"x\", \"confidence\": 7}",
                Usage.of(180, 20));

        assertThat(classifier.execute(TaskClassificationRequest.of(TASK), ctx).reason())
                .contains("'confidence' must be a number in [0, 1], was 7");
    }

    @Test
    void givenProviderError_whenClassified_thenRulesAnswerAndNothingWasBilled() {
        claude.fails(new ProviderException.Overloaded(ProviderException.Details.of("anthropic", CLAUDE_SONNET, 529),
                "overloaded_error", Optional.empty()));

        TaskClassification c = classifier.execute(TaskClassificationRequest.of(TASK), ctx);

        assertThat(c.source()).isEqualTo("rules-fallback");
        assertThat(c.reason()).contains("orchestrator call failed: overloaded");
        assertThat(c.classifierUsage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void givenJsonInACodeFence_whenClassified_thenItIsAccepted() {
        claude.replies("```json\n{\"complexity\": \"SIMPLE\", \"task_type\": \"SUMMARIZATION\", \"reason\": \"x\"}\n```",
                Usage.of(180, 20));

        assertThat(classifier.execute(TaskClassificationRequest.of(TASK), ctx).source()).isEqualTo("llm");
    }
}
