package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.embedding.EmbeddingRequest;
import dev.costwise.llm.embedding.OllamaEmbeddingModel;
import dev.costwise.llm.embedding.OpenAiCompatibleEmbeddingModel;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A base URL set in code wins over the one the environment names ({@code OPENAI_BASE_URL}, {@code OLLAMA_HOST}), as
 * in the official SDKs; the environment only fills in when the code sets none. Two MockWebServers stand for the URL
 * set in code and the one in the environment; each answers in its provider's documented format
 * (https://platform.openai.com/docs/api-reference/chat/create, /embeddings; https://docs.ollama.com/api/chat,
 * /api/embed).
 */
class ExplicitBaseUrlTest {

    private static final String OPENAI_ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}""";
    private static final String OPENAI_VECTORS = """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}""";
    private static final String OLLAMA_ANSWER = """
            {"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799Z",
             "message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop",
             "prompt_eval_count":10,"eval_count":1}""";
    private static final String OLLAMA_VECTORS = """
            {"model":"all-minilm","embeddings":[[0.5]],"prompt_eval_count":2}""";

    private MockWebServer inCode;
    private MockWebServer inEnvironment;
    private final WorkflowContext ctx = WorkflowContext.of("test");

    @BeforeEach
    void start() throws IOException {
        inCode = new MockWebServer();
        inCode.start();
        inEnvironment = new MockWebServer();
        inEnvironment.start();
    }

    @AfterEach
    void stop() {
        inCode.close();
        inEnvironment.close();
    }

    private Map<String, String> openAiEnvironment() {
        return Map.of("OPENAI_BASE_URL", inEnvironment.url("/v1").toString());
    }

    private Map<String, String> ollamaEnvironment() {
        return Map.of("OLLAMA_HOST", inEnvironment.url("/").toString());
    }

    @Test
    void givenOpenAiMovedInCodeAndOpenAiBaseUrlSet_whenCalled_thenTheCallGoesWhereTheCodeSays() throws Exception {
        inCode.enqueue(Upstreams.json(OPENAI_ANSWER));
        inEnvironment.enqueue(Upstreams.json(OPENAI_ANSWER));

        OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(inCode.url("/v1").toString()),
                        "gpt-4o").apiKey(ApiKey.of("sk-test")).pricer(TestPricers.FIXED)
                .environment(openAiEnvironment()).build().execute(ChatRequest.of("gpt-4o", "hi"), ctx);

        assertThat(inEnvironment.getRequestCount()).as("OPENAI_BASE_URL was not called").isZero();
        assertThat(inCode.takeRequest().getTarget()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void givenOpenAiEmbeddingsMovedInCodeAndOpenAiBaseUrlSet_whenCalled_thenTheCallGoesWhereTheCodeSays()
            throws Exception {
        inCode.enqueue(Upstreams.json(OPENAI_VECTORS));
        inEnvironment.enqueue(Upstreams.json(OPENAI_VECTORS));

        OpenAiCompatibleEmbeddingModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(inCode.url("/v1").toString()),
                        "text-embedding-3-small").apiKey(ApiKey.of("sk-test")).pricer(TestPricers.FIXED)
                .environment(openAiEnvironment()).build().execute(EmbeddingRequest.of("emb", "x"), ctx);

        assertThat(inEnvironment.getRequestCount()).as("OPENAI_BASE_URL was not called").isZero();
        assertThat(inCode.takeRequest().getTarget()).isEqualTo("/v1/embeddings");
    }

    @Test
    void givenOpenAiEmbeddingsNotMovedInCode_whenOpenAiBaseUrlSet_thenTheEnvironmentFillsIn() throws Exception {
        inEnvironment.enqueue(Upstreams.json(OPENAI_VECTORS));

        OpenAiCompatibleEmbeddingModel.builder(OpenAiCompatibleEndpoint.OPENAI, "text-embedding-3-small")
                .apiKey(ApiKey.of("sk-test")).pricer(TestPricers.FIXED).environment(openAiEnvironment()).build()
                .execute(EmbeddingRequest.of("emb", "x"), ctx);

        assertThat(inEnvironment.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/v1/embeddings");
    }

    @Test
    void givenOllamaMovedInCodeAndOllamaHostSet_whenCalled_thenTheCallGoesWhereTheCodeSays() throws Exception {
        inCode.enqueue(Upstreams.json(OLLAMA_ANSWER));
        inEnvironment.enqueue(Upstreams.json(OLLAMA_ANSWER));

        OllamaChatModel.builder("llama3.2").baseUrl(inCode.url("/").toString()).environment(ollamaEnvironment())
                .pricer(TestPricers.FIXED).build().execute(ChatRequest.of("llama3.2", "hi"), ctx);

        assertThat(inEnvironment.getRequestCount()).as("OLLAMA_HOST was not called").isZero();
        assertThat(inCode.takeRequest().getTarget()).isEqualTo("/api/chat");
    }

    @Test
    void givenOllamaEmbeddingsMovedInCodeAndOllamaHostSet_whenCalled_thenTheCallGoesWhereTheCodeSays()
            throws Exception {
        inCode.enqueue(Upstreams.json(OLLAMA_VECTORS));
        inEnvironment.enqueue(Upstreams.json(OLLAMA_VECTORS));

        OllamaEmbeddingModel.builder("all-minilm").baseUrl(inCode.url("/").toString())
                .environment(ollamaEnvironment()).pricer(TestPricers.FIXED).build()
                .execute(EmbeddingRequest.of("all-minilm", "x"), ctx);

        assertThat(inEnvironment.getRequestCount()).as("OLLAMA_HOST was not called").isZero();
        assertThat(inCode.takeRequest().getTarget()).isEqualTo("/api/embed");
    }
}
