package dev.costwise.llm.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Embedding models against MockWebServer: OpenAI's /embeddings
 * (https://platform.openai.com/docs/api-reference/embeddings/create) and Ollama's /api/embed
 * (https://docs.ollama.com/api/embed).
 */
class EmbeddingModelsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-embed-0123456789SECRET";

    private MockWebServer server;
    private HelidonHttpTransport transport;
    private WorkflowContext ctx;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        transport = HelidonHttpTransport.builder().readTimeout(Duration.ofSeconds(5)).build();
        ctx = WorkflowContext.of("test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiCompatibleEmbeddingModel openAi() {
        return OpenAiCompatibleEmbeddingModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()),
                        "text-embedding-3-small")
                .apiKey(KEY).pricer(TestPricers.FIXED).transport(transport).environment(Map.of()).build();
    }

    @Test
    void givenOpenAiEmbeddings_whenExecuted_thenVectorsInInputOrderWithUsageAndCost() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"object":"list","data":[
                  {"object":"embedding","index":1,"embedding":[0.5,-0.25,0.0]},
                  {"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,0.015797347]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""").build());

        EmbeddingResponse r = openAi().execute(new EmbeddingRequest("emb", List.of("first text", "second"),
                Optional.of(3), Optional.of("u-1")), ctx);

        assertThat(r.embeddings()).extracting(Embedding::index).containsExactly(0, 1);
        assertThat(r.get(1).vector()).containsExactly(0.5f, -0.25f, 0.0f);
        assertThat(r.get(0).dimensions()).isEqualTo(3);
        assertThat(r.usage()).isEqualTo(Usage.of(8, 0));
        assertThat(r.cost()).isEqualTo(TestPricers.cost(8, 0, 0));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .extracting(CostRecord::outcome).isEqualTo(Outcome.SUCCESS);
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getTarget()).isEqualTo("/v1/embeddings");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = JSON.readTree(sent.getBody().utf8());
        assertThat(body.toString()).isEqualTo("{\"model\":\"text-embedding-3-small\",\"input\":[\"first text\","
                + "\"second\"],\"encoding_format\":\"float\",\"dimensions\":3,\"user\":\"u-1\"}");
    }

    @Test
    void givenRateLimitedEmbeddings_whenExecuted_thenRateLimitedAndFailedRecord() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("retry-after", "3").body(
                "{\"error\":{\"message\":\"Rate limit reached for text-embedding-3-small\",\"type\":\"requests\","
                        + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}").build());

        ProviderException.RateLimited e = catchThrowableOfType(ProviderException.RateLimited.class,
                () -> openAi().execute(EmbeddingRequest.of("emb", "x"), ctx));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.cost()).isEqualTo(Money.ZERO);
        });
    }

    @Test
    void givenAnErrorInA200Body_whenExecuted_thenTypedByItsCodeWithNoStatusNeverSent() {
        // OpenRouter: once the model has started, errors come in a 200 (https://openrouter.ai/docs/api/errors)
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(
                "{\"error\":{\"message\":\"Provider returned error\",\"code\":502}}").build());

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> openAi().execute(EmbeddingRequest.of("emb", "x"), ctx));

        assertThat(e).isInstanceOf(ProviderException.ServerError.class);
        assertThat(e.status()).isEmpty();
        assertThat(e.getMessage()).endsWith("Provider returned error (error in the body of an HTTP 200 response)");
    }

    @Test
    void givenFewerVectorsThanInputs_whenExecuted_thenMalformedResponse() {
        server.enqueue(new MockResponse.Builder().code(200).body(
                "{\"object\":\"list\",\"data\":[{\"index\":0,\"embedding\":[1.0]}],\"usage\":{\"prompt_tokens\":2}}")
                .build());

        assertThatThrownBy(() -> openAi().execute(EmbeddingRequest.of("emb", "a", "b"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("asked for 2 vectors, got 1");
    }

    @Test
    void givenAnAnswerOverTheTransportsLimit_whenExecuted_thenAnswerTooLargeNeitherRetriedNorPassedOn() {
        HelidonHttpTransport small = HelidonHttpTransport.builder().maxResponseSize(1024).build();
        OpenAiCompatibleEmbeddingModel model = OpenAiCompatibleEmbeddingModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()),
                        "text-embedding-3-small")
                .apiKey(KEY).pricer(TestPricers.FIXED).transport(small).environment(Map.of()).build();
        server.enqueue(new MockResponse.Builder().code(200).body("{\"object\":\"list\",\"data\":[{\"index\":0,"
                + "\"embedding\":[" + "0.25,".repeat(400) + "0.5]}],\"usage\":{\"prompt_tokens\":1}}").build());

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> model.execute(EmbeddingRequest.of("emb", "a"), ctx));

        assertThat(e).isInstanceOf(ProviderException.AnswerTooLarge.class)
                .hasMessageContaining("the answer is larger than the 1024 bytes limit; split the batch");
        assertThat(e.verdict().retryable()).isFalse();
        assertThat(e.verdict().fallbackable()).isFalse();
    }

    @Test
    void givenOllamaEmbed_whenExecuted_thenVectorsAndPromptEvalCount() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("""
                {"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862,0.05007221],
                 [-0.0098426275,0.0025804818,0.01544001]],"total_duration":14143917,"load_duration":1019500,
                 "prompt_eval_count":8}""").build());
        Pricer local = (m, u) -> new Pricer.Priced(Money.ZERO, PriceStatus.LOCAL);

        EmbeddingResponse r = OllamaEmbeddingModel.builder("all-minilm").baseUrl(server.url("/").toString())
                .pricer(local).transport(transport).build()
                .execute(EmbeddingRequest.of("all-minilm", "Why is the sky blue?", "Why is the grass green?"), ctx);

        assertThat(r.embeddings()).hasSize(2);
        assertThat(r.get(0).get(2)).isEqualTo(0.05007221f);
        assertThat(r.usage()).isEqualTo(Usage.of(8, 0));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.LOCAL);
        assertThat(r.provider()).isEqualTo("ollama");
        JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(body.toString()).isEqualTo(
                "{\"model\":\"all-minilm\",\"input\":[\"Why is the sky blue?\",\"Why is the grass green?\"]}");
    }

    @Test
    void givenOllamaModelMissing_whenEmbedding_thenNotFound() {
        server.enqueue(new MockResponse.Builder().code(404)
                .body("{\"error\":\"model \\\"nomic\\\" not found, try pulling it first\"}").build());
        Pricer local = (m, u) -> new Pricer.Priced(Money.ZERO, PriceStatus.LOCAL);

        assertThatThrownBy(() -> OllamaEmbeddingModel.builder("nomic").baseUrl(server.url("/").toString())
                .pricer(local).transport(transport).build().execute(EmbeddingRequest.of("nomic", "x"), ctx))
                .isInstanceOf(ProviderException.NotFound.class);
    }

    @Test
    void givenEmbeddings_whenCompared_thenCosineAndValueEquality() {
        Embedding a = new Embedding(0, new float[] {1, 0});
        Embedding b = new Embedding(0, new float[] {1, 0});

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.cosine(new Embedding(1, new float[] {0, 1}))).isEqualTo(0.0);
        assertThat(a.cosine(b)).isEqualTo(1.0);
        assertThatThrownBy(() -> a.cosine(new Embedding(0, new float[] {1})))
                .hasMessage("cannot compare vectors of 2 and 1 dimensions");
        assertThatThrownBy(() -> EmbeddingRequest.of("m")).hasMessage("inputs cannot be empty");
    }
}
