package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An adapter sends the model name its caller configured, and the bundled catalog only prices it (bug bash 4, F2): an
 * alias picks the catalog entry for prices and limits but is not rewritten on the wire, unless it is only the
 * catalog's own spelling of a model the provider knows under another id.
 */
class ConfiguredModelOnTheWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CatalogPricer PRICER = CatalogPricer.of(ModelCatalogs.bundled());

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final WorkflowContext ctx = WorkflowContext.of("test");

    /**
     * An Ollama that ran only {@code ollama pull llama3.2} and {@code ollama pull mistral}: a name without a tag is
     * {@code :latest}, and a tag not pulled is Ollama's 404 (https://github.com/ollama/ollama/blob/main/docs/api.md).
     */
    private void ollamaThatPulled(Set<String> pulled) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String name = model(request);
                String tagged = name.contains(":") ? name : name + ":latest";
                if (!pulled.contains(tagged)) {
                    return json(404, "{\"error\":\"model \\\"" + name + "\\\" not found, try pulling it first\"}");
                }
                return json(200, """
                        {"model":"%s","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant",
                         "content":"hi"},"done_reason":"stop","done":true,"prompt_eval_count":5,"eval_count":2}"""
                        .formatted(name));
            }
        });
    }

    private static String model(RecordedRequest request) {
        try {
            return JSON.readTree(request.getBody().utf8()).path("model").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body)
                .build();
    }

    private static MockResponse openAiCompletion(String model) {
        return json(200, """
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,
                 "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}""".formatted(model));
    }

    private JsonNode sentBody() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3.2", "mistral", "llama3.2:latest"})
    void givenOllamaBuiltForTheTagThatWasPulled_whenCalled_thenThatTagIsSentAndTheCallIsLocal(String tag)
            throws Exception {
        ollamaThatPulled(Set.of("llama3.2:latest", "mistral:latest"));
        ChatModel llama = OllamaChatModel.builder(tag).baseUrl(server.url("/").toString()).pricer(PRICER).build();

        ChatResponse r = llama.execute(ChatRequest.of(tag, "hi"), ctx);

        assertThat(sentBody().path("model").asText()).isEqualTo(tag);
        assertThat(r.text()).isEqualTo("hi");
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.LOCAL);
        assertThat(r.modelDowngraded()).isFalse();
    }

    @Test
    void givenOllamasDefaultTag_whenRecorded_thenItCountsUnderTheCatalogEntryOfTheUntaggedName() {
        ollamaThatPulled(Set.of("llama3.2:latest"));
        ChatModel llama = OllamaChatModel.builder("llama3.2:latest").baseUrl(server.url("/").toString())
                .pricer(PRICER).build();

        llama.execute(ChatRequest.of("llama3.2:latest", "hi"), ctx);

        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .extracting(CostRecord::catalogModel).isEqualTo("llama3.2:3b");
    }

    @Test
    void givenAPinnedOpenAiSnapshot_whenCalled_thenTheSnapshotIsSentAndPricedAsItsCatalogModel() throws Exception {
        server.enqueue(openAiCompletion("gpt-4o-2024-11-20"));
        ChatModel pinned = OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4o-2024-11-20")
                .apiKey(ApiKey.of("sk-test")).pricer(PRICER).environment(Map.of()).build();

        ChatResponse r = pinned.execute(ChatRequest.of("gpt-4o-2024-11-20", "hi"), ctx);

        assertThat(sentBody().path("model").asText()).isEqualTo("gpt-4o-2024-11-20");
        // gpt-4o: $2.50 input, $10 output per 1M tokens
        assertThat(r.cost()).isEqualTo(Money.of("0.0075"));
    }

    @Test
    void givenTheCatalogsOwnSpellingOfAGroqModel_whenCalled_thenGroqsIdIsSent() throws Exception {
        server.enqueue(openAiCompletion("llama-3.3-70b-versatile"));
        ChatModel groq = OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.GROQ.withBaseUrl(server.url("/openai/v1").toString()),
                "groq/llama-3.3-70b-versatile").apiKey(ApiKey.of("gsk-test")).pricer(PRICER).environment(Map.of())
                .build();

        groq.execute(ChatRequest.of("groq/llama-3.3-70b-versatile", "hi"), ctx);

        assertThat(sentBody().path("model").asText()).isEqualTo("llama-3.3-70b-versatile");
    }

    @Test
    void givenTheCatalogsDottedSpellingOfAClaudeModel_whenCalled_thenAnthropicsIdIsSent() throws Exception {
        server.enqueue(json(200, """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":100,"output_tokens":5}}"""));
        ChatModel claude = AnthropicChatModel.builder("claude-sonnet-4.5").pricer(PRICER).apiKey(ApiKey.of("k"))
                .baseUrl(server.url("/").uri()).build();

        claude.execute(ChatRequest.of("claude-sonnet-4.5", "hi"), ctx);

        assertThat(sentBody().path("model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
    }
}
