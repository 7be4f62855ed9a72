package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * A system message of several text parts (OpenAI's content array; Anthropic's {@code system} as a list of blocks)
 * sent to a provider that reads the system prompt as one text: the parts are joined by a blank line, as separate
 * system messages are, never glued into one changed sentence. Wire formats: https://docs.claude.com/en/api/messages
 * ({@code system}) and https://ai.google.dev/api/generate-content ({@code systemInstruction}).
 */
class SystemPromptPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final WorkflowContext ctx = WorkflowContext.of("t");

    private ChatRequest request(String model) {
        Message twoParts = new Message(Role.SYSTEM, List.of(ContentPart.text("Be brief."),
                ContentPart.text("Answer in French.")), Optional.empty(), List.of(), Optional.empty());
        return ChatRequest.builder(model).addMessage(twoParts).addMessage(Message.system("Never guess."))
                .addMessage(Message.user("Hello")).build();
    }

    @Test
    void givenASystemMessageOfTwoParts_whenSentToClaude_thenTheSystemTextKeepsThemApart() throws Exception {
        server.enqueue(Upstreams.claudeText("Bonjour"));

        Upstreams.claude(server).promptCaching(AnthropicPromptCaching.NONE).build()
                .execute(request("claude-sonnet-4-5"), ctx);

        assertThat(sentBody().path("system").textValue()).isEqualTo("Be brief.\n\nAnswer in French.\n\nNever guess.");
    }

    @Test
    void givenASystemMessageOfTwoParts_whenSentToGemini_thenTheSystemInstructionKeepsThemApart() throws Exception {
        server.enqueue(Upstreams.json("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Bonjour"}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":3,"totalTokenCount":23}}"""));

        Upstreams.gemini(server).execute(request("gemini-2.5-flash"), ctx);

        assertThat(sentBody().path("systemInstruction")).isEqualTo(JSON.readTree("""
                {"parts":[{"text":"Be brief.\\n\\nAnswer in French.\\n\\nNever guess."}]}"""));
    }

    @Test
    void givenASystemMessageOfTwoParts_whenSentToOllama_thenItsContentKeepsThemApart() throws Exception {
        server.enqueue(Upstreams.json("""
                {"model":"llama3.2","created_at":"2026-11-28T17:00:00Z","message":{"role":"assistant",
                 "content":"Bonjour"},"done":true,"done_reason":"stop","prompt_eval_count":20,"eval_count":3}"""));

        OllamaChatModel.builder("llama3.2").baseUrl(server.url("/").toString())
                .pricer((model, usage) -> new Pricer.Priced(Money.ZERO, PriceStatus.LOCAL)).build()
                .execute(request("llama3.2"), ctx);

        JsonNode messages = sentBody().path("messages");
        assertThat(messages.get(0).path("content").textValue()).isEqualTo("Be brief.\n\nAnswer in French.");
        assertThat(messages.get(1).path("content").textValue()).isEqualTo("Never guess.");
    }

    private JsonNode sentBody() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8());
    }
}
