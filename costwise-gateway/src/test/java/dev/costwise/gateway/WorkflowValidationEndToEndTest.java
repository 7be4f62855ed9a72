package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A validating workflow tells its caller how the verdict on the answer returned went: the {@code costwise} object's
 * {@code validation} (whole, streamed and on a cache hit) and {@code costwise_workflow_validations_total}. Its only
 * executor is gpt-4o-mini, so a failed answer has no stronger executor to escalate to and is returned; the
 * orchestrator is gpt-4o. Both are faked in OpenAI's format by {@link OpenAiFake}.
 */
class WorkflowValidationEndToEndTest {
    private static final String TASK = "Analyze the trade-offs of event sourcing for a bank ledger, compare it with"
            + " CRUD and recommend";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final AtomicInteger verdicts = new AtomicInteger();

    /** The executor answers; the orchestrator's every verdict is {@code verdict}. */
    private void verdict(String verdict) {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (TestGateway.json(request.getBody().utf8()).path("model").asText().equals("gpt-4o")) {
                    verdicts.incrementAndGet();
                    return OpenAiFake.completion("gpt-4o", jsonText(verdict), 300, 20);
                }
                return OpenAiFake.completion("gpt-4o-mini", "Event sourcing keeps every change.", 40, 12);
            }
        });
    }

    private static String jsonText(String text) {
        try {
            String quoted = TestGateway.JSON.writeValueAsString(text);
            return quoted.substring(1, quoted.length() - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestGateway gateway(boolean validate, boolean cache) {
        return TestGateway.of("""
                defaults: {cache: {enabled: %3$s}}
                models:
                  - {name: gpt-4o-mini, provider: openai, base_url: %1$s/v1}
                  - {name: gpt-4o, provider: openai, base_url: %1$s/v1}
                pipelines:
                  auto:
                    workflow: true
                    validate: %2$s
                    routes: [{name: cheap, model: gpt-4o-mini}]
                    default_route: gpt-4o
                """.formatted(TestGateway.baseUrl(upstream), validate, cache));
    }

    private static String ask(String extra) {
        return """
                {"model": "auto", %s "messages": [{"role": "user", "content": "%s"}]}""".formatted(extra, TASK);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"pass\": true, \"reasons\": [\"complete\"]}     | passed",
        "Here is my verdict: {\"pass\": true, \"score\": 1} | passed",
        "{\"pass\": false, \"reasons\": [\"no recommendation\"]} | failed",
        "Looks fine to me.                                  | unreadable"})
    void givenAVerdict_whenTheAnswerIsReturned_thenItsCostwiseObjectAndTheMetricSayHowValidationWent(String verdict,
            String expected) {
        verdict(verdict);
        try (TestGateway gw = gateway(true, false)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(""));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode costwise = TestGateway.json(res.body()).path("costwise");
            assertThat(costwise.path("validation").asText()).as(res.body()).isEqualTo(expected);
            assertThat(costwise.path("escalations").asInt()).as("no stronger executor to escalate to").isZero();
            assertThat(verdicts).as("one verdict on the one answer").hasValue(1);
            assertThat(gw.get("/metrics").body())
                    .contains("costwise_workflow_validations_total{model=\"auto\",result=\"" + expected + "\"} 1.0\n");
        }
    }

    @Test
    void givenAValidatingPipeline_whenNothingRanYet_thenEachValidationResultIsShownAtZero() {
        try (TestGateway gw = gateway(true, false)) {
            String metrics = gw.get("/metrics").body();

            for (String result : List.of("passed", "failed", "unreadable")) {
                assertThat(metrics).contains(
                        "costwise_workflow_validations_total{model=\"auto\",result=\"" + result + "\"} 0.0\n");
            }
        }
    }

    @Test
    void givenAFailedAnswer_whenStreamedAndThenACacheHit_thenBothSayItFailedValidation() {
        verdict("{\"pass\": false, \"reasons\": [\"no recommendation\"]}");
        try (TestGateway gw = gateway(true, true)) {
            String sse = gw.post("/v1/chat/completions", ask("\"stream\": true, \"stream_options\": "
                    + "{\"include_usage\": true},")).body();
            JsonNode usageChunk = TestGateway.dataChunks(sse).stream().filter(c -> c.has("costwise")).findFirst()
                    .orElseThrow(() -> new AssertionError(sse));
            assertThat(usageChunk.at("/costwise/validation").asText()).isEqualTo("failed");

            HttpResponse<String> hit = gw.post("/v1/chat/completions", ask(""));
            assertThat(hit.headers().firstValue("x-costwise-cache")).hasValue("hit");
            assertThat(TestGateway.json(hit.body()).at("/costwise/validation").asText())
                    .as("the cached answer's own").isEqualTo("failed");
            assertThat(gw.get("/metrics").body())
                    .as("a hit validates nothing")
                    .contains("costwise_workflow_validations_total{model=\"auto\",result=\"failed\"} 1.0\n");
        }
    }

    @Test
    void givenAPipelineThatDoesNotValidate_whenItAnswers_thenItsCostwiseObjectHasNoValidation() {
        verdict("{\"pass\": true}");
        try (TestGateway gw = gateway(false, false)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(""));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(TestGateway.json(res.body()).path("costwise").has("validation")).as(res.body()).isFalse();
            assertThat(gw.get("/metrics").body()).doesNotContain("costwise_workflow_validations_total");
        }
    }
}
