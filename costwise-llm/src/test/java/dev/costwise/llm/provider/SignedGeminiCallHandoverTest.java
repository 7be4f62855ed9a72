package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tool conversation Gemini started, continued on another provider (a fallback, a group member, a model switch).
 * Gemini signs its function calls (https://ai.google.dev/gemini-api/docs/thought-signatures) and the Gemini adapter
 * carries the signature in the call's id; OpenAI refuses tool-call ids over 40 characters and Anthropic ids outside
 * {@code ^[a-zA-Z0-9_-]+$} (https://docs.claude.com/en/api/messages), so both get the id without it, alike in the call
 * and in its result, while Gemini still gets its signature back.
 */
class SignedGeminiCallHandoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGNATURE = "CiQBcsjafQ+/Zm9vYmFyYmF6cXV4Y29ycmVjdGhvcnNlYmF0dGVyeXN0YXBsZQ==";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final WorkflowContext ctx = WorkflowContext.of("t");
    private List<Message> conversation;

    @BeforeEach
    void startOnGemini() {
        server.enqueue(Upstreams.json("""
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather",
                  "args":{"city":"Paris"}},"thoughtSignature":"%s"}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":8,"totalTokenCount":68},
                 "modelVersion":"gemini-2.5-flash","responseId":"resp-7"}""".formatted(SIGNATURE)));
        ChatResponse first = Upstreams.gemini(server)
                .execute(ChatRequest.of("gemini-2.5-flash", "Weather in Paris?"), ctx);
        String id = first.toolCalls().getFirst().id();
        assertThat(id).isEqualTo("call_resp-7_0__thought__" + SIGNATURE);
        conversation = List.of(Message.user("Weather in Paris?"),
                new Message(Role.ASSISTANT, List.of(), Optional.empty(), first.toolCalls(), Optional.empty()),
                Message.toolResult(id, "18C"));
    }

    @Test
    void givenASignedGeminiCall_whenTheConversationGoesToClaude_thenTheIdsGoWithoutTheSignature() throws Exception {
        server.enqueue(Upstreams.claudeText("18C"));

        Upstreams.claude(server).build().execute(request("claude-sonnet-4-5"), ctx);

        assertThat(sentBody().path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
                 {"role":"assistant","content":[{"type":"tool_use","id":"call_resp-7_0","name":"get_weather",
                   "input":{"city":"Paris"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_resp-7_0","content":"18C"}]}]"""));
    }

    @Test
    void givenASignedGeminiCall_whenTheConversationGoesToOpenAi_thenTheIdsGoWithoutTheSignature() throws Exception {
        server.enqueue(Upstreams.json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"18C"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105}}"""));

        OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()),
                "gpt-4o-mini").apiKey(Upstreams.KEY).pricer(Upstreams.PRICER).environment(Map.of()).build()
                .execute(request("gpt-4o-mini"), ctx);

        assertThat(sentBody().path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_resp-7_0","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","content":"18C","tool_call_id":"call_resp-7_0"}]"""));
    }

    @Test
    void givenASignedGeminiCall_whenTheConversationGoesBackToGemini_thenTheSignatureGoesWithTheCall()
            throws Exception {
        server.enqueue(Upstreams.json("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"18C"}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":70,"candidatesTokenCount":2,"totalTokenCount":72}}"""));

        Upstreams.gemini(server).execute(request("gemini-2.5-flash"), ctx);

        assertThat(sentBody().path("contents").path(1)).isEqualTo(JSON.readTree("""
                {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},
                  "thoughtSignature":"%s"}]}""".formatted(SIGNATURE)));
    }

    private ChatRequest request(String model) {
        return ChatRequest.builder(model).messages(conversation).build();
    }

    /** The body of the latest request (the first one went to Gemini in {@link #startOnGemini}). */
    private JsonNode sentBody() throws Exception {
        server.takeRequest();
        return JSON.readTree(server.takeRequest().getBody().utf8());
    }
}
