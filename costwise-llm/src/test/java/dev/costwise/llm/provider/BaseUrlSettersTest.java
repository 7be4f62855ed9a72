package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.embedding.EmbeddingModel;
import dev.costwise.llm.embedding.EmbeddingRequest;
import dev.costwise.llm.embedding.OllamaEmbeddingModel;
import dev.costwise.llm.embedding.OpenAiCompatibleEmbeddingModel;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.gemini.GeminiEmbeddingModel;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Every adapter builder takes its base URL as text or as a {@link URI}, and refuses one that is not an http(s) URL
 * with the same message naming it. The server answers in each provider's documented format
 * (https://platform.openai.com/docs/api-reference, https://docs.claude.com/en/api/messages,
 * https://ai.google.dev/api/generate-content, https://ai.google.dev/api/embeddings, https://docs.ollama.com/api).
 */
class BaseUrlSettersTest {

    private static final String NOT_A_URL = "not a url";
    private static final String NOT_HTTP = "ftp://proxy.example.com/v1";

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final WorkflowContext ctx = WorkflowContext.of("test");

    private String url(String path) {
        return server.url(path).toString();
    }

    private String pathCalled(ChatModel model, String answer) throws InterruptedException {
        server.enqueue(Upstreams.json(answer));
        model.execute(ChatRequest.of(model.name(), "hi"), ctx);
        return server.takeRequest().getTarget();
    }

    private String pathCalled(EmbeddingModel model, String answer) throws InterruptedException {
        server.enqueue(Upstreams.json(answer));
        model.execute(EmbeddingRequest.of(model.name(), "hi"), ctx);
        return server.takeRequest().getTarget();
    }

    @Test
    void givenABaseUrlAsText_whenAnthropicOrGeminiIsBuilt_thenItIsCalledThere() throws Exception {
        ChatModel claude = AnthropicChatModel.builder("claude-sonnet-4-5").apiKey("k").pricer(TestPricers.FIXED)
                .baseUrl(url("/anthropic")).build();
        ChatModel gemini = GeminiChatModel.builder("gemini-2.5-flash").apiKey("k").pricer(TestPricers.FIXED)
                .baseUrl(url("/gemini")).build();
        EmbeddingModel geminiEmbeddings = GeminiEmbeddingModel.builder("gemini-embedding-001").apiKey("k")
                .pricer(TestPricers.FIXED).baseUrl(url("/gemini")).build();

        assertThat(pathCalled(claude, """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":10,"output_tokens":1}}""")).isEqualTo("/anthropic/v1/messages");
        assertThat(pathCalled(gemini, """
                {"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1,"totalTokenCount":11},
                 "modelVersion":"gemini-2.5-flash"}""")).startsWith("/gemini/v1beta/models/gemini-2.5-flash:");
        assertThat(pathCalled(geminiEmbeddings, "{\"embedding\":{\"values\":[0.5]}}"))
                .startsWith("/gemini/v1beta/models/gemini-embedding-001:");
    }

    @Test
    void givenABaseUrlAsAUri_whenOllamaIsBuilt_thenItIsCalledThere() throws Exception {
        URI ollama = server.url("/ollama/").uri();
        ChatModel chat = OllamaChatModel.builder("llama3.2").pricer(TestPricers.FIXED).baseUrl(ollama)
                .environment(Map.of()).build();
        EmbeddingModel embeddings = OllamaEmbeddingModel.builder("all-minilm").pricer(TestPricers.FIXED)
                .baseUrl(ollama).environment(Map.of()).build();

        assertThat(pathCalled(chat, """
                {"model":"llama3.2","message":{"role":"assistant","content":"hi"},"done":true,
                 "done_reason":"stop","prompt_eval_count":10,"eval_count":1}""")).isEqualTo("/ollama/api/chat");
        assertThat(pathCalled(embeddings, "{\"model\":\"all-minilm\",\"embeddings\":[[0.5]],\"prompt_eval_count\":2}"))
                .isEqualTo("/ollama/api/embed");
    }

    @Test
    void givenABaseUrlOnTheOpenAiBuilder_whenOpenAiBaseUrlIsSet_thenTheBuildersUrlWins() throws Exception {
        Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", "https://proxy.invalid/v1");
        ChatModel byText = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .pricer(TestPricers.FIXED).environment(env).baseUrl(url("/text/v1")).build();
        ChatModel byUri = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .pricer(TestPricers.FIXED).environment(env).baseUrl(server.url("/uri/v1").uri()).build();
        EmbeddingModel embeddings = OpenAiCompatibleEmbeddingModel.builder(OpenAiCompatibleEndpoint.OPENAI,
                "text-embedding-3-small").pricer(TestPricers.FIXED).environment(env).baseUrl(url("/e/v1")).build();
        String answer = """
                {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}""";

        assertThat(pathCalled(byText, answer)).isEqualTo("/text/v1/chat/completions");
        assertThat(pathCalled(byUri, answer)).isEqualTo("/uri/v1/chat/completions");
        assertThat(pathCalled(embeddings, """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}"""))
                .isEqualTo("/e/v1/embeddings");
    }

    @Test
    void givenABaseUrlThatIsNoHttpUrl_whenSetOnAnyBuilder_thenTheSameErrorNamesIt() {
        List<Consumer<String>> asText = List.of(
                u -> AnthropicChatModel.builder("claude-sonnet-4-5").baseUrl(u),
                u -> GeminiChatModel.builder("gemini-2.5-flash").baseUrl(u),
                u -> GeminiEmbeddingModel.builder("gemini-embedding-001").baseUrl(u),
                u -> OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.GROQ, "llama").baseUrl(u),
                u -> OpenAiCompatibleEmbeddingModel.builder(OpenAiCompatibleEndpoint.OPENAI, "e").baseUrl(u));
        List<Consumer<URI>> asUri = List.of(
                u -> AnthropicChatModel.builder("claude-sonnet-4-5").baseUrl(u),
                u -> GeminiChatModel.builder("gemini-2.5-flash").baseUrl(u),
                u -> GeminiEmbeddingModel.builder("gemini-embedding-001").baseUrl(u),
                u -> OllamaChatModel.builder("llama3.2").baseUrl(u),
                u -> OllamaEmbeddingModel.builder("all-minilm").baseUrl(u),
                u -> OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.GROQ, "llama").baseUrl(u),
                u -> OpenAiCompatibleEmbeddingModel.builder(OpenAiCompatibleEndpoint.OPENAI, "e").baseUrl(u));

        for (Consumer<String> setter : asText) {
            assertThatThrownBy(() -> setter.accept(NOT_A_URL)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("baseUrl must be an absolute http(s) URL, was 'not a url'");
            assertThatThrownBy(() -> setter.accept(NOT_HTTP)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("baseUrl must be an absolute http(s) URL, was " + NOT_HTTP);
        }
        for (Consumer<URI> setter : asUri) {
            assertThatThrownBy(() -> setter.accept(URI.create(NOT_HTTP))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("baseUrl must be an absolute http(s) URL, was " + NOT_HTTP);
            assertThatThrownBy(() -> setter.accept(URI.create("/v1"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("baseUrl must be an absolute http(s) URL, was /v1");
        }
    }
}
