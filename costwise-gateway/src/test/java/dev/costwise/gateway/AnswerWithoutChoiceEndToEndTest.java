package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * An OpenAI-format 200 that answers nothing (a completion with {@code "choices": []}, a stream that is only
 * {@code data: [DONE]}) is a malformed answer: retried and passed to the fallbacks, never cached, billed only the usage
 * its provider reports. A choice with empty content and a {@code finish_reason} is an answer. Both providers are
 * MockWebServers speaking OpenAI's wire format.
 */
class AnswerWithoutChoiceEndToEndTest {
    @StartStop
    final MockWebServer primary = new MockWebServer();
    @StartStop
    final MockWebServer backup = new MockWebServer();

    private String yaml(String fallbacks) {
        return """
                models:
                  - {name: primary, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "1.00", output: "2.00"}}
                  - {name: backup, provider: openai, model: gpt-4.1-mini, base_url: %s/v1,
                     price: {input: "0.10", output: "0.20"}}
                pipelines:
                  primary:
                    fallbacks: %s
                    retry: {max_retries: 0}
                    cache: {enabled: true, ttl: 1h}
                """.formatted(TestGateway.baseUrl(primary), TestGateway.baseUrl(backup), fallbacks);
    }

    /** A completion with no choice, reporting the usage {@code usage} ("" for none). */
    private static MockResponse noChoice(String usage) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"chatcmpl-e\",\"object\":\"chat.completion\",\"created\":1741569952,"
                        + "\"model\":\"gpt-4o-mini\",\"choices\":[]" + usage + "}")
                .build();
    }

    @Test
    void givenAnAnswerWithNoChoice_whenAsked_thenTheFallbackAnswersAndTheReportedUsageIsBilled() {
        primary.enqueue(noChoice(",\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":0,"
                + "\"total_tokens\":1000000}"));
        backup.enqueue(OpenAiFake.completion("gpt-4.1-mini", "from backup", 9, 2));
        try (TestGateway gw = TestGateway.of(yaml("[backup]"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi"));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            List<CostRecord> rows = gw.records();
            assertThat(rows).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED, Outcome.SUCCESS);
            assertThat(rows.getFirst().errorKind()).hasValue("malformed_response");
            assertThat(rows.getFirst().cost()).isEqualTo(Money.of("1.00"));
        }
    }

    @Test
    void givenAnAnswerWithNoChoice_whenTheProviderRecovers_thenTheNextAskIsNotServedFromTheCache() {
        primary.enqueue(noChoice(""));
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "recovered", 9, 2));
        try (TestGateway gw = TestGateway.of(yaml("[]"))) {
            HttpResponse<String> broken = gw.post("/v1/chat/completions", TestGateway.chat("primary", "same"));
            HttpResponse<String> next = gw.post("/v1/chat/completions", TestGateway.chat("primary", "same"));

            assertThat(broken.statusCode()).as(broken.body()).isEqualTo(502);
            assertThat(TestGateway.json(broken.body()).at("/error/message").asText()).contains("no choice");
            assertThat(gw.records().getFirst().cost()).isEqualTo(Money.ZERO);
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.headers().firstValue("x-costwise-cache")).hasValue("miss");
            assertThat(TestGateway.json(next.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("recovered");
        }
    }

    @Test
    void givenAStreamOfOnlyDone_whenStreamed_thenTheFallbackStreamsAndNothingIsCached() {
        primary.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body("data: [DONE]\n\n").build());
        backup.enqueue(OpenAiFake.stream("gpt-4.1-mini", "from", " backup"));
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "fresh", 9, 2));
        try (TestGateway gw = TestGateway.of(yaml("[backup]"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\":\"primary\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"streamed\"}]}");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("backup");
            assertThat(TestGateway.dataChunks(res.body())).extracting(c -> c.at("/choices/0/delta/content")
                    .asText("")).containsSubsequence("from", " backup");
            assertThat(gw.records().getFirst().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(gw.records().getFirst().errorKind()).hasValue("malformed_response");
        }
    }

    @Test
    void givenAChoiceWithEmptyContentAndAFinishReason_whenAsked_thenItIsAnAnswer() {
        primary.enqueue(OpenAiFake.completion("gpt-4o-mini", "", 9, 0));
        try (TestGateway gw = TestGateway.of(yaml("[backup]"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("primary", "hi"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("primary");
            assertThat(backup.getRequestCount()).isZero();
        }
    }
}
