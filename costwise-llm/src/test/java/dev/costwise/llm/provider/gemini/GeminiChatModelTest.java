package dev.costwise.llm.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.AdapterSettings;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.StreamTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GeminiChatModel} against a MockWebServer speaking the Gemini API as documented:
 * https://ai.google.dev/api/generate-content (request, GenerateContentResponse, UsageMetadata, streaming with
 * alt=sse), https://ai.google.dev/gemini-api/docs/function-calling (functionCall/functionResponse),
 * https://ai.google.dev/gemini-api/docs/thinking (thinkingConfig),
 * https://ai.google.dev/gemini-api/docs/troubleshooting (error statuses) and https://ai.google.dev/gemini-api/docs/rate-limits
 * (429 RESOURCE_EXHAUSTED with google.rpc.RetryInfo).
 */
class GeminiChatModelTest {

    private static final String KEY = "AIzaSyD-SECRET-test-key-0123456789";
    private static final String PRO = "gemini-2.5-pro";

    /** Gemini 2.5 Pro (prompts up to 200K): $1.25 input, $0.125 cached, $10 output per million. */
    private static final Pricing PRO_PRICES = new Pricing(Money.of("1.25"), Money.of("0.125"), Money.of("1.25"),
            Money.of("1.25"), Money.of("10"), Optional.empty());
    /** Gemini 2.5 Flash: $0.30 input, $0.03 cached, $2.50 output per million. */
    private static final Pricing FLASH_PRICES = new Pricing(Money.of("0.30"), Money.of("0.03"), Money.of("0.30"),
            Money.of("0.30"), Money.of("2.50"), Optional.empty());

    private static final Pricer PRICER = (model, usage) -> {
        Pricing p = Map.of(PRO, PRO_PRICES, "gemini-2.5-flash", FLASH_PRICES).get(model);
        return new Pricer.Priced(p.inputPerMillion().perMillion(usage.uncachedInputTokens())
                .plus(p.cachedInputPerMillion().perMillion(usage.cachedInputTokens()))
                .plus(p.outputPerMillion().perMillion(usage.outputTokens())), PriceStatus.PRICED);
    };

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final ObjectMapper json = new ObjectMapper();

    private GeminiChatModel model(HelidonHttpTransport transport, StreamTimeouts timeouts) {
        AdapterSettings settings = AdapterSettings.builder("gemini", PRO).pricer(PRICER).transport(transport)
                .streamTimeouts(timeouts).build();
        return GeminiChatModel.builder(settings).apiKey(KEY).baseUrl(server.url("/").uri()).build();
    }

    private GeminiChatModel model() {
        return model(HelidonHttpTransport.ofDefaults(), StreamTimeouts.NONE);
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json; charset=UTF-8")
                .body(body).build();
    }

    private static String reply(String modelVersion) {
        return """
                {"candidates":[{"content":{"parts":[{"text":"Paris is the capital of France."}],"role":"model"},
                  "finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":10000,"candidatesTokenCount":500,"totalTokenCount":12000,
                  "cachedContentTokenCount":8000,"thoughtsTokenCount":1500},
                 "modelVersion":"%s","responseId":"mIp2aPq0Lbzs1e8PwJqR4Ac"}""".formatted(modelVersion);
    }

