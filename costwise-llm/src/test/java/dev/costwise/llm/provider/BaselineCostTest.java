package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The baseline every adapter records: the same tokens priced on the pricer's baseline, else on the model the caller
 * asked for, so a request for gpt-4o that a cheaper model answered shows what it saved. Providers are MockWebServer
 * speaking their documented formats (https://platform.openai.com/docs/api-reference/chat/create with
 * {@code prompt_tokens_details.cached_tokens}, https://platform.openai.com/docs/api-reference/chat-streaming,
 * https://docs.ollama.com/api/chat). Bundled prices per million tokens: gpt-4o $2.50 input, $1.25 cached, $10 output;
 * gpt-4o-mini $0.15, $0.075, $0.60; llama3.2 free (local).
 */
class BaselineCostTest {

    private static final CatalogPricer PRICER = CatalogPricer.of(ModelCatalogs.bundled());

    /** 1,000 prompt tokens (200 of them cached) and 500 completion tokens. */
    private static final String MINI_ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18",
             "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,
               "prompt_tokens_details":{"cached_tokens":200}}}""";

    private MockWebServer server;
    private final WorkflowContext ctx = WorkflowContext.of("test");

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiCompatibleChatModel mini(CatalogPricer pricer) {
        return OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1")
                        .toString()), "gpt-4o-mini").apiKey(ApiKey.of("sk-test")).pricer(pricer)
                .environment(Map.of()).build();
    }

    private CostRecord onlyRecord() {
        List<CostRecord> records = CostRecords.of(ctx);
        assertThat(records).hasSize(1);
        return records.getFirst();
    }

    @Test
    void givenARequestForGpt4oAnsweredByMini_whenRecorded_thenTheBaselineIsGpt4oPriceForTheSameTokens() {
        server.enqueue(Upstreams.json(MINI_ANSWER));

        mini(PRICER).execute(ChatRequest.of("gpt-4o", "hi"), ctx);

        CostRecord r = onlyRecord();
        assertThat(r.requestedModel()).isEqualTo("gpt-4o");
        // 800 × 0.15 + 200 × 0.075 + 500 × 0.60, per million
        assertThat(r.cost()).isEqualTo(Money.of("0.000435"));
        // the same tokens on gpt-4o, the cached ones at its cached price: 800 × 2.50 + 200 × 1.25 + 500 × 10
        assertThat(r.baselineCost()).isEqualTo(Money.of("0.00725"));
        assertThat(r.savings()).isEqualTo(Money.of("0.006815"));
    }

    @Test
    void givenABaselineOnThePricer_whenAnotherModelIsAskedFor_thenTheConfiguredBaselineWins() {
        server.enqueue(Upstreams.json(MINI_ANSWER));

        mini(PRICER.withBaseline("gpt-4o")).execute(ChatRequest.of("gpt-4o-mini", "hi"), ctx);

        assertThat(onlyRecord().baselineCost()).isEqualTo(Money.of("0.00725"));
    }

    @Test
    void givenARequestForTheModelCalled_whenRecorded_thenNoSavings() {
        server.enqueue(Upstreams.json(MINI_ANSWER));

        mini(PRICER).execute(ChatRequest.of("gpt-4o-mini-2024-07-18", "hi"), ctx);

        CostRecord r = onlyRecord();
        assertThat(r.baselineCost()).isEqualTo(r.cost()).isEqualTo(Money.of("0.000435"));
    }

    @Test
    void givenARequestForGpt4oRoutedToLocalLlama_whenRecorded_thenItCostsNothingAndSavesGpt4oPrice() {
        server.enqueue(Upstreams.json("""
                {"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799Z",
                 "message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop",
                 "prompt_eval_count":26,"eval_count":298}"""));

        OllamaChatModel.builder("llama3.2").baseUrl(server.url("/").toString()).pricer(PRICER).build()
                .execute(ChatRequest.of("gpt-4o", "hi"), ctx);

        CostRecord r = onlyRecord();
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.LOCAL);
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        // 26 × 2.50 + 298 × 10, per million
        assertThat(r.savings()).isEqualTo(Money.of("0.003045"));
    }

    @Test
    void givenACallThatFailedWithBilledUsage_whenRecorded_thenItHasNoBaseline() {
        // an error inside a 200 that still reports what the failed generation used
        server.enqueue(Upstreams.json("""
                {"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[],
                 "error":{"message":"The server had an error","type":"server_error","code":null},
                 "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"""));

        catchThrowableOfType(ProviderException.ServerError.class,
                () -> mini(PRICER).execute(ChatRequest.of("gpt-4o", "hi"), ctx));

        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.cost()).isEqualTo(Money.of("0.00045"));
        assertThat(r.baselineCost()).as("a caller of gpt-4o would not have paid for a failure").isEqualTo(Money.ZERO);
    }

    @Test
    void givenAStreamThatBrokeAfterItStarted_whenRecorded_thenItsPartialUsageIsMeasuredAgainstTheBaseline() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body("""
                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,\
                "model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Hello there"},\
                "finish_reason":null}]}

                data: {"error":{"message":"The server had an error","type":"server_error","code":null}}

                """).build());

        try (ChatStream s = mini(PRICER).stream(ChatRequest.of("gpt-4o", "hi"), ctx)) {
            s.next();
            catchThrowableOfType(ProviderException.ServerError.class, s::next);
        }

        CostRecord r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.usage().outputTokens()).isPositive();
        assertThat(r.baselineCost()).isEqualTo(PRICER.price("gpt-4o", r.usage()).cost()).isGreaterThan(r.cost());
    }
}
