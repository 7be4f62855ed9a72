package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a native adapter cannot send is the caller's mistake, named by its field, and nothing is called. */
class AdapterRefusalsEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]|n",
        "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"tool\", \"content\": \"18\"}]"
                + "|messages[1].tool_call_id",
        "\"n\": 2, \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]|n",
        "\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"\"}]"
                + "|messages[1].content",
        "\"logprobs\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]|logprobs",
    })
    void givenARequestTheAnthropicAdapterCannotSend_whenSent_thenA400NamesTheFieldAndNothingIsCalled(String fields,
            String param) {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-haiku-4-5
                    api_key: sk-ant-test
                    base_url: %s
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"claude\", " + fields + "}");

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("code").asText()).isEqualTo("invalid_value");
            assertThat(error.path("param").asText()).isEqualTo(param);
            assertThat(upstream.getRequestCount()).isZero();
        }
    }
}
