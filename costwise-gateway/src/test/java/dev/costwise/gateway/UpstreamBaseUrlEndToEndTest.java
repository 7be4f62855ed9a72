package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** A model's {@code base_url} as operators write it: with credentials in its user info or query. */
class UpstreamBaseUrlEndToEndTest {
    private static final String PASSWORD = "pa55-in-userinfo";
    private static final String QUERY_SECRET = "q-secret-in-query";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private String yaml(String baseUrl) {
        return """
                models:
                  - name: fast
                    provider: openai
                    model: gpt-4o-mini
                    base_url: "%1$s"
                    price: {input: "1.00", output: "2.00"}
                  - {name: text-embedding-3-small, provider: openai, base_url: "%1$s"}
                defaults:
                  retry: {max_retries: 0}
                """.formatted(baseUrl);
    }

    /** The upstream's URL with a user and password before its host and {@code query} after {@code /v1}. */
    private String withSecrets(String query) {
        return TestGateway.baseUrl(upstream).replace("://", "://user:" + PASSWORD + "@") + "/v1?" + query;
    }

    @Test
    void givenAnUnreachableUpstream_whenCalled_thenThe502NamesTheModelAndNoPartOfItsUrl() {
        upstream.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        try (TestGateway gw = TestGateway.of(yaml(withSecrets("api-key=" + QUERY_SECRET)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi"));

            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(TestGateway.json(res.body()).at("/error/message").asText()).contains("'fast' (openai)");
            assertThat(res.body()).doesNotContain(PASSWORD, QUERY_SECRET, "127.0.0.1", "localhost");
        }
    }

    @Test
    void givenAStreamCutBeforeDone_whenStreamed_thenTheErrorEventNamesTheModelAndNoPartOfItsUrl() {
        String whole = OpenAiFake.streamText("gpt-4o-mini", "Hel", "lo");
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(whole.substring(0, whole.indexOf("data: [DONE]"))).build());
        try (TestGateway gw = TestGateway.of(yaml(withSecrets("api-key=" + QUERY_SECRET)))) {
            String sse = gw.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body();

            assertThat(sse).contains("ended before [DONE]", "'fast' (openai)");
            assertThat(sse).doesNotContain(PASSWORD, QUERY_SECRET, "127.0.0.1", "localhost");
        }
    }

    @Test
    void givenABaseUrlWithAQuery_whenEachEndpointIsCalled_thenThePathGoesBeforeTheQuery() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "Hi!", 3, 2));
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1]}],"
                        + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}")
                .build());
        upstream.enqueue(OpenAiFake.stream("gpt-4o-mini", "Hi!"));
        String azureStyle = TestGateway.baseUrl(upstream) + "/openai/v1?api-version=2024-10-21";
        try (TestGateway gw = TestGateway.of(yaml(azureStyle))) {
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("fast", "hi")).statusCode()).isEqualTo(200);
            HttpResponse<String> embedded = gw.post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\","
                    + "\"input\":\"hi\"}");
            assertThat(embedded.statusCode()).as(embedded.body()).isEqualTo(200);
            assertThat(gw.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"not cached\"}]}").body()).contains("Hi!");

            for (String endpoint : new String[] {"chat/completions", "embeddings", "chat/completions"}) {
                RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
                assertThat(sent.getUrl().encodedPath()).isEqualTo("/openai/v1/" + endpoint);
                assertThat(sent.getUrl().encodedQuery()).isEqualTo("api-version=2024-10-21");
            }
        }
    }
}
