package dev.costwise.llm.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelSnapshotsTest {

    @ParameterizedTest(name = "{0} answered by {1}: same={2}")
    @CsvSource({
        "gpt-4o, gpt-4o-2024-08-06, true",
        "gpt-4o-mini, gpt-4o-mini-2024-07-18, true",
        "gpt-4, gpt-4-0613, true",
        "claude-sonnet-4-5, claude-sonnet-4-5-20250929, true",
        "gemini-1.5-pro, gemini-1.5-pro-002, true",
        "gemini-1.5-pro, models/gemini-1.5-pro-latest, true",
        "llama3.2, llama3.2:latest, true",
        "openai/gpt-4o, openai/gpt-4o-2024-11-20, true",
        "gpt-4o, GPT-4o, true",
        "meta-llama/llama-3.3-70b-instruct:free, meta-llama/llama-3.3-70b-instruct, true",
        "meta-llama/Llama-3.1-8B-Instruct:novita, meta-llama/Llama-3.1-8B-Instruct, true",
        "openrouter/auto, anthropic/claude-sonnet-4.5, true",
        "qwen2.5:7b, qwen2.5:7b, true",
        "qwen2.5:7b, qwen2.5:14b, false",
        "meta-llama/llama-3.3-70b-instruct:free, meta-llama/llama-3.1-8b-instruct, false",
        "gemini-2.5-pro, gemini-2.5-flash, false",
        "gpt-4o, gpt-4o-mini, false",
        "gpt-4o, gpt-4o-mini-2024-07-18, false",
        "google/gemini-2.5-pro, google/gemini-2.5-flash, false",
        "llama-3.3-70b-versatile, llama-3.1-8b-instant, false"
    })
    void givenAnsweredModel_whenCompared_thenSnapshotsAreTheSameModel(String requested, String answered,
            boolean same) {
        assertThat(ModelSnapshots.sameModel(requested, answered)).isEqualTo(same);
    }

    @ParameterizedTest(name = "{0} pins a snapshot of {1}: {2}")
    @CsvSource({
        "gpt-4o-2024-11-20, gpt-4o, true",
        "GPT-4o-2024-11-20, gpt-4o, true",
        "claude-sonnet-4-5-20250929, claude-sonnet-4-5, true",
        "gpt-3.5-turbo-0125, gpt-3.5-turbo, true",
        "gemini-1.5-pro-002, gemini-1.5-pro, true",
        "gpt-4o, gpt-4o, false",
        "gpt-4o-latest, gpt-4o, false",
        "gpt-4o-mini, gpt-4o, false",
        "gpt-4o-2024-11-20-0125, gpt-4o, false",
        "gpt-4o-12, gpt-4o, false",
        "gemini-2.5-pro-preview-05-06, gemini-2.5-pro, false"
    })
    void givenANameAndAModel_whenAsked_thenOnlyOneDatedOrNumberedSuffixPinsASnapshot(String name, String model,
            boolean pins) {
        assertThat(ModelSnapshots.pinsSnapshotOf(name, model)).isEqualTo(pins);
    }
}
