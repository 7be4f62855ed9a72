package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * When the request's deadline passes before every candidate was called, the error counts only the calls made and
 * names the rest as not tried for lack of time. The gateway's time is a fake ticker that the upstream, a MockWebServer
 * speaking OpenAI's error format, moves past the deadline while it answers.
 */
class RequestDeadlineEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void givenTheDeadlinePassesDuringTheFirstCall_whenItFails_thenTheFallbacksAreNamedAsNotTriedNotAsFailed() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                nanos.addAndGet(TimeUnit.SECONDS.toNanos(3)); // the provider took 3 s of the request's 2 s
                return OpenAiFake.error(500, "server_error", null, "The server had an error");
            }
        });
        String base = TestGateway.baseUrl(upstream);
        try (TestGateway gw = new TestGateway("""
                server: {request_timeout: 2s}
                models:
                  - {name: slow, provider: openai, model: gpt-4o, base_url: %s/v1}
                  - {name: free, provider: openai, model: gpt-4o-mini, base_url: %s/v1}
                  - {name: spare, provider: openai, model: gpt-4.1-mini, base_url: %s/v1}
                pipelines:
                  slow: {fallbacks: [free, spare], retry: {max_retries: 0}}
                """.formatted(base, base, base), Map.of(), nanos::get)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("slow", "hello"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(504);
            String message = TestGateway.json(res.body()).at("/error/message").asText();
            assertThat(message).contains("slow").contains("The server had an error")
                    .endsWith("; not tried, the request's 2000 ms timeout passed first: 'free', 'spare'")
                    .doesNotContain("attempts failed", "free: ");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }
}
