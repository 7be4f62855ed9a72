package dev.costwise.llm.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.OnServiceTier;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.provider.http.ApiKey;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a service tier saves in the library, by the rule the gateway shares ({@code SavingsCalculator.baselineTier}):
 * savings count a tier Costwise chose ({@link OnServiceTier}), never one the caller or its account chose. The upstream
 * is a MockWebServer speaking OpenAI's chat API, whose answer reports the {@code service_tier} that served it
 * (https://platform.openai.com/docs/api-reference/chat/object). gpt-5 at the bundled catalog's prices per 1M tokens:
 * standard $1.25 input, $0.125 cached, $10 output; flex half that; priority twice that.
 */
class ServiceTierSavingsTest {

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final CatalogPricer pricer = CatalogPricer.of(ModelCatalogs.bundled());

    private OpenAiCompatibleChatModel model(String name, CatalogPricer pricing) {
        return OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(
                        server.url("/v1").toString()), name)
                .apiKey(ApiKey.of("sk-test")).pricer(pricing).environment(Map.of()).build();
    }

    /** 100,000 prompt tokens of which 50,000 cached, 20,000 output, served on {@code servedTier}. */
    private void answersOn(String servedTier) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5-2025-08-07",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":100000,"completion_tokens":20000,"total_tokens":120000,
                          "prompt_tokens_details":{"cached_tokens":50000}},
                 "service_tier":"%s"}""".formatted(servedTier)).build());
    }

    private static ChatRequest request(String model, Optional<ServiceTier> asked) {
        return ChatRequest.builder(model).addMessage(Message.user("Tag these tickets")).serviceTier(asked).build();
    }

    private static CostRecord recordOf(ChatModel model, ChatRequest request) {
        WorkflowContext ctx = WorkflowContext.of("t");
        model.execute(request, ctx);
        return CostRecords.of(ctx).getFirst();
    }

    @ParameterizedTest(name = "asked {0}, served {1}")
    @CsvSource({
        // the tester's table: a tier neither Costwise nor its deployment chose saves nothing, nor costs extra
        ",         priority, 0.5375",
        ",         flex,     0.134375",
        "flex,     flex,     0.134375",
        "priority, default,  0.26875",
    })
    void givenATierCostwiseDidNotChoose_whenAnswered_thenItSavesNothing(String asked, String served, String cost) {
        answersOn(served);

        CostRecord r = recordOf(model("gpt-5", pricer),
                request("gpt-5", Optional.ofNullable(asked).flatMap(ServiceTier::fromWireName)));

        assertThat(r.cost()).isEqualTo(Money.of(cost));
        assertThat(r.savings()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenOnServiceTierFlex_whenAnsweredOnFlex_thenItSavesTheStandardPriceLessTheFlexOne() {
        answersOn("flex");

        CostRecord r = recordOf(OnServiceTier.of(model("gpt-5", pricer), ServiceTier.FLEX),
                request("gpt-5", Optional.empty()));

        // standard: 50,000 × 1.25 + 50,000 × 0.125 + 20,000 × 10 = 268,750 µ$; flex half that
        assertThat(r.cost()).isEqualTo(Money.of("0.134375"));
        assertThat(r.baselineCost()).isEqualTo(Money.of("0.26875"));
        assertThat(r.savings()).isEqualTo(Money.of("0.134375"));
    }

    @Test
    void givenOnServiceTierFlexOverACallerAskingForPriority_whenAnsweredOnFlex_thenTheBaselineIsPriority() {
        answersOn("flex");

        CostRecord r = recordOf(OnServiceTier.of(model("gpt-5", pricer), ServiceTier.FLEX),
                request("gpt-5", Optional.of(ServiceTier.PRIORITY)));

        assertThat(r.baselineCost()).isEqualTo(Money.of("0.5375"));
    }

    @Test
    void givenABaselineModel_whenTheAccountServesTheAnswerOnPriority_thenTheBaselineIsPricedOnPriorityToo() {
        answersOn("priority");

        CostRecord r = recordOf(model("gpt-5-mini", pricer.withBaseline("gpt-5")),
                request("gpt-5-mini", Optional.empty()));

        // gpt-5 would have run on the account's priority tier as well: 0.5375, not the standard 0.26875
        assertThat(r.baselineCost()).isEqualTo(Money.of("0.5375"));
    }
}
