package dev.costwise.llm.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Request shapes from https://ai.google.dev/api/generate-content and
 * https://ai.google.dev/gemini-api/docs/function-calling.
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

        JsonNode body = mapper.toBody(request);

        assertThat(body.path("systemInstruction")).isEqualTo(read("{\"parts\":[{\"text\":\"Be brief.\"}]}"));
        assertThat(body.path("contents")).isEqualTo(read("""
                [{"role":"user","parts":[{"text":"Weather and time?"}]},
                 {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
                                          {"functionCall":{"name":"get_time","args":{}}}]},
                 {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":18}}},
                                         {"functionResponse":{"name":"get_time","response":{"result":"12:00"}}}]}]"""));
        assertThat(body.path("tools")).isEqualTo(read("""
                [{"functionDeclarations":[{"name":"get_weather","description":"Weather","parameters":
                   {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
                  {"name":"get_time"}]}]"""));
        assertThat(body.path("toolConfig")).isEqualTo(read("""
                {"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}"""));
        assertThat(body.has("generationConfig")).isFalse();
    }

    @Test
    void givenToolResultForUnknownCall_whenMapped_thenFailsNamingTheId() {
        ChatRequest request = ChatRequest.builder("g").addMessage(Message.user("x"))
                .addMessage(Message.toolResult("call_zz", "r")).build();
        assertThatThrownBy(() -> mapper.toBody(request)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("call_zz");
    }

    @Test
    void givenImagesAndGenerationSettings_whenMapped_thenInlineDataAndGenerationConfigAreSent() throws Exception {
        Message user = new Message(Role.USER, List.of(ContentPart.text("Describe"),
                ContentPart.image("data:image/jpeg;base64,/9j/4AAQ"), ContentPart.image("https://x.test/a.png?s=1")),
                Optional.empty(), List.of(), Optional.empty());
        JsonNode schema = read("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
                + "\"additionalProperties\":false}");
        ChatRequest request = ChatRequest.builder("g").addMessage(user).temperature(0.2).topP(0.8).maxTokens(300)
                .stop(List.of("END")).seed(42).responseFormat(new ResponseFormat.JsonSchema("person", schema, true))
                .toolChoice(TextNode.valueOf("none")).build();

        JsonNode body = mapper.toBody(request);

        assertThat(body.path("contents").path(0).path("parts")).isEqualTo(read("""
                [{"text":"Describe"},{"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}},
                 {"fileData":{"mimeType":"image/png","fileUri":"https://x.test/a.png?s=1"}}]"""));
        assertThat(body.path("generationConfig")).isEqualTo(read("""
                {"temperature":0.2,"topP":0.8,"maxOutputTokens":300,"stopSequences":["END"],"seed":42,
                 "responseMimeType":"application/json",
                 "responseSchema":{"type":"object","properties":{"name":{"type":"string"}}}}"""));
        assertThat(body.path("toolConfig").path("functionCallingConfig").path("mode").asText()).isEqualTo("NONE");
    }

    @Test
    void givenSeedBeyond32Bits_whenMapped_thenFailsWithTheValue() {
        ChatRequest request = ChatRequest.builder("g").addMessage(Message.user("x")).seed(1L << 40).build();
        assertThatThrownBy(() -> mapper.toBody(request)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(1L << 40));
    }
}