    @Test
    void givenReplyWithCachedAndThoughtTokens_whenExecuted_thenNormalisedUsageAndExactCost() {
        server.enqueue(json(200, reply("gemini-2.5-pro")));
        WorkflowContext ctx = WorkflowContext.of("t");

        ChatResponse r = model().execute(ChatRequest.of(PRO, "Capital of France?"), ctx);

        assertThat(r.text()).isEqualTo("Paris is the capital of France.");
        assertThat(r.id()).isEqualTo("mIp2aPq0Lbzs1e8PwJqR4Ac");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.modelDowngraded()).isFalse();
        // prompt 10000 includes 8000 cached; output = 500 candidates + 1500 thoughts
        assertThat(r.usage()).isEqualTo(new Usage(10000, 8000, 0, 2000, 1500, false));
        // 2000×1.25 + 8000×0.125 + 2000×10 = 2500 + 1000 + 20000 µ$ = $0.0235
        assertThat(r.cost()).isEqualTo(Money.of("0.0235"));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.cost()).isEqualTo(Money.of("0.0235")));
    }

    @Test
    void givenProRequestAnsweredByFlash_whenExecuted_thenDowngradeIsFlaggedAndPricedAsFlash() {
        server.enqueue(json(200, reply("gemini-2.5-flash")));
        WorkflowContext ctx = WorkflowContext.of("t");

        ChatResponse r = model().execute(ChatRequest.of(PRO, "Capital of France?"), ctx);

        assertThat(r.modelDowngraded()).isTrue();
        assertThat(r.requestedModel()).isEqualTo(PRO);
        assertThat(r.model()).isEqualTo("gemini-2.5-flash");
        // 2000×0.30 + 8000×0.03 + 2000×2.50 = 600 + 240 + 5000 µ$ = $0.00584
        assertThat(r.cost()).isEqualTo(Money.of("0.00584"));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.usedModel()).isEqualTo("gemini-2.5-flash"));
    }

    @Test
    void givenBundledCatalogPricer_whenProIsAnsweredByFlash_thenCostIsFlashCatalogPrice() {
        server.enqueue(json(200, reply("gemini-2.5-flash")));
        GeminiChatModel m = GeminiChatModel.builder(PRO).pricer(CatalogPricer.of(ModelCatalog.bundled()))
                .apiKey(KEY).baseUrl(server.url("/").uri()).build();

        ChatResponse r = m.execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"));

        // catalog gemini-2.5-flash: $0.30 input, $0.03 cached, $2.50 output → 600 + 240 + 5000 µ$
        assertThat(r.cost()).isEqualTo(Money.of("0.00584"));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PRICED);
    }

    private GeminiChatModel catalogPriced() {
        return GeminiChatModel.builder(PRO).pricer(CatalogPricer.of(ModelCatalog.bundled())).apiKey(KEY)
                .baseUrl(server.url("/").uri()).build();
    }

    private static MockResponse servedOn(String tier, MockResponse reply) {
        return reply.newBuilder().addHeader("x-gemini-service-tier", tier).build();
    }

    @Test
    void givenAFlexRequest_whenGeminiServesItOnFlex_thenItAsksForFlexAndIsBilledAtHalfPrice() throws Exception {
        server.enqueue(servedOn("flex", json(200, reply(PRO))));
        ChatRequest flex = ChatRequest.builder(PRO).addMessage(Message.user("x")).serviceTier(ServiceTier.FLEX)
                .build();

        ChatResponse r = catalogPriced().execute(flex, WorkflowContext.of("t"));

        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("service_tier").asText())
                .isEqualTo("flex");
        assertThat(r.usage().serviceTier()).isEqualTo(ServiceTier.FLEX);
        // catalog flex: $0.625 input, $0.0625 cached, $5 output → 2000×0.625 + 8000×0.0625 + 2000×5 µ$
        assertThat(r.cost()).isEqualTo(Money.of("0.01175"));
    }

    @Test
    void givenAPriorityRequestOverItsLimit_whenGeminiServesItOnStandard_thenItIsBilledAtTheStandardPrice() {
        server.enqueue(servedOn("standard", json(200, reply(PRO))));
        ChatRequest priority = ChatRequest.builder(PRO).addMessage(Message.user("x"))
                .serviceTier(ServiceTier.PRIORITY).build();

        ChatResponse r = catalogPriced().execute(priority, WorkflowContext.of("t"));

        assertThat(r.usage().serviceTier()).isEqualTo(ServiceTier.STANDARD);
        assertThat(r.cost()).isEqualTo(Money.of("0.0235"));
    }

    @Test
    void givenNoTierHeader_whenBilled_thenTheDearerOfTheAskedAndTheStandardTierIsBilled() throws Exception {
        server.enqueue(json(200, reply(PRO)));
        server.enqueue(servedOn("paid", json(200, reply(PRO))));
        server.enqueue(json(200, reply(PRO)));
        ChatRequest.Builder request = ChatRequest.builder(PRO).addMessage(Message.user("x"));
        GeminiChatModel m = catalogPriced();

        ChatResponse flexUnsaid = m.execute(request.serviceTier(ServiceTier.FLEX).build(), WorkflowContext.of("t"));
        ChatResponse flexUnknown = m.execute(request.build(), WorkflowContext.of("t"));
        ChatResponse priorityUnsaid = m.execute(request.serviceTier(ServiceTier.PRIORITY).build(),
                WorkflowContext.of("t"));

        assertThat(flexUnsaid.usage().serviceTier()).isEqualTo(ServiceTier.STANDARD);
        assertThat(flexUnknown.usage().serviceTier()).isEqualTo(ServiceTier.STANDARD);
        assertThat(flexUnsaid.cost()).isEqualTo(Money.of("0.0235"));
        assertThat(priorityUnsaid.usage().serviceTier()).isEqualTo(ServiceTier.PRIORITY);
    }

    @Test
    void givenAStandardRequest_whenSent_thenNoServiceTierIsWritten() throws Exception {
        server.enqueue(json(200, reply(PRO)));

        catalogPriced().execute(ChatRequest.builder(PRO).addMessage(Message.user("x"))
                .serviceTier(ServiceTier.STANDARD).build(), WorkflowContext.of("t"));

        assertThat(json.readTree(server.takeRequest().getBody().utf8()).has("service_tier")).isFalse();
    }

    @Test
    void givenAFlexStream_whenServedOnFlex_thenTheFinalUsageIsOnFlexAndBilledSo() throws Exception {
        server.enqueue(servedOn("FLEX", sse(CHUNK_1.formatted(PRO), CHUNK_2.formatted(PRO))));
        ChatRequest flex = ChatRequest.builder(PRO).addMessage(Message.user("x")).serviceTier(ServiceTier.FLEX)
                .build();

        ChatResponse r;
        try (ChatStream stream = catalogPriced().stream(flex, WorkflowContext.of("t"))) {
            List<Optional<Usage>> usages = new java.util.ArrayList<>();
            stream.forEachRemaining(c -> usages.add(c.usage()));
            assertThat(usages.getLast()).map(Usage::serviceTier).contains(ServiceTier.FLEX);
            r = stream.response();
        }

        assertThat(r.usage().serviceTier()).isEqualTo(ServiceTier.FLEX);
        assertThat(r.cost()).isEqualTo(Money.of("0.01175"));
        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("service_tier").asText())
                .isEqualTo("flex");
    }

    @Test
    void givenProAnsweredByItsNumberedSnapshot_whenExecuted_thenNotADowngrade() {
        server.enqueue(json(200, reply("gemini-2.5-pro-preview-06-05")));

        assertThat(model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")).modelDowngraded()).isFalse();
    }

    @Test
    void givenSystemToolsImageAndJsonSchema_whenExecuted_thenTheRequestIsGeminiShapedWithKeyInHeaderOnly()
            throws Exception {
        server.enqueue(json(200, reply(PRO)));
        JsonNode schema = json.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
        Message user = new Message(Role.USER, List.of(ContentPart.text("Where is this?"),
                ContentPart.image("data:image/png;base64,iVBORw0KGgo=")), Optional.empty(), List.of(),
                Optional.empty());
        ChatRequest request = ChatRequest.builder(PRO).addMessage(Message.system("Answer in JSON."))
                .addMessage(user).tools(List.of(new Tool("lookup", Optional.of("Look up a place"), schema, false)))
                .responseFormat(new ResponseFormat.JsonObject()).maxTokens(1024).temperature(0.3).build();

        model().execute(request, WorkflowContext.of("t"));

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
        assertThat(sent.getUrl().query()).isNull();
        assertThat(sent.getHeaders().get("x-goog-api-key")).isEqualTo(KEY);
        assertThat(json.readTree(sent.getBody().utf8())).isEqualTo(json.readTree("""
                {"systemInstruction":{"parts":[{"text":"Answer in JSON."}]},
                 "contents":[{"role":"user","parts":[{"text":"Where is this?"},
                   {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]}],
                 "tools":[{"functionDeclarations":[{"name":"lookup","description":"Look up a place",
                   "parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}}}}]}],
                 "generationConfig":{"temperature":0.3,"maxOutputTokens":1024,
                   "responseMimeType":"application/json"}}"""));
    }

    /** The body Gemini receives for a request with one tool and a JSON schema as its response format. */
    private JsonNode bodySentWith(Tool tool, JsonNode responseSchema) throws Exception {
        server.enqueue(json(200, reply(PRO)));
        model().execute(ChatRequest.builder(PRO).addMessage(Message.user("Go")).tools(List.of(tool))
                .responseFormat(new ResponseFormat.JsonSchema("answer", responseSchema, true)).build(),
                WorkflowContext.of("t"));
        return json.readTree(server.takeRequest().getBody().utf8());
    }

    @Test
    void givenPropertiesNamedLikeSchemaKeywords_whenExecuted_thenOnlyTheKeywordsAreTakenOut() throws Exception {
        JsonNode parameters = json.readTree("""
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
                 "properties":{"strict":{"type":"boolean","$comment":"lint mode"},"path":{"type":"string"},
                   "$id":{"type":"string"},"opts":{"type":"object","additionalProperties":false,
                     "properties":{"additionalProperties":{"type":"boolean"}}},
                   "mode":{"type":"string","enum":["$schema","strict"]}},
                 "required":["strict","path","$id"]}""");
        JsonNode schema = json.readTree("""
                {"type":"object","properties":{"strict":{"type":"boolean"},"$id":{"type":"string"},
                  "$schema":{"type":"string"},"$comment":{"type":"string"},
                  "items":{"type":"array",
                    "items":{"type":"object","$comment":"x","properties":{"$id":{"type":"integer"}}}}},
                 "required":["strict","$id","$schema","$comment","items"],"additionalProperties":false}""");

        JsonNode sent = bodySentWith(new Tool("lint", Optional.empty(), parameters, false), schema);

        assertThat(sent.path("tools")).isEqualTo(json.readTree("""
                [{"functionDeclarations":[{"name":"lint","parametersJsonSchema":{"type":"object",
                  "additionalProperties":false,
                  "properties":{"strict":{"type":"boolean"},"path":{"type":"string"},"$id":{"type":"string"},
                    "opts":{"type":"object","additionalProperties":false,
                      "properties":{"additionalProperties":{"type":"boolean"}}},
                    "mode":{"type":"string","enum":["$schema","strict"]}},
                  "required":["strict","path","$id"]}}]}]"""));
        assertThat(sent.path("generationConfig")).isEqualTo(json.readTree("""
                {"responseMimeType":"application/json","responseJsonSchema":{"type":"object",
                  "properties":{"strict":{"type":"boolean"},"$id":{"type":"string"},"$schema":{"type":"string"},
                    "$comment":{"type":"string"},
                    "items":{"type":"array","items":{"type":"object","properties":{"$id":{"type":"integer"}}}}},
                  "required":["strict","$id","$schema","$comment","items"],"additionalProperties":false}}"""));
    }

    @Test
    void givenPydanticSchemas_whenExecuted_thenTheyGoAsJsonSchemaWithRefsUnionsAndNullTypesKept() throws Exception {
        // what the OpenAI SDK's .parse() makes of a Pydantic model with a nested model and Optional fields; Gemini's
        // responseSchema (OpenAPI subset) refuses $defs, $ref and a type list, responseJsonSchema takes them
        // (https://ai.google.dev/api/generate-content#v1beta.GenerationConfig, .../caching#FunctionDeclaration)
        String pydantic = """
                {"$defs":{"Addr":{"properties":{"city":{"title":"City","type":"string"}},"required":["city"],
                   "title":"Addr","type":"object","additionalProperties":false}},
                 "properties":{"addr":{"$ref":"#/$defs/Addr"},
                   "nick":{"anyOf":[{"type":"string"},{"type":"null"}],"title":"Nick"},
                   "tags":{"type":["array","null"],"items":{"type":"string"}}},
                 "required":["addr","nick","tags"],"title":"Person","type":"object","additionalProperties":false}""";
        JsonNode schema = json.readTree(pydantic);

        JsonNode sent = bodySentWith(new Tool("save", Optional.empty(), schema, true), schema);

        assertThat(sent.path("tools")).isEqualTo(json.readTree("""
                [{"functionDeclarations":[{"name":"save","parametersJsonSchema":%s}]}]""".formatted(pydantic)));
        assertThat(sent.path("generationConfig")).isEqualTo(json.readTree("""
                {"responseMimeType":"application/json","responseJsonSchema":%s}""".formatted(pydantic)));
    }

    @Test
    void givenFunctionCallReply_whenExecuted_thenToolCallWithMadeUpIdAndToolCallsFinish() throws Exception {
        server.enqueue(json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather",
                  "args":{"location":"Boston"}}}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":8,"totalTokenCount":68},
                 "modelVersion":"gemini-2.5-pro","responseId":"resp-7"}"""));

        ChatResponse r = model().execute(ChatRequest.of(PRO, "Weather in Boston?"), WorkflowContext.of("t"));

        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.toolCalls()).containsExactly(new ToolCall("call_resp-7_0", "get_weather",
                "{\"location\":\"Boston\"}"));
        assertThat(r.usage()).isEqualTo(Usage.of(60, 8));
    }

    @Test
    void givenSignedFunctionCall_whenTheToolResultIsSentBack_thenTheThoughtSignatureIsReturnedOnTheCall()
            throws Exception {
        // https://ai.google.dev/gemini-api/docs/thought-signatures: the signature is a sibling of functionCall
        server.enqueue(json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"check_flight",
                  "args":{"flight":"AA100"}},"thoughtSignature":"CiQBcsjafQ=="}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":8},"responseId":"r9"}"""));
        server.enqueue(json(200, reply(PRO)));
        GeminiChatModel m = model();

        ChatResponse first = m.execute(ChatRequest.of(PRO, "Is AA100 on time?"), WorkflowContext.of("t"));
        ToolCall call = first.toolCalls().getFirst();
        m.execute(ChatRequest.builder(PRO).addMessage(Message.user("Is AA100 on time?")).addMessage(first.message())
                .addMessage(Message.toolResult(call.id(), "{\"status\":\"delayed\"}")).build(),
                WorkflowContext.of("t"));

        server.takeRequest();
        JsonNode contents = json.readTree(server.takeRequest().getBody().utf8()).path("contents");
        assertThat(contents.path(1)).isEqualTo(json.readTree("""
                {"role":"model","parts":[{"functionCall":{"name":"check_flight","args":{"flight":"AA100"}},
                  "thoughtSignature":"CiQBcsjafQ=="}]}"""));
        assertThat(contents.path(2).path("parts").path(0).path("functionResponse").path("name").asText())
                .isEqualTo("check_flight");
    }

    // ---- reasoning: https://ai.google.dev/gemini-api/docs/thinking ----

    @Test
    void givenReasoningEffortForPro_whenExecuted_thenThinkingBudgetIsSentInGenerationConfig() throws Exception {
        server.enqueue(json(200, reply(PRO)));
        ChatRequest request = ChatRequest.builder(PRO).addMessage(Message.user("Capital of France?"))
                .reasoningEffort(ReasoningEffort.LOW).maxTokens(2048).build();

        model().execute(request, WorkflowContext.of("t"));

        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("generationConfig"))
                .isEqualTo(json.readTree("{\"maxOutputTokens\":2048,\"thinkingConfig\":{\"thinkingBudget\":1024}}"));
    }

    @Test
    void givenGemini3Adapter_whenStreamedWithReasoning_thenThinkingLevelOfTheAdaptersModelIsSent() throws Exception {
        String model = "gemini-3-pro-preview";
        server.enqueue(sse(CHUNK_1.formatted(model), CHUNK_2.formatted(model)));
        AdapterSettings settings = AdapterSettings.builder("gemini", model)
                .pricer((m, usage) -> new Pricer.Priced(Money.ZERO, PriceStatus.UNPRICED)).build();
        GeminiChatModel gemini3 = GeminiChatModel.builder(settings).apiKey(KEY).baseUrl(server.url("/").uri())
                .build();
        // the caller's name is an alias: the level is chosen for the model the adapter calls
        ChatRequest request = ChatRequest.builder("smart").addMessage(Message.user("Capital?"))
                .reasoningEffort(ReasoningEffort.MEDIUM).build();

        try (ChatStream stream = gemini3.stream(request, WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> { });
        }

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getUrl().encodedPath())
                .isEqualTo("/v1beta/models/gemini-3-pro-preview:streamGenerateContent");
        // 3 Pro has only low and high; medium's budget (8,192) is nearer high's (24,576)
        assertThat(json.readTree(sent.getBody().utf8()).path("generationConfig"))
                .isEqualTo(json.readTree("{\"thinkingConfig\":{\"thinkingLevel\":\"high\"}}"));
    }

    @Test
    void givenNoReasoningForPro_whenExecuted_thenUnsupportedRequestWithoutCallingGemini() {
        ChatRequest request = ChatRequest.builder(PRO).addMessage(Message.user("x")).reasoning(Reasoning.off())
                .build();

        assertThatThrownBy(() -> model().execute(request, WorkflowContext.of("t")))
                .isInstanceOfSatisfying(UnsupportedRequestException.class, e -> assertThat(e.param())
                        .hasValue("reasoning_effort")).hasMessageContaining("gemini-2.5-pro")
                .hasMessageContaining("cannot turn thinking off");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenBlockedPrompt_whenExecuted_thenContentFiltered() {
        server.enqueue(json(200, """
                {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT",
                  "probability":"HIGH"}]},"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},
                 "modelVersion":"gemini-2.5-pro"}"""));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.ContentFiltered.class).hasMessageContaining("SAFETY");
    }

    @Test
    void givenAnswerStoppedBySafety_whenExecuted_thenContentFilterFinish() {
        server.enqueue(json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"text":"I can"}]},"finishReason":"SAFETY"}],
                 "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2},"modelVersion":"gemini-2.5-pro"}"""));

        assertThat(model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")).finishReason())
                .isEqualTo(FinishReason.CONTENT_FILTER);
    }

    /** A candidate ended by a failed tool call: Gemini sends no parts (https://ai.google.dev/api/generate-content). */
    private static String failedToolCall(String reason) {
        return """
                {"candidates":[{"content":{},"finishReason":"%s","index":0}],
                 "usageMetadata":{"promptTokenCount":9056,"totalTokenCount":9056},
                 "modelVersion":"gemini-2.5-pro","responseId":"r-tool"}""".formatted(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL"})
    void givenAnswerEndedByAFailedToolCall_whenExecuted_thenMalformedResponseThatIsRetriedNotAStop(String reason) {
        server.enqueue(json(200, failedToolCall(reason)));
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("finishReason " + reason)
                .satisfies(e -> assertThat(((ProviderException) e).isTransient()).isTrue())
                .satisfies(e -> assertThat(((ProviderException) e).billedUsage())
                        .contains(new Usage(9056, 0, 0, 0, 0, false)));
        // Google billed the 9,056 prompt tokens it reported: 9056 × $1.25/M = $0.01132
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(r -> {
            assertThat(r.errorKind()).contains("malformed_response");
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.usage().inputTokens()).isEqualTo(9056);
            assertThat(r.cost()).isEqualTo(Money.of("0.01132"));
        });
    }

    @Test
    void givenABlockedPromptWithUsage_whenExecuted_thenContentFilteredBilledAsReported() {
        server.enqueue(json(200, """
                {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
                 "usageMetadata":{"promptTokenCount":800,"totalTokenCount":800},"modelVersion":"gemini-2.5-pro"}"""));
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), ctx))
                .isInstanceOf(ProviderException.ContentFiltered.class);
        // 800 × $1.25/M
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(r -> assertThat(r.cost()).isEqualTo(Money.of("0.001")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL"})
    void givenStreamEndedByAFailedToolCall_whenRead_thenMalformedResponseBilledAsReported(String reason) {
        server.enqueue(sse(CHUNK_1.formatted(PRO), failedToolCall(reason)));
        WorkflowContext ctx = WorkflowContext.of("t");

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "x"), ctx)) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.MalformedResponse.class)
                    .hasMessageContaining("finishReason " + reason);
        }
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.usage().inputTokens()).isEqualTo(9056);
        });
    }

    private static String googleError(int code, String status, String message, String details) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\""
                + (details.isEmpty() ? "" : ",\"details\":" + details) + "}}";
    }

    static Stream<Arguments> documentedErrors() {
        return Stream.of(
                Arguments.of(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \\\"foo\\\"", "",
                        ProviderException.InvalidRequest.class),
                Arguments.of(400, "INVALID_ARGUMENT", "The input token count (1290000) exceeds the maximum number of "
                        + "tokens allowed (1048576).", "", ProviderException.ContextLengthExceeded.class),
                Arguments.of(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                        "[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\","
                                + "\"domain\":\"googleapis.com\"}]",
                        ProviderException.AuthenticationFailed.class),
                Arguments.of(400, "FAILED_PRECONDITION", "User location is not supported for the API use.", "",
                        ProviderException.InvalidRequest.class),
                Arguments.of(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", "",
                        ProviderException.PermissionDenied.class),
                Arguments.of(404, "NOT_FOUND", "models/gemini-9-pro is not found for API version v1beta", "",
                        ProviderException.NotFound.class),
                Arguments.of(500, "INTERNAL", "An internal error has occurred.", "",
                        ProviderException.ServerError.class),
                Arguments.of(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", "",
                        ProviderException.Overloaded.class),
                Arguments.of(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", "",
                        ProviderException.ProviderTimeout.class));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("documentedErrors")
    void givenDocumentedErrorBody_whenExecuted_thenMappedToTypedException(int code, String status, String message,
            String details, Class<? extends ProviderException> expected) {
        server.enqueue(json(code, googleError(code, status, message, details)));
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), ctx)).isInstanceOf(expected)
                .hasMessageNotContaining(KEY)
                .satisfies(e -> assertThat(((ProviderException) e).status()).hasValue(code));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.FAILED));
    }

    @Test
    void givenResourceExhaustedWithRetryInfo_whenExecuted_thenRateLimitedRetriesAfterTheDelay() {
        server.enqueue(json(429, googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please "
                + "check your plan and billing details.", """
                [{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":
                  "generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":
                  "GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaValue":"5"}]},
                 {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]""")));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(37));
                    assertThat(e.isTransient()).isTrue();
                });
    }

    @Test
    void givenDailyFreeTierQuotaExhausted_whenExecuted_thenQuotaExhaustedSoCallersFallBackInsteadOfRetrying() {
        server.enqueue(json(429, googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", """
                [{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":
                  "generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":
                  "GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaValue":"100"}]},
                 {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"52s"}]""")));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.QuotaExhausted.class)
                .hasMessageContaining("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
    }

    @Test
    void givenFractionalRetryDelay_whenParsed_thenExact() {
        assertThat(GeminiErrorMapper.parseProtoDuration("1.500s")).contains(Duration.ofMillis(1500));
        assertThat(GeminiErrorMapper.parseProtoDuration("soon")).isEmpty();
    }

    @Test
    void givenErrorBodyEchoingTheKey_whenExecuted_thenTheKeyIsRedacted() {
        server.enqueue(json(400, googleError(400, "INVALID_ARGUMENT", "bad key " + KEY, "")));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .hasMessageNotContaining(KEY).hasMessageContaining("[redacted]");
        assertThat(model().toString()).doesNotContain(KEY);
    }

    @Test
    void givenALabel_whenCallsFail_thenErrorsNameTheLabelAndASiblingModelItsOwnName() {
        server.enqueue(json(503, googleError(503, "UNAVAILABLE", "The model is overloaded.", "")));
        server.enqueue(json(503, googleError(503, "UNAVAILABLE", "The model is overloaded.", "")));
        GeminiChatModel labelled = GeminiChatModel.builder(PRO).label("pro-eu").pricer(PRICER).apiKey(KEY)
                .baseUrl(server.url("/").uri()).build();

        assertThatThrownBy(() -> labelled.execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .hasMessageStartingWith("gemini pro-eu: ");
        assertThat(labelled.name()).as("priced and recorded as the model it calls").isEqualTo(PRO);
        assertThatThrownBy(() -> labelled.withModel("gemini-2.5-flash").execute(ChatRequest.of("gemini-2.5-flash",
                "x"), WorkflowContext.of("t"))).hasMessageStartingWith("gemini gemini-2.5-flash: ");
        assertThatThrownBy(() -> GeminiChatModel.builder(PRO).label(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
    }

    @Test
    void givenMalformedBody_whenExecuted_thenMalformedResponse() {
        server.enqueue(json(200, "{\"candidates\":[{\"content\""));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class);
    }

    @Test
    void givenBodyWithNeitherCandidatesNorBlockReason_whenExecuted_thenMalformedResponseSaysSo() {
        server.enqueue(json(200, "{\"usageMetadata\":{\"promptTokenCount\":3}}"));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class).hasMessageContaining("no candidates");
    }

    @Test
    void givenSlowHeaders_whenExecutedWithShortReadTimeout_thenProviderTimeout() {
        server.enqueue(new MockResponse.Builder().code(200).body(reply(PRO)).headersDelay(2, TimeUnit.SECONDS)
                .build());
        HelidonHttpTransport fast = HelidonHttpTransport.builder().readTimeout(Duration.ofMillis(200)).build();

        assertThatThrownBy(() -> model(fast, StreamTimeouts.NONE).execute(ChatRequest.of(PRO, "x"),
                WorkflowContext.of("t"))).isInstanceOf(ProviderException.ProviderTimeout.class);
    }

    @Test
    void givenProAdapter_whenDerivingFlash_thenTheSiblingCallsTheFlashEndpointWithTheSameKey() throws Exception {
        server.enqueue(json(200, reply("gemini-2.5-flash")));
        GeminiChatModel pro = GeminiChatModel.builder(PRO).pricer(PRICER).apiKey(KEY)
                .baseUrl(server.url("/").uri()).build();

        ChatResponse r = pro.withModel("gemini-2.5-flash").execute(ChatRequest.of("gemini-2.5-flash", "x"),
                WorkflowContext.of("t"));

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(sent.getHeaders().get("x-goog-api-key")).isEqualTo(KEY);
        assertThat(r.modelDowngraded()).isFalse();
        assertThat(r.cost()).isEqualTo(Money.of("0.00584"));
    }

    @Test
    void givenNoKeyInEnvironment_whenBuilt_thenFailsNamingBothVariables() {
        AdapterSettings settings = AdapterSettings.builder("gemini", PRO).pricer(PRICER).build();

        assertThatThrownBy(() -> GeminiChatModel.builder(settings).environment(Map.of()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GOOGLE_API_KEY")
                .hasMessageContaining("GEMINI_API_KEY");
        assertThat(GeminiChatModel.builder(settings).environment(Map.of("GEMINI_API_KEY", KEY)).build()).isNotNull();
    }

    // ---- streaming ----

    private static MockResponse sse(String... chunks) {
        StringBuilder body = new StringBuilder();
        for (String c : chunks) {
            body.append("data: ").append(c.replace("\n", "")).append("\r\n\r\n");
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(body.toString()).build();
    }

    private static final String CHUNK_1 = """
            {"candidates":[{"content":{"parts":[{"text":"Paris is"}],"role":"model"},"index":0}],
             "usageMetadata":{"promptTokenCount":10000,"totalTokenCount":10000},"modelVersion":"%s",
             "responseId":"stream-1"}""";
    private static final String CHUNK_2 = """
            {"candidates":[{"content":{"parts":[{"text":" the capital."}],"role":"model"},"finishReason":"STOP",
              "index":0}],"usageMetadata":{"promptTokenCount":10000,"candidatesTokenCount":500,
              "cachedContentTokenCount":8000,"thoughtsTokenCount":1500,"totalTokenCount":12000},
             "modelVersion":"%s","responseId":"stream-1"}""";

    @Test
    void givenStreamWithCachedTokensInLastChunk_whenRead_thenTextUsageAndExactCost() throws Exception {
        server.enqueue(sse(CHUNK_1.formatted(PRO), CHUNK_2.formatted(PRO)));
        WorkflowContext ctx = WorkflowContext.of("t");

        ChatResponse r;
        StringBuilder text = new StringBuilder();
        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "Capital?"), ctx)) {
            stream.forEachRemaining(c -> text.append(c.contentDelta()));
            r = stream.response();
        }

        assertThat(text.toString()).isEqualTo("Paris is the capital.");
        assertThat(r.usage()).isEqualTo(new Usage(10000, 8000, 0, 2000, 1500, false));
        assertThat(r.cost()).isEqualTo(Money.of("0.0235"));
        assertThat(r.id()).isEqualTo("stream-1");
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1beta/models/gemini-2.5-pro:streamGenerateContent");
        assertThat(sent.getUrl().queryParameter("alt")).isEqualTo("sse");
        assertThat(sent.getUrl().queryParameter("key")).isNull();
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.SUCCESS));
    }

    @Test
    void givenTwoStreamsReadToTheEnd_whenSentOneAfterTheOther_thenTheSecondReusesTheConnection() throws Exception {
        server.enqueue(sse(CHUNK_1.formatted(PRO), CHUNK_2.formatted(PRO)));
        server.enqueue(sse(CHUNK_1.formatted(PRO), CHUNK_2.formatted(PRO)));
        GeminiChatModel m = model();

        for (int i = 0; i < 2; i++) {
            try (ChatStream stream = m.stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
                stream.forEachRemaining(c -> { });
            }
        }

        int first = server.takeRequest().getConnectionIndex();
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(first);
    }

    @Test
    void givenStreamAnsweredByFlash_whenRead_thenDowngradeIsFlaggedAndPricedAsFlash() {
        server.enqueue(sse(CHUNK_1.formatted("gemini-2.5-flash"), CHUNK_2.formatted("gemini-2.5-flash")));

        ChatResponse r;
        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "Capital?"), WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> { });
            r = stream.response();
        }

        assertThat(r.modelDowngraded()).isTrue();
        assertThat(r.model()).isEqualTo("gemini-2.5-flash");
        assertThat(r.cost()).isEqualTo(Money.of("0.00584"));
    }

    @Test
    void givenStreamedCallsOfToolsWithoutParameters_whenRead_thenTheirArgumentsAreTheEmptyObject() {
        // Gemini sends a function call whole: with "args": {} or, for a tool without parameters, no args at all
        server.enqueue(sse("""
                {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_time","args":{}}},
                 {"functionCall":{"name":"get_date"}}],"role":"model"},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"totalTokenCount":25},
                 "modelVersion":"gemini-2.5-pro","responseId":"stream-t"}"""));
        List<StringBuilder> fragments = List.of(new StringBuilder(), new StringBuilder());

        ChatResponse r;
        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "Time?"), WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> c.toolCallDeltas().forEach(
                    d -> fragments.get(d.index()).append(d.argumentsFragment())));
            r = stream.response();
        }

        assertThat(fragments).extracting(StringBuilder::toString).containsExactly("{}", "{}");
        assertThat(r.toolCalls()).extracting(ToolCall::arguments).containsExactly("{}", "{}");
    }

    /**
     * The chunks in a body that ends when the server closes the connection: HTTP/1.1 with {@code Connection: close}
     * and neither Content-Length nor Transfer-Encoding (RFC 9112 section 6.3), as proxies that strip chunking send it.
     */
    private static MockResponse closeDelimited(String... chunks) {
        return sse(chunks).newBuilder().removeHeader("Content-Length").setHeader("Connection", "close")
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build();
    }

    @Test
    void givenStreamEndedByClosingTheConnection_whenRead_thenItEndsNormallyWithItsUsage() {
        server.enqueue(closeDelimited(CHUNK_1.formatted(PRO), CHUNK_2.formatted(PRO)));
        WorkflowContext ctx = WorkflowContext.of("t");
        List<ChatChunk> chunks = new ArrayList<>();

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "Capital?"), ctx)) {
            stream.forEachRemaining(chunks::add);
        }

        assertThat(chunks).extracting(ChatChunk::contentDelta).containsExactly("Paris is", " the capital.", "");
        assertThat(chunks.getLast().usage()).contains(new Usage(10000, 8000, 0, 2000, 1500, false));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.SUCCESS));
    }

    @Test
    void givenStreamEndedByClosingTheConnectionBeforeAFinishReason_whenRead_thenConnectionFailedInPlainWords() {
        server.enqueue(closeDelimited(CHUNK_1.formatted(PRO)));

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.ConnectionFailed.class).hasMessageContaining("finishReason")
                    .hasMessageNotContaining("Exception");
        }
    }

    @Test
    void givenStreamCutBeforeFinishReason_whenRead_thenConnectionFailed() {
        server.enqueue(sse(CHUNK_1.formatted(PRO)));

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.ConnectionFailed.class).hasMessageContaining("finishReason");
        }
    }

    @Test
    void givenErrorChunkMidStream_whenRead_thenMappedError() {
        server.enqueue(sse(CHUNK_1.formatted(PRO),
                googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", "")));

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.Overloaded.class)
                    .hasMessageEndingWith("overloaded. Please try again later. (error event in an HTTP 200 stream)")
                    .satisfies(e -> assertThat(((ProviderException) e).status()).isEmpty());
        }
    }

    @Test
    void givenMalformedChunk_whenRead_thenMalformedResponse() {
        server.enqueue(sse("{\"candidates\": [oops"));

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.MalformedResponse.class);
        }
    }

    @Test
    void givenBlockedPromptInStream_whenRead_thenContentFiltered() {
        server.enqueue(sse("{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},"
                + "\"usageMetadata\":{\"promptTokenCount\":9}}"));

        try (ChatStream stream = model().stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.ContentFiltered.class).hasMessageContaining("PROHIBITED_CONTENT");
        }
    }

    @Test
    void givenRateLimitedStreamRequest_whenOpened_thenRateLimitedWithRetryInfo() {
        server.enqueue(json(429, googleError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted",
                "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"12s\"}]")));

        assertThatThrownBy(() -> model().stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(12)));
    }

    @Test
    void givenFirstChunkNeverComes_whenReadWithFirstTokenTimeout_thenProviderTimeout() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body("data: " + CHUNK_2.formatted(PRO).replace("\n", "") + "\n\n").bodyDelay(3, TimeUnit.SECONDS)
                .build());
        GeminiChatModel m = model(HelidonHttpTransport.ofDefaults(),
                StreamTimeouts.of(Duration.ofMillis(200), Duration.ofSeconds(30)));

        assertThatThrownBy(() -> {
            try (ChatStream stream = m.stream(ChatRequest.of(PRO, "x"), WorkflowContext.of("t"))) {
                stream.forEachRemaining(c -> { });
            }
        }).isInstanceOf(ProviderException.ProviderTimeout.class).hasMessageContaining("200 ms");
    }
}
