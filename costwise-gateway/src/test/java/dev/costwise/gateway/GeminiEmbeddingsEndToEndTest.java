package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@code gemini-embedding-001} on {@code POST /v1/embeddings}: the OpenAI request is sent as Gemini's
 * {@code embedContent} (one text) or {@code batchEmbedContents} (several), {@code dimensions} as
 * {@code outputDimensionality} (https://ai.google.dev/api/embeddings), and Gemini's vectors come back in OpenAI's
 * shape (https://platform.openai.com/docs/api-reference/embeddings/object), as numbers or as OpenAI's base64
 * (little-endian float32). Gemini reports no token counts: the call is billed the gateway's estimate, marked so.
 */
class GeminiEmbeddingsEndToEndTest {
    @StartStop
    final MockWebServer gemini = new MockWebServer();

    private TestGateway gateway(String pipelines) {
        return TestGateway.of("""
                models:
                  - {name: gemini-embedding-001, provider: gemini, api_key: AIza-test, base_url: %s}
                %s""".formatted(TestGateway.baseUrl(gemini), pipelines));
    }

    private static MockResponse answer(String json) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(json).build();
    }

    @Test
    void givenOneText_whenEmbedded_thenSentAsEmbedContentAndAnsweredInOpenAiFormatAtTheEstimate() throws Exception {
        gemini.enqueue(answer("{\"embedding\":{\"values\":[0.5,-0.25,0.125]}}"));
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/embeddings",
                    "{\"model\":\"gemini-embedding-001\",\"input\":\"What is the meaning of life?\"}");

            assertThat(res.statusCode()).isEqualTo(200);
            RecordedRequest sent = gemini.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1beta/models/gemini-embedding-001:embedContent");
            assertThat(sent.getHeaders().get("x-goog-api-key")).isEqualTo("AIza-test");
            assertThat(TestGateway.json(sent.getBody().utf8())).isEqualTo(TestGateway.json("""
                    {"model":"models/gemini-embedding-001",
                     "content":{"parts":[{"text":"What is the meaning of life?"}]}}"""));
            // 28 ASCII characters: 7 tokens, at gemini-embedding-001's $0.15 per 1M
            assertThat(TestGateway.json(res.body())).isEqualTo(TestGateway.json("""
                    {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25,0.125]}],
                     "model":"gemini-embedding-001","usage":{"prompt_tokens":7,"total_tokens":7}}"""));
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.00000105");
            CostRecord row = gw.records().getFirst();
            assertThat(row.usage().estimated()).isTrue();
            assertThat(row.cost()).isEqualTo(Money.of("0.00000105"));
        }
    }

    @Test
    void givenSeveralTextsAsBase64WithDimensions_whenEmbedded_thenOneBatchCallAndOpenAisBase64() throws Exception {
        gemini.enqueue(answer("{\"embeddings\":[{\"values\":[0.5,-0.25]},{\"values\":[1.0,0.0]}]}"));
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/embeddings", "{\"model\":\"gemini-embedding-001\","
                    + "\"input\":[\"first\",\"second\"],\"dimensions\":2,\"encoding_format\":\"base64\"}");

            assertThat(res.statusCode()).isEqualTo(200);
            RecordedRequest sent = gemini.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent.getUrl().encodedPath())
                    .isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
            JsonNode requests = TestGateway.json(sent.getBody().utf8()).get("requests");
            assertThat(requests.get(1)).isEqualTo(TestGateway.json("""
                    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"second"}]},
                     "outputDimensionality":2}"""));
            JsonNode data = TestGateway.json(res.body()).get("data");
            assertThat(data.get(1).get("index").asInt()).isEqualTo(1);
            ByteBuffer first = ByteBuffer.wrap(Base64.getDecoder().decode(data.get(0).get("embedding").asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            assertThat(first.remaining()).isEqualTo(8);
            assertThat(first.getFloat()).isEqualTo(0.5f);
            assertThat(first.getFloat()).isEqualTo(-0.25f);
        }
    }

    @Test
    void givenSecondBatchRateLimited_whenEmbedded_thenTheFailureIsLedgeredAtTheFirstBatchGoogleBilled() {
        gemini.enqueue(answer("{\"embeddings\":[" + String.join(",", Collections.nCopies(100,
                "{\"values\":[0.5]}")) + "]}"));
        gemini.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json").body("""
                {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).",
                 "status":"RESOURCE_EXHAUSTED"}}""").build());
        // 150 texts of seven non-ASCII characters: seven tokens each by the gateway's estimate, the budget's
        String input = String.join(",", Collections.nCopies(150, "\"日本語テキスト\""));
        try (TestGateway gw = gateway("""
                pipelines:
                  gemini-embedding-001: {retry: {max_retries: 0}}
                """)) {
            HttpResponse<String> res = gw.post("/v1/embeddings",
                    "{\"model\":\"gemini-embedding-001\",\"input\":[" + input + "]}");

            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("upstream_rate_limited");
            assertThat(gemini.getRequestCount()).isEqualTo(2);
            // the first 100 texts were embedded and billed: 700 tokens at $0.15 per 1M, though the request failed
            CostRecord row = gw.records().getFirst();
            assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(row.errorKind()).hasValue("rate_limited");
            assertThat(row.usage().inputTokens()).isEqualTo(700);
            assertThat(row.usage().estimated()).isTrue();
            assertThat(row.cost()).isEqualTo(Money.of("0.000105"));
        }
    }

    @Test
    void givenTokenArrays_whenEmbedded_thenRefusedNamingTheInputWithoutACall() {
        try (TestGateway gw = gateway("")) {
            HttpResponse<String> res = gw.post("/v1/embeddings",
                    "{\"model\":\"gemini-embedding-001\",\"input\":[[1000,1001],[1002]]}");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/param").asText()).isEqualTo("input[0]");
            assertThat(TestGateway.json(res.body()).at("/error/message").asText()).contains("embeds text only");
            assertThat(gemini.getRequestCount()).isZero();
        }
    }

    @Test
    void givenGeminiNeverAnswers_whenThePipelinesTimeoutPasses_then504() {
        gemini.enqueue(new MockResponse.Builder().code(200).headersDelay(5, TimeUnit.SECONDS).body("{}").build());
        try (TestGateway gw = gateway("""
                pipelines:
                  gemini-embedding-001: {timeout: 300ms, retry: {max_retries: 0}}
                """)) {
            HttpResponse<String> res = gw.post("/v1/embeddings",
                    "{\"model\":\"gemini-embedding-001\",\"input\":\"q\"}");

            assertThat(res.statusCode()).isEqualTo(504);
            assertThat(gw.records().getFirst().errorKind()).hasValue("timeout");
        }
    }

    @Test
    void givenAnEmbeddingModelOnAProviderWithoutEmbeddings_whenChecked_thenRefusedWithItsPath() {
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse("""
                models:
                  - {name: emb, provider: anthropic, model: text-embedding-3-small, api_key: k}
                """, "c.yaml")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains("models[0].provider: "
                        + "'text-embedding-3-small' is an embedding model, and provider 'anthropic' has no embeddings "
                        + "API: name the provider that serves it"));
    }
}
