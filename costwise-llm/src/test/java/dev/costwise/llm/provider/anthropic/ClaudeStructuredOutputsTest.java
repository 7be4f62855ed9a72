package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Structured outputs are generally available for Claude Haiku 4.5, Sonnet 4.5, Opus 4.5 and the later models
 * (https://platform.claude.com/docs/en/build-with-claude/structured-outputs); older models have none.
 */
class ClaudeStructuredOutputsTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "claude-haiku-4-5-20251001,                      true",
        "claude-sonnet-4-5,                              true",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0,   true",
        "claude-opus-4-5,                                true",
        "claude-opus-4-6,                                true",
        "claude-sonnet-4-6,                              true",
        "claude-opus-4-7,                                true",
        "claude-fable-5,                                 true",
        "claude-opus-4-1-20250805,                       false",
        "claude-sonnet-4-0,                              false",
        "claude-opus-4-20250514,                         false",
        "claude-3-7-sonnet-latest,                       false",
        "claude-3-5-haiku-20241022,                      false",
        "claude-latest,                                  false",
    })
    void givenAModelId_whenAsked_thenClaude45AndLaterTakeStructuredOutputs(String id, boolean supported) {
        assertThat(ClaudeStructuredOutputs.supportedBy(id)).isEqualTo(supported);
    }
}
