package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.cost.PriceStatus;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * OpenRouter says in each answer's {@code usage.cost} what it charged for the call, in USD
 * (https://openrouter.ai/docs/use-cases/usage-accounting: in the answer, or in the last SSE message of a stream). The
 * gateway ledgers and reports that amount, to the last digit, instead of its own price for the tokens; the savings
 * baseline still prices the tokens on the baseline model.
 */
class OpenRouterReportedCostEndToEndTest {
    private static final String MASTER = "master-secret-123";
    /** More digits than a double holds. */
    private static final String CHARGED = "0.00090560000000000000123";

    @StartStop
    final MockWebServer router = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: flash, provider: openrouter, model: google/gemini-2.5-flash, api_key_env: TEST_KEY,
                     base_url: %s/api/v1, price: {input: "0.30", output: "2.50"}}
                  - {name: big, provider: openrouter, model: openai/gpt-4o, api_key_env: TEST_KEY,
                     base_url: %s/api/v1, price: {input: "2.50", output: "10"}}
                defaults:
                  cache: {enabled: false}
                pipelines:
                  flash: {baseline: big}
                budgets:
                  - {name: all, scope: global, window: day, limit: "10"}
                """.formatted(TestGateway.baseUrl(router), TestGateway.baseUrl(router)),
                Map.of("MASTER", MASTER, "TEST_KEY", "sk-upstream-secret"));
    }

    /** OpenRouter's usage: 2 prompt and 362 completion tokens, charged {@link #CHARGED}. */
    private static final String USAGE = "\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":362,"
            + "\"total_tokens\":364,\"cost\":" + CHARGED + ",\"is_byok\":false,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":0,\"audio_tokens\":0},"
            + "\"cost_details\":{\"upstream_inference_cost\":" + CHARGED + ",\"upstream_inference_prompt_cost\":6e-07,"
            + "\"upstream_inference_completions_cost\":0.000905},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":356,\"image_tokens\":0}}";

    /** OpenRouter's answer "Hi" from {@code model}, served by {@code provider}, with {@link #USAGE}. */
    private static MockResponse answer(String id, String provider, String model) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"" + id + "\",\"provider\":\"" + provider + "\",\"model\":\"" + model + "\","
                        + "\"object\":\"chat.completion\",\"created\":1772036042,\"choices\":[{\"index\":0,"
                        + "\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"}}],"
                        + USAGE + "}").build();
    }

    /** 2 × $2.50/M + 362 × $10/M: the baseline's price for the same tokens. */
    private static final Money BASELINE = Money.of("0.003625");

    @Test
    void givenAnAnswerReportingItsCost_whenCompleted_thenTheLedgerAndTheCostHeaderCarryThatAmountExactly() {
        router.enqueue(answer("gen-1", "Google", "google/gemini-2.5-flash"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("flash", "hi"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(new BigDecimal(res.headers().firstValue("x-costwise-cost").orElseThrow()))
                    .isEqualByComparingTo(CHARGED);
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.cost()).isEqualTo(Money.of(CHARGED));
                assertThat(row.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
                assertThat(row.baselineCost()).isEqualTo(BASELINE);
            });
            assertThat(BilledFailedAttemptsEndToEndTest.spent(gw, MASTER)).containsEntry("all:", Money.of(CHARGED));
        }
    }

    @Test
    void givenAStreamWhoseLastChunkReportsTheCost_whenStreamed_thenTheLedgerAndTheFinalChunkCarryThatAmount() {
        String head = "data: {\"id\":\"gen-2\",\"object\":\"chat.completion.chunk\",\"created\":1772036042,"
                + "\"model\":\"google/gemini-2.5-flash\",\"provider\":\"Google\",";
        router.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(": OPENROUTER PROCESSING\n\n"
                        + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                        + "\"finish_reason\":null}]}\n\n"
                        + head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                        + head + "\"choices\":[]," + USAGE + "}\n\n"
                        + "data: [DONE]\n\n").build());
        try (TestGateway gw = gateway()) {
            String sse = gw.post("/v1/chat/completions", """
                    {"model": "flash", "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "hi"}]}""",
                    "Authorization", "Bearer " + MASTER).body();

            JsonNode usageChunk = TestGateway.dataChunks(sse).getLast();
            assertThat(usageChunk.at("/usage/completion_tokens").asLong()).isEqualTo(362);
            assertThat(new BigDecimal(usageChunk.at("/costwise/cost").asText())).isEqualByComparingTo(CHARGED);
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.cost()).isEqualTo(Money.of(CHARGED));
                assertThat(row.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
            });
        }
    }

    /**
     * A deployment configured free ({@code price} 0, as an OpenRouter {@code :free} model is) whose provider reports
     * charging for the call all the same: the reported cost is what was billed, so the ledger row and every budget
     * counting the call carry that one amount, and a gateway started on the same ledger counts it too.
     */
    @Test
    void givenAFreeDeploymentWhoseProviderReportsACharge_whenCompleted_thenTheBudgetsCountWhatTheLedgerRecords() {
        router.enqueue(answer("gen-3", "Chutes", "deepseek/deepseek-r1:free"));
        String yaml = """
                master_key: ${MASTER}
                models:
                  - {name: r1-free, provider: openrouter, model: "deepseek/deepseek-r1:free", api_key_env: TEST_KEY,
                     base_url: %s/api/v1, price: {input: "0", output: "0"}}
                defaults:
                  cache: {enabled: false}
                budgets:
                  - {name: all, scope: global, window: day, limit: "10"}
                  - {name: per-model, scope: model, window: day, limit: "1"}
                """.formatted(TestGateway.baseUrl(router));
        Map<String, String> env = Map.of("MASTER", MASTER, "TEST_KEY", "sk-upstream-secret");
        MemorySpendLedger ledger = new MemorySpendLedger();
        try (TestGateway gw = new TestGateway(yaml, env, ledger, alert -> { })) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("r1-free", "hi"),
                    "Authorization", "Bearer " + MASTER);

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(gw.records()).singleElement().satisfies(row -> {
                assertThat(row.cost()).isEqualTo(Money.of(CHARGED));
                assertThat(row.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
            });
            assertThat(BilledFailedAttemptsEndToEndTest.spent(gw, MASTER))
                    .containsEntry("all:", Money.of(CHARGED)).containsEntry("per-model:r1-free", Money.of(CHARGED));
        }
        try (TestGateway restarted = new TestGateway(yaml, env, ledger, alert -> { })) {
            assertThat(BilledFailedAttemptsEndToEndTest.spent(restarted, MASTER))
                    .as("rebuilt from the ledger: the same amount").containsEntry("all:", Money.of(CHARGED));
        }
    }
}
