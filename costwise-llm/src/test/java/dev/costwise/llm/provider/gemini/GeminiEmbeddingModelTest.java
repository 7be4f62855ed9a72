package dev.costwise.llm.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.embedding.EmbeddingRequest;
import dev.costwise.llm.embedding.EmbeddingResponse;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** {@link GeminiEmbeddingModel} against the documented wire format: https://ai.google.dev/api/embeddings. */
class GeminiEmbeddingModelTest {

    private static final String KEY = "AIzaSyD-SECRET-embed-key-42";
    private static final String MODEL = "gemini-embedding-001";

    /** gemini-embedding-001: $0.15 per million input tokens. */
    private static final Pricer PRICER = (model, usage) -> new Pricer.Priced(
            Money.of("0.15").perMillion(usage.inputTokens()), PriceStatus.PRICED);

    /** One token per whitespace-separated word, so expectations can be counted by hand. */
    private static final TokenEstimator WORDS = new TokenEstimator() {
        @Override
        public TokenEstimate estimateInput(String model, ChatRequest request) {
            return new TokenEstimate(countText(model, request.allText()), false);
        }

        @Override
        public long countText(String model, String text) {
            return text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }
    };

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final ObjectMapper json = new ObjectMapper();

    private GeminiEmbeddingModel model() {
        return GeminiEmbeddingModel.builder(MODEL).pricer(PRICER).tokenEstimator(WORDS).apiKey(KEY)
                .taskType("RETRIEVAL_DOCUMENT").baseUrl(server.url("/").uri()).build();
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    void givenOneText_whenEmbedded_thenEmbedContentIsCalledAndCostIsPricedFromEstimatedTokens() throws Exception {
        server.enqueue(json(200, "{\"embedding\":{\"values\":[0.013168523, -0.008711934, 0.046782676]}}"));
        WorkflowContext ctx = WorkflowContext.of("t");

        EmbeddingResponse r = model().execute(new EmbeddingRequest(MODEL, List.of("What is the meaning of life?"),
                Optional.of(3), Optional.empty()), ctx);

        assertThat(r.embeddings()).singleElement().satisfies(e -> {
            assertThat(e.index()).isZero();
            assertThat(e.vector()).containsExactly(0.013168523f, -0.008711934f, 0.046782676f);
        });
        // 6 words × $0.15 / 1M
        assertThat(r.usage()).isEqualTo(new Usage(6, 0, 0, 0, 0, true));
        assertThat(r.cost()).isEqualTo(Money.of("0.0000009"));
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1beta/models/gemini-embedding-001:embedContent");
        assertThat(sent.getUrl().query()).isNull();
        assertThat(sent.getHeaders().get("x-goog-api-key")).isEqualTo(KEY);
        assertThat(json.readTree(sent.getBody().utf8())).isEqualTo(json.readTree("""
                {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"What is the meaning of life?"}]},
                 "taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":3}"""));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.SUCCESS));
    }

    @Test
    void givenSeveralTexts_whenEmbedded_thenOneBatchCallKeepsInputOrder() throws Exception {
        server.enqueue(json(200, "{\"embeddings\":[{\"values\":[1,0]},{\"values\":[0,1]},{\"values\":[0.5,0.5]}]}"));

        EmbeddingResponse r = model().execute(EmbeddingRequest.of(MODEL, "a", "b c", "d"), WorkflowContext.of("t"));

        assertThat(r.embeddings()).extracting(e -> e.get(0)).containsExactly(1f, 0f, 0.5f);
        assertThat(r.get(1).index()).isEqualTo(1);
        assertThat(r.usage().inputTokens()).isEqualTo(4);
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
        JsonNode requests = json.readTree(sent.getBody().utf8()).path("requests");
        assertThat(requests).hasSize(3);
        assertThat(requests.path(1).path("content").path("parts").path(0).path("text").asText()).isEqualTo("b c");
        assertThat(requests.path(1).path("model").asText()).isEqualTo("models/gemini-embedding-001");
    }

    @Test
    void givenMoreThanOneHundredTexts_whenEmbedded_thenSplitIntoBatchesOfAtMostOneHundred() throws Exception {
        server.enqueue(json(200, vectors(100)));
        server.enqueue(json(200, vectors(50)));
        List<String> texts = IntStream.range(0, 150).mapToObj(i -> "t" + i).toList();

        EmbeddingResponse r = model().execute(new EmbeddingRequest(MODEL, texts, Optional.empty(), Optional.empty()),
                WorkflowContext.of("t"));

        assertThat(r.embeddings()).hasSize(150);
        assertThat(r.get(149).index()).isEqualTo(149);
        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("requests")).hasSize(100);
        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("requests")).hasSize(50);
    }

    @Test
    void givenLaterBatchFails_whenEmbedded_thenFailureCarriesAndRecordsTheBatchesGoogleBilled() throws Exception {
        server.enqueue(json(200, vectors(100)));
        server.enqueue(json(429, """
                {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).",
                 "status":"RESOURCE_EXHAUSTED"}}"""));
        // two words a text: the first batch of 100 texts is 200 tokens, the 50 never embedded would be 100 more
        List<String> texts = IntStream.range(0, 150).mapToObj(i -> "text " + i).toList();
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(new EmbeddingRequest(MODEL, texts, Optional.empty(),
                Optional.empty()), ctx))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class, e -> assertThat(e.billedUsage())
                        .contains(new Usage(200, 0, 0, 0, 0, true)))
                .hasMessageContaining("Resource has been exhausted");
        // 200 tokens × $0.15 / 1M: the first batch was answered, so billed, although the request failed
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(rec -> {
            assertThat(rec.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(rec.errorKind()).contains("rate_limited");
            assertThat(rec.usage()).isEqualTo(new Usage(200, 0, 0, 0, 0, true));
            assertThat(rec.cost()).isEqualTo(Money.of("0.00003"));
        });
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenFirstBatchFails_whenEmbedded_thenNothingWasBilled() {
        server.enqueue(json(500, """
                {"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}"""));
        List<String> texts = IntStream.range(0, 150).mapToObj(i -> "text " + i).toList();
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(new EmbeddingRequest(MODEL, texts, Optional.empty(),
                Optional.empty()), ctx))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.billedUsage()).isEmpty());
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(rec -> {
            assertThat(rec.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(rec.usage()).isEqualTo(Usage.ZERO);
            assertThat(rec.cost()).isEqualTo(Money.ZERO);
        });
    }

    private static String vectors(int n) {
        return "{\"embeddings\":[" + String.join(",", IntStream.range(0, n).mapToObj(i -> "{\"values\":[" + i + "]}")
                .toList()) + "]}";
    }

    @Test
    void givenBatchAnswerWithMissingVector_whenEmbedded_thenMalformedResponseAndFailedRecord() {
        server.enqueue(json(200, "{\"embeddings\":[{\"values\":[1,0]}]}"));
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(EmbeddingRequest.of(MODEL, "a", "b"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class).hasMessageContaining("expected 2");
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(rec -> {
            assertThat(rec.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(rec.cost()).isEqualTo(Money.ZERO);
        });
    }

    @Test
    void givenResourceExhausted_whenEmbedded_thenRateLimitedWithRetryInfoAndNoKeyInMessage() {
        server.enqueue(json(429, """
                {"error":{"code":429,"message":"Quota exceeded for quota metric 'Embed content requests'",
                 "status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",
                 "retryDelay":"20s"}]}}"""));

        assertThatThrownBy(() -> model().execute(EmbeddingRequest.of(MODEL, "a"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(20)))
                .hasMessageNotContaining(KEY);
        assertThat(model().toString()).doesNotContain(KEY);
    }
}
