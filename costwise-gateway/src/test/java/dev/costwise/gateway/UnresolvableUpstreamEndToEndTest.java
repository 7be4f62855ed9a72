package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A provider whose host name does not resolve ({@code .invalid} never does, RFC 6761) is a connection failure like a
 * refused connection: its fallback is tried, and when none is left the caller gets a 502 {@code upstream_unreachable}
 * that names neither the host nor the base URL; every attempt has its ledger row, at $0. The fallback speaks
 * OpenAI's chat format (https://platform.openai.com/docs/api-reference/chat/create).
 */
class UnresolvableUpstreamEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        String compat = "provider: openai-compatible, model: m, api_key: k, price: {input: \"1\", output: \"1\"}, "
                + "base_url: \"http://user:BASEURLSECRET@no-such-host-HOSTSECRET.invalid/v1?api-key=QUERYSECRET\"";
        String claude = "provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, "
                + "price: {input: \"1\", output: \"5\"}, base_url: \"http://no-such-host-HOSTSECRET.invalid\"";
        return TestGateway.of("""
                models:
                  - {name: compat, %1$s}
                  - {name: compat-or-ok, %1$s}
                  - {name: claude, %2$s}
                  - {name: claude-or-ok, %2$s}
                  - {name: ok, provider: openai-compatible, model: plain, base_url: %3$s/v1,
                     price: {input: "1", output: "1"}}
                pipelines:
                  compat-or-ok:
                    fallbacks: [ok]
                  claude-or-ok:
                    fallbacks: [ok]
                defaults:
                  retry: {max_retries: 0}
                  cache: {enabled: false}
                """.formatted(compat, claude, TestGateway.baseUrl(upstream)));
    }

    private static String ask(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @ParameterizedTest
    @CsvSource({"compat, false", "compat, true", "claude, false", "claude, true"})
    void givenAHostThatDoesNotResolve_whenCalled_thenA502UnreachableAndALedgerRowAtZero(String model,
            boolean stream) {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(model, stream));

            assertThat(res.statusCode()).isEqualTo(502);
            JsonNode error = TestGateway.json(res.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("upstream_unreachable");
            assertThat(error.path("message").asText()).contains("does not resolve").doesNotContain("SECRET");
            CostRecord row = gw.records().getFirst();
            assertThat(gw.records()).hasSize(1);
            assertThat(row.usedModel()).isEqualTo(model);
            assertThat(row.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(row.cost()).isEqualTo(Money.ZERO);
        }
    }

    @ParameterizedTest
    @CsvSource({"compat-or-ok, false", "compat-or-ok, true", "claude-or-ok, false", "claude-or-ok, true"})
    void givenAHostThatDoesNotResolveWithAFallback_whenCalled_thenTheFallbackAnswers(String pipeline,
            boolean stream) {
        upstream.enqueue(stream ? OpenAiFake.stream("plain", "fine") : OpenAiFake.completion("plain", "fine", 3, 1));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(pipeline, stream));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("ok");
            assertThat(res.body()).contains("fine");
            assertThat(gw.records()).extracting(CostRecord::usedModel).containsExactly(pipeline, "ok");
            assertThat(gw.records().getFirst().cost()).isEqualTo(Money.ZERO);
        }
    }
}
