package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.provider.anthropic.ClaudeThinkingForm.Version;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model ids as Anthropic, Bedrock and Vertex spell them (https://docs.claude.com/en/docs/about-claude/models); the
 * adaptive form from Claude 4.6 on (https://docs.claude.com/en/docs/build-with-claude/adaptive-thinking).
 */
class ClaudeThinkingFormTest {

    @ParameterizedTest(name = "{0} is {1}.{2} and takes {3}")
    @CsvSource({
        "claude-sonnet-4-6,                   4, 6, ADAPTIVE",
        "claude-opus-4-6,                     4, 6, ADAPTIVE",
        "claude-opus-4-7,                     4, 7, ADAPTIVE",
        "claude-sonnet-5,                     5, 0, ADAPTIVE",
        "claude-opus-5,                       5, 0, ADAPTIVE",
        "claude-mythos-5-1,                   5, 1, ADAPTIVE",
        "claude-opus-4-6-v1,                  4, 6, ADAPTIVE",
        "us.anthropic.claude-opus-4-7,        4, 7, ADAPTIVE",
        "anthropic.claude-opus-4-6-v1:0,      4, 6, ADAPTIVE",
        "Claude-Sonnet-4-6,                   4, 6, ADAPTIVE",
        "claude-sonnet-4-5,                   4, 5, BUDGET",
        "claude-sonnet-4-5-20250929,          4, 5, BUDGET",
        "claude-haiku-4-5-20251001,           4, 5, BUDGET",
        "claude-opus-4-1-20250805,            4, 1, BUDGET",
        "claude-opus-4-1@20250805,            4, 1, BUDGET",
        "claude-opus-4-20250514,              4, 0, BUDGET",
        "claude-sonnet-4-0,                   4, 0, BUDGET",
        "claude-3-7-sonnet-20250219,          3, 7, BUDGET",
        "claude-3-7-sonnet-latest,            3, 7, BUDGET",
        "claude-3-5-haiku-20241022,           3, 5, BUDGET",
        "claude-3-opus-20240229,              3, 0, BUDGET",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0, 4, 5, BUDGET",
    })
    void givenAVersionedId_whenRead_thenMajorMinorAndFormFollow(String id, int major, int minor,
            ClaudeThinkingForm form) {
        assertThat(Version.parse(id)).contains(new Version(major, minor));
        assertThat(ClaudeThinkingForm.of(id)).isEqualTo(form);
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude", "claude-mythos-preview", "my-fine-tune", "claude-sonnet-20250219", ""})
    void givenAnIdWithoutVersion_whenRead_thenNoVersionAndTheBudgetForm(String id) {
        assertThat(Version.parse(id)).isEqualTo(Optional.empty());
        assertThat(ClaudeThinkingForm.of(id)).isEqualTo(ClaudeThinkingForm.BUDGET);
    }
}
