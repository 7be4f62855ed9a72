package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Claude models that take {@code output_config.effort}
 * (https://platform.claude.com/docs/en/build-with-claude/effort: Opus 4.5, and Claude 4.6 and later; Haiku 4.5 answers
 * 400 "This model does not support the effort parameter"), by the ids Anthropic, Bedrock and Vertex give them.
 */
class ClaudeEffortTest {

    @ParameterizedTest(name = "{0} takes effort: {1}")
    @CsvSource({
        "claude-opus-4-5,                     true",
        "claude-opus-4-5-20251101,            true",
        "us.anthropic.claude-opus-4-5-v1:0,   true",
        "claude-opus-4-6,                     true",
        "claude-sonnet-4-6,                   true",
        "claude-opus-4-7,                     true",
        "claude-sonnet-5,                     true",
        "claude-haiku-4-5,                    false",
        "claude-haiku-4-5-20251001,           false",
        "claude-sonnet-4-5,                   false",
        "claude-opus-4-1,                     false",
        "claude-3-7-sonnet-20250219,          false",
        "claude-latest,                       true"})
    void givenAModelId_whenAskedWhetherItTakesEffort_thenOnlyOpus45AndClaude46OnDo(String id, boolean takes) {
        assertThat(ClaudeEffort.takes(id)).isEqualTo(takes);
    }
}
