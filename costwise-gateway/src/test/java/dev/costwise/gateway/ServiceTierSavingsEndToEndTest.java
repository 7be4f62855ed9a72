package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * What a service tier saves through the gateway, by the rule the library shares
 * ({@code SavingsCalculator.baselineTier}): a model configured with {@code service_tier: flex} is the gateway's choice,
 * and saves the caller's tier's price less flex's; a tier the caller or its account chose saves nothing, whether or not
 * a pipeline names another baseline model. The upstream is a MockWebServer speaking OpenAI's chat API, whose answer
 * reports the {@code service_tier} that served it (https://platform.openai.com/docs/api-reference/chat/object). gpt-5
 * at the bundled catalog's prices per 1M tokens: standard $1.25 input, $0.125 cached, $10 output; flex half that;
 * priority twice that.
 */
class ServiceTierSavingsEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: gpt-5, provider: openai, base_url: %1$s/v1}
                  - {name: gpt-5-flex, provider: openai, model: gpt-5, service_tier: flex, base_url: %1$s/v1}
                  - {name: gpt-5-mini, provider: openai, base_url: %1$s/v1}
                aliases:
                  cheap: gpt-5-mini
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                pipelines:
                  cheap:
                    baseline: gpt-5
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    /** 100,000 prompt tokens of which 50,000 cached, 20,000 output, served on {@code servedTier}. */
    private void answersOn(String servedTier) {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5-2025-08-07",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":100000,"completion_tokens":20000,"total_tokens":120000,
                          "prompt_tokens_details":{"cached_tokens":50000}},
                 "service_tier":"%s"}""".formatted(servedTier)).build());
    }

    private static CostRecord ask(TestGateway gw, String model, String tierField) {
        HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\": \"" + model + "\"" + tierField
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tag these tickets\"}]}",
                "Authorization", "Bearer " + MASTER);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return gw.records().getLast();
    }

    @Test
    void givenTheTestersTable_whenEachTierIsLedgered_thenOnlyTheFlexDeploymentSaves() {
        answersOn("priority");
        answersOn("flex");
        answersOn("flex");
        answersOn("default");
        answersOn("flex");
        try (TestGateway gw = gateway()) {
            CostRecord accountsPriority = ask(gw, "gpt-5", "");
            CostRecord providersFlex = ask(gw, "gpt-5", "");
            CostRecord callersFlex = ask(gw, "gpt-5", ", \"service_tier\": \"flex\"");
            CostRecord priorityServedStandard = ask(gw, "gpt-5", ", \"service_tier\": \"priority\"");
            CostRecord flexDeployment = ask(gw, "gpt-5-flex", "");

            assertThat(accountsPriority.cost()).isEqualTo(Money.of("0.5375"));
            assertThat(accountsPriority.savings()).isEqualTo(Money.ZERO);
            assertThat(providersFlex.cost()).isEqualTo(Money.of("0.134375"));
            assertThat(providersFlex.savings()).isEqualTo(Money.ZERO);
            assertThat(callersFlex.savings()).isEqualTo(Money.ZERO);
            assertThat(priorityServedStandard.cost()).isEqualTo(Money.of("0.26875"));
            assertThat(priorityServedStandard.savings()).isEqualTo(Money.ZERO);
            // 50,000 × 1.25 + 50,000 × 0.125 + 20,000 × 10 = 268,750 µ$ on the standard tier; flex half that
            assertThat(flexDeployment.cost()).isEqualTo(Money.of("0.134375"));
            assertThat(flexDeployment.baselineCost()).isEqualTo(Money.of("0.26875"));
            assertThat(flexDeployment.savings()).isEqualTo(Money.of("0.134375"));
        }
    }

    @Test
    void givenAPipelineBaseline_whenTheAccountServesTheAnswerOnPriority_thenTheBaselineRunsOnPriorityToo() {
        answersOn("priority");
        try (TestGateway gw = gateway()) {
            CostRecord r = ask(gw, "cheap", "");

            // gpt-5 would have run on the account's priority tier as well: 0.5375, not the standard 0.26875
            assertThat(r.baselineCost()).isEqualTo(Money.of("0.5375"));
        }
    }

    @Test
    void givenAFlexDeploymentOverACallerAskingForPriority_whenAnsweredOnFlex_thenItsBaselineIsPriority() {
        answersOn("flex");
        try (TestGateway gw = gateway()) {
            CostRecord r = ask(gw, "gpt-5-flex", ", \"service_tier\": \"priority\"");

            assertThat(r.baselineCost()).isEqualTo(Money.of("0.5375"));
            assertThat(r.savings()).isEqualTo(Money.of("0.403125"));
        }
    }
}
