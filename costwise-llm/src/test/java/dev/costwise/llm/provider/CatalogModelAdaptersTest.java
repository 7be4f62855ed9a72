package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.UnpricedModelException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Adapters built for a catalog name: they send the catalog's upstream id (Gemini in the URL path, OpenAI-compatible
 * and Anthropic in the body's {@code model}) and keep the name and price of the catalog entry; and an adapter whose
 * calls a strict pricer could not price refuses to build, before any call is billed.
 */
class CatalogModelAdaptersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final ApiKey KEY = ApiKey.of("test-key");

    private MockWebServer server;
    private final WorkflowContext ctx = WorkflowContext.builder("test").build();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void givenGeminiBuiltForItsFreeTierEntry_whenCalled_thenTheUrlNamesTheUpstreamModelAndTheCallCostsNothing()
            throws Exception {
        server.enqueue(json("""
                {"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":500,"totalTokenCount":1500},
                 "modelVersion":"gemini-2.5-pro"}"""));
        GeminiChatModel free = GeminiChatModel.builder("gemini-2.5-pro:free").pricer(CatalogPricer.of(CATALOG))
                .apiKey(KEY).baseUrl(server.url("/").uri()).build();

        ChatResponse r = free.execute(ChatRequest.of("gemini-2.5-pro:free", "hi"), ctx);

        assertThat(server.takeRequest().getUrl().encodedPath())
                .isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
        assertThat(free.name()).isEqualTo("gemini-2.5-pro:free");
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
        assertThat(r.modelDowngraded()).isFalse();
    }

    @Test
    void givenGroqBuiltForItsFreeTierEntry_whenCalled_thenTheBodyNamesTheUpstreamModelAndTheCallCostsNothing()
            throws Exception {
        server.enqueue(openAiCompletion("llama-3.3-70b-versatile"));
        OpenAiCompatibleChatModel free = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.GROQ.withBaseUrl(server.url("/openai/v1").toString()),
                        "llama-3.3-70b-versatile:free")
                .apiKey(KEY).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build();

        ChatResponse r = free.execute(ChatRequest.of("llama-3.3-70b-versatile:free", "hi"), ctx);

        assertThat(sentBody().path("model").asText()).isEqualTo("llama-3.3-70b-versatile");
        assertThat(free.name()).isEqualTo("llama-3.3-70b-versatile:free");
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
    }

    @Test
    void givenAnthropicBuiltForACatalogAlias_whenCalled_thenTheBodyNamesTheCatalogsSnapshotId() throws Exception {
        server.enqueue(json("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
                 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":1000,"output_tokens":100}}"""));
        AnthropicChatModel haiku = AnthropicChatModel.builder("claude-haiku-4-5").pricer(CatalogPricer.of(CATALOG))
                .apiKey(KEY).baseUrl(server.url("/").uri()).build();

        ChatResponse r = haiku.execute(ChatRequest.of("claude-haiku-4-5", "hi"), ctx);

        assertThat(sentBody().path("model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(r.modelDowngraded()).isFalse();
    }

    @Test
    void givenAModelTheStrictPricerDoesNotKnow_whenBuilt_thenItIsRefusedBeforeAnyCall() {
        var builder = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4.5-preview")
                .apiKey(KEY).pricer(CatalogPricer.of(CATALOG)).environment(Map.of());

        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot build the openai adapter for gpt-4.5-preview, its calls could not be "
                        + "priced: unknown model 'gpt-4.5-preview'")
                .hasMessageEndingWith("add it with ModelCatalogs.builder().add(...) or build the pricer with "
                        + "allowUnpricedModels()")
                .hasCauseInstanceOf(UnknownModelException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenACatalogModelWithNoPrice_whenBuiltWithAStrictPricer_thenItIsRefusedNamingTheWaysOut() {
        var builder = GeminiChatModel.builder("gemini-3-pro-preview").pricer(CatalogPricer.of(CATALOG))
                .apiKey(KEY).baseUrl(server.url("/").uri());

        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gemini-3-pro-preview").hasMessageContaining("allowUnpricedModels()")
                .hasCauseInstanceOf(UnpricedModelException.class);
    }

    @Test
    void givenAModelWithNoPrice_whenThePricerAllowsUnpricedModels_thenItBuildsAndItsCallsAreMarkedUnpriced() {
        server.enqueue(openAiCompletion("gpt-4.5-preview"));
        OpenAiCompatibleChatModel m = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4.5-preview")
                .apiKey(KEY).pricer(CatalogPricer.builder(CATALOG).allowUnpricedModels().build())
                .environment(Map.of()).build();

        ChatResponse r = m.execute(ChatRequest.of("gpt-4.5-preview", "hi"), ctx);

        assertThat(r.priceStatus()).isEqualTo(PriceStatus.UNPRICED);
    }

    private JsonNode sentBody() throws Exception {
        RecordedRequest sent = server.takeRequest();
        return JSON.readTree(sent.getBody().utf8());
    }

    private static MockResponse openAiCompletion(String model) {
        return json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"%s",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}""".formatted(model));
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }
}
