package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Collections;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An embeddings {@code input} OpenAI refuses (https://platform.openai.com/docs/api-reference/embeddings/create: not
 * an empty string, arrays of 1 to 2048 inputs, strings or token arrays of whole numbers, one form per request) is a
 * 400 from the gateway naming the element, with no upstream call, no failure counted against the provider and no
 * ledger row.
 */
class EmbeddingInputValidationEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private static String embeddings(String input) {
        return "{\"model\":\"text-embedding-3-small\",\"input\":" + input + "}";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"\"                  | input       | cannot be an empty string",
        "[]                    | input       | cannot be an empty array: send at least one input",
        "[null]                | input[0]    | expected a string or a token array, was null",
        "[{\"a\":1}]           | input[0]    | expected a string or a token array, was {\"a\":1}",
        "[\"a\",\"\"]          | input[1]    | cannot be an empty string",
        "[\"a\",1]             | input[1]    | expected a string, like input[0], was 1",
        "[\"a\",[1]]           | input[1]    | expected a string, like input[0], was [1]",
        "[[\"a\"]]             | input[0][0] | expected a token id (a whole number of at least 0), was \"a\"",
        "[[[1,2]]]             | input[0][0] | expected a token id (a whole number of at least 0), was [1,2]",
        "[[1,2],[]]            | input[1]    | cannot be an empty token array",
        "[[1,2],\"a\"]         | input[1]    | expected a token array, like input[0], was \"a\"",
        "[1000,1001.5]         | input[1]    | expected a token id (a whole number of at least 0), was 1001.5",
        "[1000,-1]             | input[1]    | expected a token id (a whole number of at least 0), was -1",
    })
    void givenAnInputOpenAiRefuses_whenSent_thenA400NamingTheElementAndNoCall(String input, String param,
            String problem) {
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            HttpResponse<String> res = gw.post("/v1/embeddings", embeddings(input));

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo(param);
            assertThat(error.get("code").asText()).isEqualTo("invalid_value");
            assertThat(error.get("message").asText()).isEqualTo(param + ": " + problem);
            assertThat(upstream.getRequestCount()).isZero();
            assertThat(gw.records()).isEmpty();
            assertThat(gw.get("/metrics").body()).doesNotContain("costwise_upstream_failures_total{kind=");
        }
    }

    @Test
    void givenMoreThan2048Inputs_whenSent_thenA400AskingToSplitTheBatch() {
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            String inputs = "[" + String.join(",", Collections.nCopies(2049, "\"chunk\"")) + "]";

            HttpResponse<String> res = gw.post("/v1/embeddings", embeddings(inputs));

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                    .isEqualTo("input: has 2049 inputs, more than the 2048 one request takes: split the batch");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenEachFormOpenAiTakes_whenSent_thenPassedThrough() {
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            // a single token array may be longer than 2048 ids: its model's context window bounds it
            String longTokens = "[" + String.join(",", Collections.nCopies(3000, "1000")) + "]";
            String batch = "[" + String.join(",", Collections.nCopies(2048, "\"chunk\"")) + "]";
            for (String input : new String[] {"\"text\"", "[\"a\",\"b\"]", longTokens, "[[1,2],[3]]", batch}) {
                upstream.enqueue(OpenAiFake.embeddings("", 1));

                assertThat(gw.post("/v1/embeddings", embeddings(input)).statusCode()).as(input).isEqualTo(200);
            }
            assertThat(upstream.getRequestCount()).isEqualTo(5);
        }
    }
}
