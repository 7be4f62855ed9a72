package dev.costwise.llm.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request shapes from https://ai.google.dev/api/generate-content,
 * https://ai.google.dev/gemini-api/docs/function-calling and https://ai.google.dev/gemini-api/docs/thinking.
 */
class GeminiRequestMapperTest {

    private final ObjectMapper json = new ObjectMapper();
    private final GeminiRequestMapper mapper = new GeminiRequestMapper(json);

    private JsonNode read(String text) throws Exception {
        return json.readTree(text);
    }

    @Test
    void givenToolConversation_whenMapped_thenFunctionCallAndNamedFunctionResponsesAreSent() throws Exception {
        JsonNode schema = read("""
                {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
                 "properties":{"city":{"type":"string"}},"required":["city"]}""");
        Message assistant = new Message(Role.ASSISTANT, List.of(), Optional.empty(),
                List.of(new ToolCall("call_a", "get_weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("call_b", "get_time", "{}")), Optional.empty());
        ChatRequest request = ChatRequest.builder("gemini").addMessage(Message.system("Be brief."))
                .addMessage(Message.user("Weather and time?")).addMessage(assistant)
                .addMessage(Message.toolResult("call_a", "{\"temp\":18}"))
                .addMessage(Message.toolResult("call_b", "12:00"))
                .tools(List.of(new Tool("get_weather", Optional.of("Weather"), schema, false),
                        new Tool("get_time", Optional.empty(), read("{\"type\":\"object\",\"properties\":{}}"),
                                false)))
                .toolChoice(read("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}")).build();

        JsonNode body = mapper.toBody(request, "gemini-2.5-flash");

        assertThat(body.path("systemInstruction")).isEqualTo(read("{\"parts\":[{\"text\":\"Be brief.\"}]}"));
        assertThat(body.path("contents")).isEqualTo(read("""
                [{"role":"user","parts":[{"text":"Weather and time?"}]},
                 {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
                                          {"functionCall":{"name":"get_time","args":{}}}]},
                 {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":18}}},
                                         {"functionResponse":{"name":"get_time","response":{"result":"12:00"}}}]}]"""));
        assertThat(body.path("tools")).isEqualTo(read("""
                [{"functionDeclarations":[{"name":"get_weather","description":"Weather","parametersJsonSchema":
                   {"type":"object","additionalProperties":false,"properties":{"city":{"type":"string"}},
                    "required":["city"]}},
                  {"name":"get_time"}]}]"""));
        assertThat(body.path("toolConfig")).isEqualTo(read("""
                {"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}"""));
        assertThat(body.has("generationConfig")).isFalse();
    }

    @Test
    void givenToolResultForUnknownCall_whenMapped_thenFailsNamingTheId() {
        ChatRequest request = ChatRequest.builder("g").addMessage(Message.user("x"))
                .addMessage(Message.toolResult("call_zz", "r")).build();
        assertThatThrownBy(() -> mapper.toBody(request, "gemini-2.5-flash"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("call_zz");
    }

    @Test
    void givenImagesAndGenerationSettings_whenMapped_thenInlineDataAndGenerationConfigAreSent() throws Exception {
        Message user = new Message(Role.USER, List.of(ContentPart.text("Describe"),
                ContentPart.image("data:image/jpeg;base64,/9j/4AAQ"), ContentPart.image("https://x.test/a.png?s=1")),
                Optional.empty(), List.of(), Optional.empty());
        JsonNode schema = read("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
                + "\"additionalProperties\":false}");
        ChatRequest request = ChatRequest.builder("g").addMessage(user).temperature(0.2).topP(0.8).topK(20)
                .maxTokens(300).stop(List.of("END")).seed(42).presencePenalty(0.5).frequencyPenalty(-0.25)
                .responseFormat(new ResponseFormat.JsonSchema("person", schema, true))
                .toolChoice(TextNode.valueOf("none")).build();

        JsonNode body = mapper.toBody(request, "gemini-2.5-flash");

        assertThat(body.path("contents").path(0).path("parts")).isEqualTo(read("""
                [{"text":"Describe"},{"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}},
                 {"fileData":{"mimeType":"image/png","fileUri":"https://x.test/a.png?s=1"}}]"""));
        assertThat(body.path("generationConfig")).isEqualTo(read("""
                {"temperature":0.2,"topP":0.8,"topK":20,"maxOutputTokens":300,"stopSequences":["END"],"seed":42,
                 "presencePenalty":0.5,"frequencyPenalty":-0.25,"responseMimeType":"application/json",
                 "responseJsonSchema":{"type":"object","properties":{"name":{"type":"string"}},
                   "additionalProperties":false}}"""));
        assertThat(body.path("toolConfig").path("functionCallingConfig").path("mode").asText()).isEqualTo("NONE");
    }

    @Test
    void givenSeedBeyond32Bits_whenMapped_thenFailsWithTheValue() {
        ChatRequest request = ChatRequest.builder("g").addMessage(Message.user("x")).seed(1L << 40).build();
        assertThatThrownBy(() -> mapper.toBody(request, "gemini-2.5-flash"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(1L << 40));
    }

    // ---- reasoning: https://ai.google.dev/gemini-api/docs/thinking (budgets for 2.5, levels for 3) ----

    private JsonNode thinkingConfig(String model, Reasoning reasoning) {
        ChatRequest request = ChatRequest.builder("alias").addMessage(Message.user("x")).reasoning(reasoning)
                .build();
        return mapper.toBody(request, model).path("generationConfig").path("thinkingConfig");
    }

    static Stream<Arguments> gemini25Budgets() {
        return Stream.of(
                // Flash: 0 (off) to 24,576
                Arguments.of("gemini-2.5-flash", Reasoning.effort(ReasoningEffort.LOW), 1_024),
                Arguments.of("gemini-2.5-flash", Reasoning.effort(ReasoningEffort.MEDIUM), 8_192),
                Arguments.of("gemini-2.5-flash", Reasoning.off(), 0),
                Arguments.of("gemini-2.5-flash", Reasoning.budget(0), 0),
                Arguments.of("gemini-2.5-flash", Reasoning.budget(3_000), 3_000),
                Arguments.of("gemini-2.5-flash", Reasoning.effort(ReasoningEffort.MAX), 24_576),
                Arguments.of("gemini-2.5-flash-preview-09-2025", Reasoning.budget(100_000), 24_576),
                // Pro: 128 to 32,768
                Arguments.of("gemini-2.5-pro", Reasoning.budget(50), 128),
                Arguments.of("gemini-2.5-pro", Reasoning.budget(2_000), 2_000),
                Arguments.of("gemini-2.5-pro", Reasoning.effort(ReasoningEffort.XHIGH), 32_768),
                Arguments.of("gemini-2.5-pro", Reasoning.effort(ReasoningEffort.MAX), 32_768),
                Arguments.of("models/gemini-2.5-pro", Reasoning.effort(ReasoningEffort.MAX), 32_768),
                // Flash-Lite: 0 (off), or 512 to 24,576
                Arguments.of("gemini-2.5-flash-lite", Reasoning.effort(ReasoningEffort.MINIMAL), 512),
                Arguments.of("gemini-2.5-flash-lite", Reasoning.budget(100), 512),
                Arguments.of("gemini-2.5-flash-lite", Reasoning.off(), 0),
                Arguments.of("gemini-2.5-flash-lite", Reasoning.effort(ReasoningEffort.XHIGH), 24_576),
                // no documented range: the budget as asked
                Arguments.of("gemini-flash-latest", Reasoning.budget(40_000), 40_000),
                Arguments.of("gemini-flash-latest", Reasoning.off(), 0));
    }

    @ParameterizedTest(name = "{0} {1} -> thinkingBudget {2}")
    @MethodSource("gemini25Budgets")
    void givenReasoningForABudgetModel_whenMapped_thenThinkingBudgetInTheModelsRange(String model,
            Reasoning reasoning, int budget) throws Exception {
        assertThat(thinkingConfig(model, reasoning)).isEqualTo(read("{\"thinkingBudget\":" + budget + "}"));
    }

    static Stream<Arguments> gemini3Levels() {
        return Stream.of(
                // 3 Pro: low, high
                Arguments.of("gemini-3-pro-preview", Reasoning.off(), "low"),
                Arguments.of("gemini-3-pro-preview", Reasoning.effort(ReasoningEffort.MINIMAL), "low"),
                Arguments.of("gemini-3-pro-preview", Reasoning.effort(ReasoningEffort.LOW), "low"),
                Arguments.of("gemini-3-pro-preview", Reasoning.effort(ReasoningEffort.MEDIUM), "high"),
                Arguments.of("gemini-3-pro-preview", Reasoning.effort(ReasoningEffort.MAX), "high"),
                Arguments.of("gemini-3-pro-preview", Reasoning.budget(1_000), "low"),
                // 3.1 Pro: low, medium, high
                Arguments.of("gemini-3.1-pro-preview", Reasoning.off(), "low"),
                Arguments.of("gemini-3.1-pro-preview", Reasoning.effort(ReasoningEffort.MINIMAL), "low"),
                Arguments.of("gemini-3.1-pro-preview", Reasoning.effort(ReasoningEffort.MEDIUM), "medium"),
                Arguments.of("gemini-3.1-pro-preview", Reasoning.effort(ReasoningEffort.XHIGH), "high"),
                // 3 Flash and 3.1 Flash-Lite: minimal, low, medium, high
                Arguments.of("gemini-3-flash-preview", Reasoning.off(), "minimal"),
                Arguments.of("gemini-3-flash-preview", Reasoning.budget(0), "minimal"),
                Arguments.of("gemini-3-flash-preview", Reasoning.effort(ReasoningEffort.MINIMAL), "minimal"),
                Arguments.of("gemini-3-flash-preview", Reasoning.effort(ReasoningEffort.MEDIUM), "medium"),
                Arguments.of("gemini-3-flash-preview", Reasoning.effort(ReasoningEffort.HIGH), "high"),
                Arguments.of("gemini-3-flash-preview", Reasoning.budget(30_000), "high"),
                Arguments.of("models/gemini-3-flash-preview", Reasoning.effort(ReasoningEffort.LOW), "low"),
                Arguments.of("gemini-3.1-flash-lite-preview", Reasoning.off(), "minimal"),
                // 3.7 Flash and later: no minimal
                Arguments.of("gemini-3.7-flash", Reasoning.off(), "low"),
                Arguments.of("gemini-3.7-flash", Reasoning.effort(ReasoningEffort.MINIMAL), "low"));
    }

    @ParameterizedTest(name = "{0} {1} -> thinkingLevel {2}")
    @MethodSource("gemini3Levels")
    void givenReasoningForGemini3_whenMapped_thenNearestThinkingLevelTheModelHas(String model, Reasoning reasoning,
            String level) throws Exception {
        assertThat(thinkingConfig(model, reasoning)).isEqualTo(read("{\"thinkingLevel\":\"" + level + "\"}"));
    }

    @Test
    void givenNoReasoning_whenMapped_thenNoThinkingConfig() {
        ChatRequest request = ChatRequest.builder("g").addMessage(Message.user("x")).build();

        for (String model : List.of("gemini-2.5-pro", "gemini-3-flash-preview")) {
            assertThat(mapper.toBody(request, model).has("generationConfig")).as(model).isFalse();
        }
    }

    @Test
    void givenNoReasoningForGemini25Pro_whenMapped_thenRefusedNamingModelAndSetting() {
        assertThatThrownBy(() -> thinkingConfig("gemini-2.5-pro", Reasoning.off()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gemini-2.5-pro")
                .hasMessageContaining("effort none").hasMessageContaining("128 to 32768");
        assertThatThrownBy(() -> thinkingConfig("models/gemini-2.5-pro-preview-06-05", Reasoning.budget(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gemini-2.5-pro-preview-06-05")
                .hasMessageContaining("budget 0 tokens");
    }

    @Test
    void givenReasoningForANonThinkingModel_whenMapped_thenRefusedUnlessOff() {
        assertThatThrownBy(() -> thinkingConfig("gemini-2.0-flash", Reasoning.effort(ReasoningEffort.LOW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gemini-2.0-flash")
                .hasMessageContaining("effort low");
        assertThatThrownBy(() -> thinkingConfig("gemini-1.5-pro", Reasoning.budget(2_048)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gemini-1.5-pro")
                .hasMessageContaining("budget 2048 tokens");
        // it never thinks, so "off" is honoured by sending nothing (a thinkingConfig would be a 400)
        assertThat(thinkingConfig("gemini-2.0-flash", Reasoning.off()).isMissingNode()).isTrue();
    }
}
