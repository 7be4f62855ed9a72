package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An embeddings request's {@code dimensions} and {@code encoding_format} are checked with the request, before any
 * model is chosen: a bad value is the same 400 whether an OpenAI-compatible provider or Gemini would have served it,
 * and no provider is called. Providers are faked by MockWebServer.
 */
class EmbeddingOptionsEndToEndTest {
    @StartStop
    final MockWebServer openAi = new MockWebServer();
    @StartStop
    final MockWebServer gemini = new MockWebServer();

    private TestGateway gateway() {
        return TestGateway.of("""
                models:
                  - {name: text-embedding-3-small, provider: openai, base_url: %s/v1}
                  - {name: gemini-embedding-001, provider: gemini, api_key: AIza-test, base_url: %s}
                """.formatted(TestGateway.baseUrl(openAi), TestGateway.baseUrl(gemini)));
    }

    private static JsonNode error(TestGateway gw, String model, String option) {
        HttpResponse<String> res = gw.post("/v1/embeddings",
                "{\"model\":\"" + model + "\",\"input\":\"hello\"," + option + "}");
        assertThat(res.statusCode()).as(model).isEqualTo(400);
        return TestGateway.json(res.body()).path("error");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'\"dimensions\":0'       | dimensions      | expected a whole number from 1 to 2147483647, was 0",
        "'\"dimensions\":1.5'     | dimensions      | expected a whole number from 1 to 2147483647, was 1.5",
        "'\"dimensions\":\"8\"'   | dimensions      | expected a whole number from 1 to 2147483647, was \"8\"",
        "'\"encoding_format\":\"hex\"' | encoding_format | expected 'float' or 'base64', was \"hex\""})
    void givenABadEmbeddingOption_whenSentToEitherProvidersModel_thenTheSame400WithoutACall(String option,
            String field, String message) {
        // what a provider would answer, were it called
        openAi.enqueue(OpenAiFake.embeddings("[0.5]", 1));
        gemini.enqueue(OpenAiFake.embeddings("[0.5]", 1));
        try (TestGateway gw = gateway()) {
            JsonNode fromOpenAi = error(gw, "text-embedding-3-small", option);
            JsonNode fromGemini = error(gw, "gemini-embedding-001", option);

            assertThat(fromOpenAi.path("param").asText()).isEqualTo(field);
            assertThat(fromOpenAi.path("code").asText()).isEqualTo("invalid_value");
            assertThat(fromOpenAi.path("message").asText()).contains(message);
            assertThat(fromGemini).isEqualTo(fromOpenAi);
            assertThat(openAi.getRequestCount() + gemini.getRequestCount()).as("no provider called").isZero();
        }
    }
}
