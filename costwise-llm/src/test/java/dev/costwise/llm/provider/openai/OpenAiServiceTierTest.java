package dev.costwise.llm.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.llm.budget.OnServiceTier;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's service tiers through the adapter, against MockWebServer speaking OpenAI's wire format: a request's
 * {@code service_tier} (https://platform.openai.com/docs/api-reference/chat/create, values auto, default, flex,
 * priority, scale) and the {@code service_tier} an answer and each stream chunk report, which is the tier billed
 * (https://platform.openai.com/docs/guides/flex-processing, https://openai.com/api-priority-processing).
 */
class OpenAiServiceTierTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MockWebServer server;
    private HelidonHttpTransport transport;
    private final WorkflowContext ctx = WorkflowContext.builder("test").build();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        transport = HelidonHttpTransport.builder().connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiCompatibleChatModel model(OpenAiCompatibleEndpoint preset, String name) {
        return OpenAiCompatibleChatModel.builder(preset.withBaseUrl(server.url("/v1").toString()), name)
                .apiKey(ApiKey.of("sk-test")).pricer(CatalogPricer.of(ModelCatalogs.bundled()))
                .transport(transport).environment(Map.of()).build();
    }

    private static MockResponse completion(String servedTier) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"o3-2025-04-16",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10000,"completion_tokens":2000,"total_tokens":12000,
                          "prompt_tokens_details":{"cached_tokens":4000},
                          "completion_tokens_details":{"reasoning_tokens":1500}},
                 "service_tier":"%s"}""".formatted(servedTier)).build();
    }

    private static ChatRequest request(ServiceTier tier) {
        return ChatRequest.builder("o3").addMessage(Message.user("Summarise the backlog")).serviceTier(tier).build();
    }

    @Test
    void givenAFlexRequest_whenOpenAiServesItOnFlex_thenTheTierIsSentAndTheCallIsBilledAtFlexPrices()
            throws Exception {
        server.enqueue(completion("flex"));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENAI, "o3").execute(request(ServiceTier.FLEX), ctx);

        JsonNode sent = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(sent.path("service_tier").asText()).isEqualTo("flex");
        assertThat(r.usage().serviceTier()).isEqualTo(ServiceTier.FLEX);
        // o3 flex: 6,000 × $1 + 4,000 × $0.25 + 2,000 × $4 = 15,000 per 1M = $0.015 (standard would be $0.03)
        assertThat(r.cost()).isEqualTo(Money.of("0.015"));
    }

    @Test
    void givenNoTierAsked_whenTheAccountsDefaultServesItOnPriority_thenThePriorityPriceIsBilled() throws Exception {
        server.enqueue(completion("priority"));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENAI, "o3").execute(ChatRequest.of("o3", "hi"), ctx);

        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).has("service_tier")).isFalse();
        // o3 priority: 6,000 × $3.50 + 4,000 × $0.875 + 2,000 × $14 = 52,500 per 1M
        assertThat(r.cost()).isEqualTo(Money.of("0.0525"));
    }

    @Test
    void givenAnAnswerOnTheDefaultTier_whenPriced_thenTheStandardPriceIsBilled() {
        server.enqueue(completion("default"));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENAI, "o3").execute(request(ServiceTier.PRIORITY), ctx);

        assertThat(r.usage().serviceTier()).isEqualTo(ServiceTier.STANDARD);
        assertThat(r.cost()).isEqualTo(Money.of("0.03"));
    }

    @Test
    void givenAProviderWithoutOpenAisTiers_whenAskedForFlex_thenTheFieldIsNotSent() throws Exception {
        server.enqueue(completion("on_demand"));

        model(OpenAiCompatibleEndpoint.GROQ, "o3").execute(request(ServiceTier.FLEX), ctx);

        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).has("service_tier")).isFalse();
    }

    @Test
    void givenAStreamWhoseChunksReportFlex_whenAssembled_thenTheUsageChunksTierPricesTheCall() {
        String chunk = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o3\","
                + "\"service_tier\":\"flex\",";
        String body = "data: " + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},"
                + "\"finish_reason\":\"stop\"}]}\n\n"
                + "data: " + chunk + "\"choices\":[],\"usage\":{\"prompt_tokens\":10000,\"completion_tokens\":2000,"
                + "\"total_tokens\":12000,\"prompt_tokens_details\":{\"cached_tokens\":4000}}}\n\n"
                + "data: [DONE]\n\n";
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(body).build());

        ChatResponse r;
        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "o3").stream(request(ServiceTier.FLEX), ctx)) {
            s.forEachRemaining(c -> { });
            r = s.response();
        }

        assertThat(r.usage().serviceTier()).isEqualTo(ServiceTier.FLEX);
        assertThat(r.cost()).isEqualTo(Money.of("0.015"));
    }

    @Test
    void givenAFlexDeploymentBehindAFallbackToTheStandardTier_whenFlexHasNoCapacity_thenTheStandardTierAnswers()
            throws Exception {
        // flex processing answers 429 when it has no capacity, and does not bill the call
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json").body("""
                {"error": {"message": "Resource unavailable for flex processing", "type": "rate_limit_exceeded",
                 "param": null, "code": "resource_unavailable"}}""").build());
        server.enqueue(completion("default"));
        ChatModel o3 = model(OpenAiCompatibleEndpoint.OPENAI, "o3");
        Fallback<ChatRequest, ChatResponse> flexFirst = Fallback.<ChatRequest, ChatResponse>builder("flex-first")
                .primary("o3-flex", OnServiceTier.of(o3, ServiceTier.FLEX)).fallback("o3", o3)
                .classifier(ProviderFailureClassifier.ofDefaults()).build();

        ChatResponse r = flexFirst.execute(request(ServiceTier.PRIORITY), ctx);

        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).path("service_tier").asText())
                .as("the deployment's tier wins over the request's").isEqualTo("flex");
        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).path("service_tier").asText())
                .as("the fallback gets the request as it came").isEqualTo("priority");
        assertThat(r.cost()).isEqualTo(Money.of("0.03"));
    }
}
