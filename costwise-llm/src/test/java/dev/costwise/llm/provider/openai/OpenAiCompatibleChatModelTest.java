package dev.costwise.llm.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.CacheControl;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import dev.costwise.llm.provider.http.StreamTimeouts;
import dev.costwise.llm.provider.http.TestPricers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.RecordedRequest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OpenAI-compatible adapter against MockWebServer speaking OpenAI's documented wire format.
 *
 * <p>Formats: https://platform.openai.com/docs/api-reference/chat/create (chat.completion),
 * https://platform.openai.com/docs/api-reference/chat-streaming (chat.completion.chunk; with
 * {@code stream_options.include_usage} "an additional chunk will be streamed before the data: [DONE] message ... the
 * choices field will always be an empty array"), https://platform.openai.com/docs/guides/error-codes (errors),
 * https://platform.openai.com/docs/guides/rate-limits (x-ratelimit-* headers), https://openrouter.ai/docs/api/errors
 * (OpenRouter: 402 credits, 403 moderation with metadata.reasons, errors inside a 200 and as an SSE data event) and
 * https://openrouter.ai/docs/api-reference/streaming (": OPENROUTER PROCESSING" comments).
 */
class OpenAiCompatibleChatModelTest {

    private static final String KEY = "sk-test-0123456789abcdefSECRET";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockWebServer server;
    private HelidonHttpTransport transport;
    private SimpleMeterRegistry registry;
    private List<RateLimitSnapshot> snapshots;
    private WorkflowContext ctx;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        transport = HelidonHttpTransport.builder().connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5)).build();
        registry = new SimpleMeterRegistry();
        snapshots = new CopyOnWriteArrayList<>();
        ctx = WorkflowContext.builder("test").correlationId("req-1").tag(WorkflowContext.TAG_USER, "u-1").build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiCompatibleChatModel model(OpenAiCompatibleEndpoint preset, String name) {
        return builder(preset, name).build();
    }

    private OpenAiCompatibleChatModel.Builder builder(OpenAiCompatibleEndpoint preset, String name) {
        return OpenAiCompatibleChatModel.builder(preset.withBaseUrl(server.url("/v1").toString()), name)
                .apiKey(ApiKey.of(KEY))
                .pricer(TestPricers.FIXED)
                .transport(transport)
                .meterRegistry(registry)
                .rateLimitListener(snapshots::add)
                .environment(Map.of());
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
                .addHeader("x-request-id", "req_abc123").body(body).build();
    }

    private static String sse(String... events) {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            sb.append("data: ").append(e).append("\n\n");
        }
        return sb.toString();
    }

    private static MockResponse eventStream(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(body).build();
    }

    private List<CostRecord> costRecords() {
        return ctx.attributeValues("record", CostRecord.class);
    }

    private static final String COMPLETION = """
            {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,
             "model":"gpt-4o-mini-2024-07-18",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help?","refusal":null,
               "annotations":[]},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1200,"completion_tokens":10,"total_tokens":1210,
               "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
                 "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
             "service_tier":"default","system_fingerprint":"fp_06737a9306"}""";

    // ------------------------------------------------------------------ non-streaming

    @Test
    void givenCompletion_whenExecuted_thenReturnsTextUsageWithCachedTokensAndCost() {
        server.enqueue(json(200, COMPLETION));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini")
                .execute(ChatRequest.of("gpt-4o-mini", "Hello"), ctx);

        assertThat(r.text()).isEqualTo("Hello! How can I help?");
        assertThat(r.id()).isEqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
        assertThat(r.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(r.modelDowngraded()).isFalse();
        assertThat(r.provider()).isEqualTo("openai");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(1200, 1024, 0, 10, 0, false));
        assertThat(r.cost()).isEqualTo(TestPricers.cost(176, 1024, 10));
        assertThat(r.providerRequestId()).contains("req_abc123");
        assertThat(costRecords()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(c.requestId()).isEqualTo("req-1");
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.cost()).isEqualTo(r.cost());
            assertThat(c.usedModel()).isEqualTo("gpt-4o-mini-2024-07-18");
            assertThat(c.tags()).containsEntry("user", "u-1");
        });
        assertThat(registry.find("costwise.model.downgrades").counter()).isNull();
    }

    @Test
    void givenTheKeyAsAString_whenExecuted_thenItIsSentAsTheBearerKeyAndABlankOneIsRefusedWithoutEchoingIt()
            throws Exception {
        server.enqueue(json(200, COMPLETION));

        builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").apiKey(KEY).build()
                .execute(ChatRequest.of("gpt-4o-mini", "Hello"), ctx);

        assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThatThrownBy(() -> builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").apiKey("  "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenRequest_whenExecuted_thenSendsOpenAiJsonWithBearerKey() throws Exception {
        server.enqueue(json(200, COMPLETION));
        ChatRequest request = ChatRequest.builder("alias-fast")
                .addMessage(Message.system("Be brief."))
                .addMessage(Message.user("Hello"))
                .temperature(0.2).maxTokens(50).stop(List.of("END")).seed(7).user("u-1")
                .metadata(Map.of("feature", "chat"))
                .build();

        model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(request, ctx);

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getMethod()).isEqualTo("POST");
        assertThat(sent.getTarget()).isEqualTo("/v1/chat/completions");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sent.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(sent.getBody().utf8());
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.get("messages").toString()).isEqualTo(
                "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hello\"}]");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.get("stop").toString()).isEqualTo("[\"END\"]");
        assertThat(body.get("seed").asLong()).isEqualTo(7);
        assertThat(body.get("user").asText()).isEqualTo("u-1");
        assertThat(body.has("metadata")).as("metadata needs store=true at OpenAI; not sent upstream").isFalse();
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void givenGroqPreset_whenExecuted_thenWritesMaxTokens() throws Exception {
        server.enqueue(json(200, COMPLETION.replace("gpt-4o-mini-2024-07-18", "llama-3.1-8b-instant")));

        model(OpenAiCompatibleEndpoint.GROQ, "llama-3.1-8b-instant")
                .execute(ChatRequest.builder("x").addMessage(Message.user("hi")).maxTokens(20).build(), ctx);

        JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(body.get("max_tokens").asInt()).isEqualTo(20);
        assertThat(body.has("max_completion_tokens")).isFalse();
    }

    @Test
    void givenPromptCacheBreakpoints_whenSentToOpenRouterOrOpenAi_thenOnlyOpenRouterGetsThem() throws Exception {
        // https://openrouter.ai/docs/features/prompt-caching: cache_control on content parts, passed to Anthropic
        ChatRequest request = ChatRequest.builder("x")
                .addMessage(new Message(Role.SYSTEM, List.of(new ContentPart.Text("A long manual.",
                        Optional.of(CacheControl.ONE_HOUR))),
                        Optional.empty(), List.of(), Optional.empty()))
                .addMessage(Message.user("hi"))
                .tools(List.of(new Tool("lookup", Optional.empty(), JSON.readTree("{\"type\":\"object\"}"), false,
                        Optional.of(CacheControl.FIVE_MINUTES)))).build();
        server.enqueue(json(200, COMPLETION));
        server.enqueue(json(200, COMPLETION));

        model(OpenAiCompatibleEndpoint.OPENROUTER, "anthropic/claude-sonnet-4.5").execute(request, ctx);
        model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(request, ctx);

        JsonNode toOpenRouter = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(toOpenRouter.at("/messages/0/content")).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"A long manual.","cache_control":{"type":"ephemeral","ttl":"1h"}}]"""));
        assertThat(toOpenRouter.at("/messages/1/content").asText()).isEqualTo("hi");
        assertThat(toOpenRouter.at("/tools/0/cache_control")).isEqualTo(JSON.readTree("{\"type\":\"ephemeral\"}"));
        JsonNode toOpenAi = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(toOpenAi.at("/messages/0/content").asText()).as("OpenAI caches on its own").isEqualTo(
                "A long manual.");
        assertThat(toOpenAi.at("/tools/0").has("cache_control")).isFalse();
    }

    @Test
    void givenTopK_whenSentToProvidersThatSampleWithItOrNot_thenOnlyTheFormerGetIt() throws Exception {
        // OpenRouter and self-hosted servers take top_k; OpenAI's API has no such field and refuses unknown ones
        ChatRequest request = ChatRequest.builder("x").addMessage(Message.user("hi")).topK(40).build();
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, COMPLETION));
        }

        model(OpenAiCompatibleEndpoint.OPENROUTER, "meta-llama/llama-3.3-70b-instruct").execute(request, ctx);
        model(OpenAiCompatibleEndpoint.custom("vllm", "http://unused"), "local").execute(request, ctx);
        model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(request, ctx);

        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).path("top_k").asInt()).isEqualTo(40);
        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).path("top_k").asInt()).isEqualTo(40);
        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).has("top_k")).isFalse();
    }

    @Test
    void givenToolCallAnswer_whenExecuted_thenReturnsToolCallsAndSendsTools() throws Exception {
        server.enqueue(json(200, """
                {"id":"chatcmpl-abc","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,
                   "tool_calls":[{"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function",
                     "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}}],
                   "refusal":null},"logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99,
                   "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"""));
        JsonNode params = JSON.readTree("{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}");
        ChatRequest request = ChatRequest.builder("gpt-4o")
                .addMessage(Message.user("Weather in Paris?"))
                .tools(List.of(new Tool("get_weather", Optional.of("Current weather"), params, false)))
                .toolChoice(JSON.readTree("\"auto\""))
                .build();

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").execute(request, ctx);

        assertThat(r.toolCalls()).containsExactly(
                new ToolCall("call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather", "{\"location\":\"Paris, France\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(body.get("tools").toString()).isEqualTo("[{\"type\":\"function\",\"function\":{"
                + "\"name\":\"get_weather\",\"description\":\"Current weather\",\"parameters\":" + params + "}}]");
        assertThat(body.get("tool_choice").asText()).isEqualTo("auto");
    }

    @Test
    void givenNoUsageInAnswer_whenExecuted_thenCountsLocallyAndMarksEstimated() {
        server.enqueue(json(200, """
                {"id":"cmpl-1","object":"chat.completion","created":1,"model":"local-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"four char words"},
                 "finish_reason":"stop"}]}"""));

        ChatResponse r = model(OpenAiCompatibleEndpoint.custom("vllm", "http://unused"), "local-model")
                .execute(ChatRequest.of("local-model", "count me"), ctx);

        assertThat(r.usage().estimated()).isTrue();
        assertThat(r.usage().outputTokens()).isEqualTo(4); // 15 characters at about 4 per token
        assertThat(r.usage().inputTokens()).isPositive();
    }

    @Test
    void givenAnswerFromAnotherModel_whenExecuted_thenFlagsDowngradeAndCountsIt() {
        server.enqueue(json(200, COMPLETION.replace("gpt-4o-mini-2024-07-18", "google/gemini-2.5-flash")));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENROUTER, "google/gemini-2.5-pro")
                .execute(ChatRequest.of("google/gemini-2.5-pro", "hi"), ctx);

        assertThat(r.modelDowngraded()).isTrue();
        assertThat(r.model()).isEqualTo("google/gemini-2.5-flash");
        assertThat(registry.get("costwise.model.downgrades").tag("requested", "google/gemini-2.5-pro")
                .tag("answered", "google/gemini-2.5-flash").counter().count()).isEqualTo(1.0);
    }

    @Test
    void givenRateLimitHeaders_whenExecuted_thenPublishesSnapshot() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .addHeader("x-ratelimit-limit-requests", "10000")
                .addHeader("x-ratelimit-remaining-requests", "9999")
                .addHeader("x-ratelimit-reset-requests", "6m0s")
                .addHeader("x-ratelimit-limit-tokens", "30000000")
                .addHeader("x-ratelimit-remaining-tokens", "29999000")
                .addHeader("x-ratelimit-reset-tokens", "2ms")
                .body(COMPLETION).build());

        model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(ChatRequest.of("gpt-4o-mini", "hi"), ctx);

        assertThat(snapshots).singleElement().satisfies(s -> {
            assertThat(s.provider()).isEqualTo("openai");
            assertThat(s.model()).isEqualTo("gpt-4o-mini");
            assertThat(s.requestLimit()).hasValue(10000);
            assertThat(s.requestsRemaining()).hasValue(9999);
            assertThat(s.requestsReset()).contains(Duration.ofMinutes(6));
            assertThat(s.tokenLimit()).hasValue(30_000_000);
            assertThat(s.tokensRemaining()).hasValue(29_999_000);
            assertThat(s.tokensReset()).contains(Duration.ofMillis(2));
        });
    }

    // ------------------------------------------------------------------ errors

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(400, """
                        {"error":{"message":"Invalid value for 'temperature': expected a number.",
                        "type":"invalid_request_error","param":"temperature","code":"invalid_value"}}""",
                        ProviderException.InvalidRequest.class),
                Arguments.of(400, """
                        {"error":{"message":"This model's maximum context length is 128000 tokens. However, your \
                        messages resulted in 130512 tokens. Please reduce the length of the messages.",
                        "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""",
                        ProviderException.ContextLengthExceeded.class),
                Arguments.of(401, """
                        {"error":{"message":"Incorrect API key provided: sk-test-***********CRET. You can find your \
                        API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error",
                        "param":null,"code":"invalid_api_key"}}""",
                        ProviderException.AuthenticationFailed.class),
                Arguments.of(402, """
                        {"error":{"code":402,"message":"This request requires more credits, or fewer max_tokens. \
                        You requested up to 4096 tokens, but can only afford 1000."}}""",
                        ProviderException.QuotaExhausted.class),
                Arguments.of(403, """
                        {"error":{"message":"Project `proj_abc` does not have access to model `o1-pro`",
                        "type":"invalid_request_error","param":null,"code":"model_not_found"}}""",
                        ProviderException.PermissionDenied.class),
                Arguments.of(403, """
                        {"error":{"code":403,"message":"openai/gpt-4o requires moderation on OpenAI. Your input was \
                        flagged for \\"harassment\\". No credits were charged.","metadata":{"reasons":["harassment"],
                        "flagged_input":"...","provider_name":"OpenAI","model_slug":"openai/gpt-4o"}}}""",
                        ProviderException.ContentFiltered.class),
                Arguments.of(404, """
                        {"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.",
                        "type":"invalid_request_error","param":null,"code":"model_not_found"}}""",
                        ProviderException.NotFound.class),
                Arguments.of(408, """
                        {"error":{"code":408,"message":"Request timed out"}}""",
                        ProviderException.ProviderTimeout.class),
                Arguments.of(413, """
                        {"error":{"message":"Request too large for model `llama-3.1-8b-instant` on tokens per minute \
                        (TPM): Limit 6000, Requested 9000, please reduce your message size and try again.",
                        "type":"tokens","code":"rate_limit_exceeded"}}""",
                        ProviderException.ContextLengthExceeded.class),
                Arguments.of(422, """
                        {"error":{"message":"Unprocessable Entity: response_format.json_schema is invalid",
                        "type":"invalid_request_error"}}""",
                        ProviderException.InvalidRequest.class),
                // Hugging Face TGI (router/validation in text-generation-inference), as the HF router relays it
                Arguments.of(422, """
                        {"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. \
                        Given: 8000 `inputs` tokens and 1000 `max_new_tokens`","error_type":"validation"}""",
                        ProviderException.ContextLengthExceeded.class),
                Arguments.of(400, """
                        {"error":{"message":"Input validation error: `inputs` must have less than 4096 tokens. \
                        Given: 5000","http_status_code":422}}""",
                        ProviderException.ContextLengthExceeded.class),
                Arguments.of(429, """
                        {"error":{"message":"You exceeded your current quota, please check your plan and billing \
                        details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""",
                        ProviderException.QuotaExhausted.class),
                Arguments.of(500, """
                        {"error":{"message":"The server had an error while processing your request. Sorry about \
                        that!","type":"server_error","param":null,"code":null}}""",
                        ProviderException.ServerError.class),
                Arguments.of(502, """
                        {"error":{"code":502,"message":"Provider returned error","metadata":{"raw":"upstream \
                        connect error","provider_name":"Together"}}}""",
                        ProviderException.ServerError.class),
                Arguments.of(503, """
                        {"error":{"message":"The engine is currently overloaded, please try again later.",
                        "type":"server_error","param":null,"code":null}}""",
                        ProviderException.Overloaded.class),
                Arguments.of(529, """
                        {"error":{"message":"Overloaded","type":"overloaded_error"}}""",
                        ProviderException.Overloaded.class),
                Arguments.of(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>",
                        ProviderException.ProviderTimeout.class));
    }

    @ParameterizedTest(name = "HTTP {0} -> {2}")
    @MethodSource("errors")
    void givenProviderError_whenExecuted_thenMapsToTypedExceptionAndRecordsFailedAttempt(int status, String body,
            Class<? extends ProviderException> expected) {
        server.enqueue(json(status, body));

        ProviderException e = catchThrowableOfType(ProviderException.class, () ->
                model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").execute(ChatRequest.of("gpt-4o", "hi"), ctx));

        assertThat(e).isInstanceOf(expected);
        assertThat(e.status()).hasValue(status);
        assertThat(e.provider()).isEqualTo("openai");
        assertThat(e.model()).isEqualTo("gpt-4o");
        assertThat(e.providerRequestId()).contains("req_abc123");
        assertThat(e.getMessage()).contains("openai gpt-4o").doesNotContain(KEY).doesNotContain("sk-test-");
        assertThat(costRecords()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.cost()).isEqualTo(Money.ZERO);
            assertThat(c.errorKind()).contains(e.kind());
        });
    }

    @Test
    void givenA400NamingAFieldAndACode_whenExecuted_thenTheExceptionCarriesBoth() {
        server.enqueue(json(400, """
                {"error":{"message":"Invalid 'messages[0].content': string too long.","type":"invalid_request_error",
                "param":"messages[0].content","code":"string_above_max_length"}}"""));

        ProviderException e = catchThrowableOfType(ProviderException.class, () ->
                model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").execute(ChatRequest.of("gpt-4o", "hi"), ctx));

        assertThat(e.param()).hasValue("messages[0].content");
        assertThat(e.providerCode()).hasValue("string_above_max_length");
    }

    @Test
    void given429WithRetryAfter_whenExecuted_thenRateLimitedExposesRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("retry-after", "20")
                .addHeader("x-ratelimit-limit-requests", "3")
                .addHeader("x-ratelimit-remaining-requests", "0")
                .addHeader("x-ratelimit-reset-requests", "20s")
                .body("""
                        {"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-abc on requests \
                        per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.","type":"requests",
                        "param":null,"code":"rate_limit_exceeded"}}""").build());

        ProviderException.RateLimited e = catchThrowableOfType(ProviderException.RateLimited.class, () ->
                model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(ChatRequest.of("m", "hi"), ctx));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
        assertThat(e.isTransient()).isTrue();
        assertThat(e.getMessage()).contains("Rate limit reached").contains("retry after 20000 ms");
        assertThat(snapshots).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(429);
            assertThat(s.requestsRemaining()).hasValue(0);
            assertThat(s.retryAfter()).contains(Duration.ofSeconds(20));
        });
    }

    @Test
    void given429WithoutRetryAfter_whenExecuted_thenTheSpentLimitsResetIsTheWait() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("x-ratelimit-remaining-requests", "0")
                .addHeader("x-ratelimit-reset-requests", "1s")
                .addHeader("x-ratelimit-remaining-tokens", "29000")
                .addHeader("x-ratelimit-reset-tokens", "6m0s")
                .body("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")
                .build());

        ProviderException.RateLimited e = catchThrowableOfType(ProviderException.RateLimited.class, () ->
                model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(ChatRequest.of("m", "hi"), ctx));

        assertThat(e.retryAfter()).as("the requests' limit is the one spent").contains(Duration.ofSeconds(1));
    }

    @Test
    void given429WithRetryAfterMs_whenExecuted_thenMillisecondsWin() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("retry-after-ms", "1500")
                .addHeader("retry-after", "2")
                .body("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")
                .build());

        ProviderException.RateLimited e = catchThrowableOfType(ProviderException.RateLimited.class, () ->
                model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini").execute(ChatRequest.of("m", "hi"), ctx));

        assertThat(e.retryAfter()).contains(Duration.ofMillis(1500));
    }

    @Test
    void givenErrorInside200_whenExecuted_thenMapsTheEmbeddedError() {
        server.enqueue(json(200, """
                {"error":{"message":"Provider returned error","code":502,
                 "metadata":{"raw":"upstream connect error","provider_name":"Chutes"}},"user_id":"user_abc"}"""));

        ProviderException e = catchThrowableOfType(ProviderException.class, () ->
                model(OpenAiCompatibleEndpoint.OPENROUTER, "deepseek/deepseek-r1")
                        .execute(ChatRequest.of("m", "hi"), ctx));

        assertThat(e).isInstanceOf(ProviderException.ServerError.class);
        assertThat(e.status()).as("the response was a 200; 502 is the error's code").isEmpty();
        assertThat(e.providerCode()).contains("502");
        assertThat(e.getMessage()).endsWith("Provider returned error (error in the body of an HTTP 200 response)");
    }

    @Test
    void givenErrorInside200WithUsage_whenExecuted_thenTheFailedAttemptIsBilledTheReportedUsage() {
        server.enqueue(json(200, """
                {"id":"gen-1","model":"deepseek/deepseek-r1","choices":[{"index":0,"finish_reason":"error",
                 "message":{"role":"assistant","content":""}}],
                 "error":{"message":"Provider returned error","code":502},
                 "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500}}"""));

        ProviderException e = catchThrowableOfType(ProviderException.class, () ->
                model(OpenAiCompatibleEndpoint.OPENROUTER, "deepseek/deepseek-r1")
                        .execute(ChatRequest.of("m", "hi"), ctx));

        assertThat(e).isInstanceOf(ProviderException.ServerError.class);
        assertThat(e.billedUsage()).contains(Usage.of(1200, 300));
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.cost()).isEqualTo(TestPricers.cost(1200, 0, 300));
        });
    }

    // ------------------------------------------------------------------ OpenRouter's reported cost

    /**
     * An OpenRouter answer as https://openrouter.ai/docs/use-cases/usage-accounting documents it: {@code usage.cost}
     * (credits charged, in USD), {@code is_byok} and {@code cost_details}. {@code usage} is the object's inside.
     */
    private static String openRouterAnswer(String usage) {
        return """
                {"id":"gen-1772036036-03sYeRNNFhHlQjQZpj70","provider":"Google","model":"google/gemini-2.5-flash",
                 "object":"chat.completion","created":1772036042,
                 "choices":[{"logprobs":null,"finish_reason":"stop","native_finish_reason":"STOP","index":0,
                   "message":{"role":"assistant","content":"Hi!","refusal":null,"reasoning":null}}],
                 "usage":{%s}}""".formatted(usage);
    }

    /** More digits than a double holds: read through one, the amount would not come back as written. */
    private static final String CHARGED = "0.00090560000000000000123";

    @Test
    void givenOpenRouterAnswerWithCost_whenExecuted_thenTheCallCostsExactlyWhatOpenRouterCharged() {
        server.enqueue(json(200, openRouterAnswer("""
                "prompt_tokens":2,"completion_tokens":362,"total_tokens":364,"cost":%s,"is_byok":false,
                "prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":0,"audio_tokens":0},
                "cost_details":{"upstream_inference_cost":%s,"upstream_inference_prompt_cost":6e-07,
                  "upstream_inference_completions_cost":0.000905},
                "completion_tokens_details":{"reasoning_tokens":356,"image_tokens":0}""".formatted(CHARGED, CHARGED))));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENROUTER, "google/gemini-2.5-flash")
                .execute(ChatRequest.of("google/gemini-2.5-flash", "hi"), ctx);

        assertThat(r.cost().toBigDecimal()).isEqualByComparingTo(CHARGED);
        assertThat(r.cost()).isNotEqualTo(TestPricers.cost(2, 0, 362));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
        assertThat(r.usage().reportedCost()).hasValue(Money.of(CHARGED));
        assertThat(costRecords()).singleElement().satisfies(c -> {
            assertThat(c.cost()).isEqualTo(Money.of(CHARGED));
            assertThat(c.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
        });
    }

    @Test
    void givenByokAnswer_whenExecuted_thenTheCallCostsOpenRoutersFeePlusWhatTheUpstreamCharged() {
        // BYOK: cost is OpenRouter's fee from the credits; the upstream provider billed the caller's own key the rest
        server.enqueue(json(200, openRouterAnswer("""
                "prompt_tokens":2000,"completion_tokens":100,"total_tokens":2100,"cost":0.0012,"is_byok":true,
                "cost_details":{"upstream_inference_cost":0.0345}""")));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENROUTER, "google/gemini-2.5-flash")
                .execute(ChatRequest.of("m", "hi"), ctx);

        assertThat(r.cost()).isEqualTo(Money.of("0.0357"));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
    }

    @Test
    void givenByokAnswerWithoutTheUpstreamCharge_whenExecuted_thenItIsPricedFromTheCatalog() {
        server.enqueue(json(200, openRouterAnswer("""
                "prompt_tokens":2000,"completion_tokens":100,"total_tokens":2100,"cost":0.0012,"is_byok":true""")));

        ChatResponse r = model(OpenAiCompatibleEndpoint.OPENROUTER, "google/gemini-2.5-flash")
                .execute(ChatRequest.of("m", "hi"), ctx);

        assertThat(r.cost()).isEqualTo(TestPricers.cost(2000, 0, 100));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PRICED);
    }

    @Test
    void givenANegativeCost_whenExecuted_thenMalformedResponseNamesTheField() {
        server.enqueue(json(200, openRouterAnswer("\"prompt_tokens\":2,\"completion_tokens\":3,\"cost\":-0.5")));

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.OPENROUTER, "google/gemini-2.5-flash")
                .execute(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("usage.cost: cannot be negative, was -0.5");
    }

    @Test
    void givenErrorInside200WithUsageAndCost_whenExecuted_thenTheFailedAttemptIsBilledTheReportedCost() {
        server.enqueue(json(200, """
                {"id":"gen-1","model":"deepseek/deepseek-r1","choices":[{"index":0,"finish_reason":"error",
                 "message":{"role":"assistant","content":""}}],
                 "error":{"message":"Provider returned error","code":502},
                 "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,"cost":0.00123456789}}"""));

        ProviderException e = catchThrowableOfType(ProviderException.class, () ->
                model(OpenAiCompatibleEndpoint.OPENROUTER, "deepseek/deepseek-r1")
                        .execute(ChatRequest.of("m", "hi"), ctx));

        assertThat(e.billedUsage()).hasValueSatisfying(u ->
                assertThat(u.reportedCost()).hasValue(Money.of("0.00123456789")));
        assertThat(costRecords()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.cost()).isEqualTo(Money.of("0.00123456789"));
            assertThat(r.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
        });
    }

    @Test
    void givenOpenRouterStreamWhoseLastChunkReportsTheCost_whenRead_thenTheStreamCostsExactlyThat() {
        // https://openrouter.ai/docs/use-cases/usage-accounting: usage, cost included, is in the last SSE message
        server.enqueue(eventStream(": OPENROUTER PROCESSING\n\n" + sse(
                "{\"id\":\"gen-9\",\"object\":\"chat.completion.chunk\",\"model\":\"openai/gpt-4o\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                        + "\"finish_reason\":null}]}",
                "{\"id\":\"gen-9\",\"object\":\"chat.completion.chunk\",\"model\":\"openai/gpt-4o\","
                        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                "{\"id\":\"gen-9\",\"object\":\"chat.completion.chunk\",\"model\":\"openai/gpt-4o\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":194,\"completion_tokens\":2,"
                        + "\"total_tokens\":196,\"cost\":" + CHARGED + ",\"is_byok\":false,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
                "[DONE]")));

        ChatResponse r;
        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENROUTER, "openai/gpt-4o")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            s.forEachRemaining(c -> { });
            r = s.response();
        }

        assertThat(r.cost().toBigDecimal()).isEqualByComparingTo(CHARGED);
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PROVIDER_REPORTED);
        assertThat(costRecords()).singleElement().extracting(CostRecord::cost).isEqualTo(Money.of(CHARGED));
    }

    @Test
    void givenMalformedBody_whenExecuted_thenMalformedResponse() {
        server.enqueue(json(200, "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"trunc"));

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .execute(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void givenAnswerWithoutChoices_whenExecuted_thenMalformedResponseNamesTheField() {
        server.enqueue(json(200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}"));

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .execute(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.MalformedResponse.class)
                .hasMessageContaining("choices: expected at least one choice");
    }

    @Test
    void givenSlowResponse_whenReadTimeoutPasses_thenProviderTimeout() {
        transport = HelidonHttpTransport.builder().readTimeout(Duration.ofMillis(200)).build();
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).body(COMPLETION)
                .build());

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .execute(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessageContaining("read timed out after 200 ms");
        assertThat(costRecords()).singleElement().extracting(CostRecord::errorKind).isEqualTo(Optional.of("timeout"));
    }

    @Test
    void givenUnreachableServer_whenExecuted_thenConnectionFailed() {
        server.close();

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .execute(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.ConnectionFailed.class)
                .hasMessageNotContaining(KEY);
    }

    // ------------------------------------------------------------------ streaming

    private static final String STREAM_WITH_USAGE = sse(
            "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{"
                    + "\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                    + "\"finish_reason\":null}],\"usage\":null}",
            "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                    + "\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}",
            "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                    + "\" world\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}",
            "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{},"
                    + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}",
            "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":2048,"
                    + "\"completion_tokens\":2,\"total_tokens\":2050,\"prompt_tokens_details\":{\"cached_tokens\":"
                    + "1920},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
            "[DONE]");

    @Test
    void givenStreamWithUsageChunk_whenRead_thenAssemblesResponseWithCachedTokensAndCost() throws Exception {
        server.enqueue(eventStream(STREAM_WITH_USAGE));
        List<ChatChunk> chunks = new ArrayList<>();

        ChatResponse r;
        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini")
                .stream(ChatRequest.of("gpt-4o-mini", "Say hello"), ctx)) {
            s.forEachRemaining(chunks::add);
            r = s.response();
        }

        assertThat(chunks).extracting(ChatChunk::contentDelta).containsExactly("", "Hello", " world", "", "");
        assertThat(r.text()).isEqualTo("Hello world");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(2048, 1920, 0, 2, 0, false));
        assertThat(r.cost()).isEqualTo(TestPricers.cost(128, 1920, 2));
        assertThat(r.id()).isEqualTo("chatcmpl-123");
        assertThat(costRecords()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.SUCCESS);
        JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
    }

    @Test
    void givenStreamReadToDone_whenNextCallMade_thenConnectionIsReused() throws Exception {
        server.enqueue(eventStream(STREAM_WITH_USAGE));
        server.enqueue(json(200, COMPLETION));
        OpenAiCompatibleChatModel m = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini");

        try (ChatStream s = m.stream(ChatRequest.of("m", "hi"), ctx)) {
            s.forEachRemaining(c -> { });
        }
        m.execute(ChatRequest.of("m", "again"), ctx);

        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        assertThat(second.getExchangeIndex()).isEqualTo(1);
    }

    @Test
    void givenStreamedToolCall_whenRead_thenAssemblesArgumentsFromDeltas() {
        server.enqueue(eventStream(sse(
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":"
                        + "\"call_abc\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                        + "\"\"}}]},\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"loca\"}}]},"
                        + "\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"tion\\\":\\\"Paris\\\"}\"}}]},"
                        + "\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "[DONE]")));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .stream(ChatRequest.of("gpt-4o", "weather?"), ctx)) {
            s.forEachRemaining(c -> { });
            assertThat(s.response().toolCalls())
                    .containsExactly(new ToolCall("call_abc", "get_weather", "{\"location\":\"Paris\"}"));
            assertThat(s.response().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(s.response().usage().estimated()).isTrue();
        }
    }

    @Test
    void givenOpenRouterCommentsInStream_whenRead_thenIgnoresThem() {
        server.enqueue(eventStream(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n" + STREAM_WITH_USAGE));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENROUTER, "openai/gpt-4o-mini")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            s.forEachRemaining(c -> { });
            assertThat(s.response().text()).isEqualTo("Hello world");
        }
    }

    @Test
    void givenOpenRouterCommentsInStream_whenAKeepAliveListenerIsSet_thenItHearsEachComment() {
        server.enqueue(eventStream(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n" + STREAM_WITH_USAGE));
        List<String> heard = new ArrayList<>();

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENROUTER, "openai/gpt-4o-mini")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            s.onKeepAlive(() -> heard.add("comment"));
            s.forEachRemaining(c -> heard.add("chunk"));
        }

        assertThat(heard.subList(0, 3)).containsExactly("comment", "comment", "chunk");
    }

    @Test
    void givenAKeepAliveListenerThatThrows_whenAKeepAliveIsRead_thenTheReaderGetsItsExceptionAsItIs() {
        server.enqueue(eventStream(": OPENROUTER PROCESSING\n\n" + STREAM_WITH_USAGE));
        IllegalStateException gone = new IllegalStateException("the relay's client has gone");

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENROUTER, "openai/gpt-4o-mini")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            s.onKeepAlive(() -> {
                throw gone;
            });
            assertThatThrownBy(s::hasNext).isSameAs(gone);
        }
    }

    /** A body that ends where the server closes the connection (no Content-Length, no chunking: RFC 9112 6.3). */
    private static MockResponse closeDelimited(String body) {
        return eventStream(body).newBuilder().removeHeader("Content-Length").setHeader("Connection", "close")
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build();
    }

    @Test
    void givenStreamEndedByClosingTheConnection_whenRead_thenItEndsAtDoneAndACutOneIsStillTruncated() {
        server.enqueue(closeDelimited(STREAM_WITH_USAGE));
        server.enqueue(closeDelimited(sse(
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\"Partial answer that\"},\"finish_reason\":null}]}")));
        OpenAiCompatibleChatModel m = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini");

        try (ChatStream s = m.stream(ChatRequest.of("gpt-4o-mini", "Say hello"), ctx)) {
            s.forEachRemaining(c -> { });
            assertThat(s.response().usage()).isEqualTo(new Usage(2048, 1920, 0, 2, 0, false));
        }
        try (ChatStream s = m.stream(ChatRequest.of("gpt-4o-mini", "hi"), ctx)) {
            assertThatThrownBy(() -> s.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.ConnectionFailed.class).hasMessageContaining("truncated");
        }
    }

    @Test
    void givenTruncatedStream_whenRead_thenConnectionFailedAndFailedRecordWithProducedTokens() {
        server.enqueue(eventStream(sse(
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\"Partial answer that\"},\"finish_reason\":null}]}")));

        ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").stream(ChatRequest.of("m", "hi"), ctx);
        assertThat(s.next().contentDelta()).isEqualTo("Partial answer that");
        assertThatThrownBy(s::hasNext)
                .isInstanceOf(ProviderException.ConnectionFailed.class)
                .hasMessageContaining("truncated");
        s.close();

        assertThat(costRecords()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.usage().estimated()).isTrue();
            assertThat(c.usage().outputTokens()).isEqualTo(5);
            assertThat(c.cost().isPositive()).isTrue();
        });
        assertThatThrownBy(s::response).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not been read to its end");
    }

    @Test
    void givenAnErrorEventWithNoCodeIn200Stream_whenRead_thenServerErrorThatClaimsNoStatusNeverSent() {
        server.enqueue(eventStream(sse(
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                        + "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                        + "\"finish_reason\":null}]}",
                "{\"error\":{\"message\":\"The server had an error while processing your request.\","
                        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}")));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").stream(ChatRequest.of("m", "hi"), ctx)) {
            s.next();
            ProviderException e = catchThrowableOfType(ProviderException.class, s::next);

            assertThat(e).isInstanceOf(ProviderException.ServerError.class);
            assertThat(e.status()).isEmpty();
            assertThat(e.getMessage()).isEqualTo("openai gpt-4o: server error: The server had an error while "
                    + "processing your request. (error event in an HTTP 200 stream)");
        }
    }

    @Test
    void givenARateLimitErrorEventIn200Stream_whenRead_thenStillRateLimited() {
        server.enqueue(eventStream(sse("{\"error\":{\"message\":\"Rate limit reached for gpt-4o\","
                + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}")));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThatThrownBy(s::next).isInstanceOf(ProviderException.RateLimited.class)
                    .hasMessageEndingWith("Rate limit reached for gpt-4o (error event in an HTTP 200 stream)")
                    .satisfies(e -> assertThat(((ProviderException) e).status()).isEmpty());
        }
    }

    /**
     * Hugging Face TGI's validation error as it streams it, the first event of a stream opened with 200
     * (text-generation-inference's router: an {@code error} with its {@code error_type}; newer versions an object
     * with the {@code http_status_code} the error stands for): the 422 it answers unstreamed, not a server error.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 "
                + "`inputs` tokens and 500 `max_new_tokens`\",\"error_type\":\"validation\"}",
        "{\"error\":{\"message\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. "
                + "Given: 4000 `inputs` tokens and 500 `max_new_tokens`\",\"http_status_code\":422}}"})
    void givenTgiValidationErrorEventIn200Stream_whenRead_thenContextLengthExceeded(String event) {
        server.enqueue(eventStream(sse(event)));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.HUGGING_FACE, "meta-llama/Llama-3.3-70B-Instruct")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThatThrownBy(s::next).isInstanceOf(ProviderException.ContextLengthExceeded.class)
                    .hasMessageContaining("must be <= 4096");
        }
    }

    @Test
    void givenTgiValidationErrorEventThatIsNoContextLength_whenRead_thenInvalidRequest() {
        server.enqueue(eventStream(sse("{\"error\":\"Input validation error: `temperature` must be strictly "
                + "positive\",\"error_type\":\"validation\"}")));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.HUGGING_FACE, "meta-llama/Llama-3.3-70B-Instruct")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThatThrownBy(s::next).isInstanceOf(ProviderException.InvalidRequest.class);
        }
    }

    @Test
    void givenSseErrorEventMidStream_whenRead_thenMapsTheError() {
        // https://openrouter.ai/docs/api-reference/streaming: "Handling Errors During Streaming"
        server.enqueue(eventStream(sse(
                "{\"id\":\"cmpl-abc123\",\"object\":\"chat.completion.chunk\",\"created\":1234567890,"
                        + "\"model\":\"openai/gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                        + "\"finish_reason\":null}]}",
                "{\"id\":\"cmpl-abc123\",\"object\":\"chat.completion.chunk\",\"created\":1234567890,"
                        + "\"model\":\"openai/gpt-4o\",\"provider\":\"openai\",\"error\":{\"code\":\"server_error\","
                        + "\"message\":\"Provider disconnected unexpectedly\"},\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"content\":\"\"},\"finish_reason\":\"error\"}]}")));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENROUTER, "openai/gpt-4o")
                .stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThat(s.next().contentDelta()).isEqualTo("Hi");
            assertThatThrownBy(s::next)
                    .isInstanceOf(ProviderException.ServerError.class)
                    .hasMessageContaining("Provider disconnected unexpectedly");
        }
        assertThat(costRecords()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
    }

    @Test
    void givenStreamErrorStatus_whenOpened_thenThrowsMappedErrorBeforeFirstChunk() {
        server.enqueue(json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                + "\"code\":\"rate_limit_exceeded\"}}"));

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.GROQ, "llama-3.1-8b-instant")
                .stream(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.RateLimited.class);
        assertThat(costRecords()).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
    }

    @Test
    void givenMalformedStreamEvent_whenRead_thenMalformedResponse() {
        server.enqueue(eventStream(sse("{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"x\"")));

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o").stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.MalformedResponse.class)
                    .hasMessageContaining("stream event is not JSON");
        }
    }

    @Test
    void givenFirstTokenNeverComes_whenStreamed_thenFirstTokenTimeout() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .bodyDelay(3, TimeUnit.SECONDS).body(STREAM_WITH_USAGE).build());
        OpenAiCompatibleChatModel m = builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .streamTimeouts(StreamTimeouts.of(Duration.ofMillis(200), Duration.ofSeconds(30))).build();

        try (ChatStream s = m.stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThatThrownBy(s::hasNext)
                    .isInstanceOf(ProviderException.ProviderTimeout.class)
                    .hasMessageContaining("first token timed out after 200 ms");
        }
        assertThat(costRecords()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.cost()).isEqualTo(Money.ZERO);
        });
    }

    @Test
    void givenHeadersNeverCome_whenStreamed_thenFirstTokenTimeoutWhileOpening() {
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS)
                .body(STREAM_WITH_USAGE).build());
        OpenAiCompatibleChatModel m = builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .streamTimeouts(StreamTimeouts.of(Duration.ofMillis(200), Duration.ofSeconds(30))).build();

        ProviderException.ProviderTimeout e = catchThrowableOfType(ProviderException.ProviderTimeout.class,
                () -> m.stream(ChatRequest.of("m", "hi"), ctx));

        assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(e).hasMessageContaining("first token");
    }

    @Test
    void givenStreamOutlastingTotal_whenRead_thenTotalTimeout() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .bodyDelay(3, TimeUnit.SECONDS).body(STREAM_WITH_USAGE).build());
        OpenAiCompatibleChatModel m = builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .streamTimeouts(new StreamTimeouts(Optional.empty(), Optional.of(Duration.ofMillis(300)))).build();

        try (ChatStream s = m.stream(ChatRequest.of("m", "hi"), ctx)) {
            assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ProviderTimeout.class)
                    .hasMessageContaining("stream timed out after 300 ms");
        }
    }

    @Test
    void givenContextDeadline_whenStreamed_thenTotalIsNarrowedToIt() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .bodyDelay(3, TimeUnit.SECONDS).body(STREAM_WITH_USAGE).build());
        WorkflowContext shortCtx = WorkflowContext.builder("test").timeout(Duration.ofMillis(300)).build();

        try (ChatStream s = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .stream(ChatRequest.of("m", "hi"), shortCtx)) {
            assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ProviderTimeout.class)
                    .hasMessageContaining("stream timed out");
        }
    }

    @Test
    void givenStreamClosedEarly_whenClosed_thenAbortsUpstreamAndRecordsAbortedWithTokensSoFar() throws Exception {
        String first = sse("{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + "\"Once upon a time\"},\"finish_reason\":null}]}");
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .throttleBody(first.length(), 2, TimeUnit.SECONDS).body(first.repeat(20) + sse("[DONE]")).build());
        server.enqueue(json(200, COMPLETION));
        OpenAiCompatibleChatModel m = model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o");

        ChatStream s = m.stream(ChatRequest.of("m", "tell a story"), ctx);
        assertThat(s.next().contentDelta()).isEqualTo("Once upon a time");
        s.close();
        s.close(); // idempotent

        assertThat(costRecords()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(c.usage().estimated()).isTrue();
            assertThat(c.usage().outputTokens()).isEqualTo(4);
            assertThat(c.cost()).isEqualTo(TestPricers.cost(c.usage().inputTokens(), 0, 4));
        });
        assertThat(s.hasNext()).isFalse();
        m.execute(ChatRequest.of("m", "next"), ctx);
        server.takeRequest();
        assertThat(server.takeRequest().getExchangeIndex())
                .as("the aborted connection was closed, so the next call opened a new one").isZero();
    }

    // ------------------------------------------------------------------ keys and configuration

    @Test
    void givenKeyInEnvironment_whenBuilt_thenSendsItAndNeverShowsIt() throws Exception {
        server.enqueue(json(200, COMPLETION));
        OpenAiCompatibleChatModel m = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .environment(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.url("/proxy/v1").toString()))
                .pricer(TestPricers.FIXED).transport(transport).build();

        m.execute(ChatRequest.of("m", "hi"), ctx);

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getTarget()).isEqualTo("/proxy/v1/chat/completions");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(m.toString()).doesNotContain(KEY);
        assertThat(ApiKey.of(KEY).toString()).doesNotContain(KEY).isEqualTo("ApiKey[redacted]");
    }

    @Test
    void givenNoKeyAnywhere_whenBuilt_thenErrorNamesTheVariable() {
        assertThatThrownBy(() -> OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.GROQ, "llama")
                .environment(Map.of()).pricer(TestPricers.FIXED).transport(transport).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no API key for groq: set GROQ_API_KEY, or call apiKey(...)");
    }

    @Test
    void givenAuthErrorEchoingTheKey_whenExecuted_thenMessageHasNoKey() {
        server.enqueue(json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));

        assertThatThrownBy(() -> model(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .execute(ChatRequest.of("m", "hi"), ctx))
                .isInstanceOf(ProviderException.AuthenticationFailed.class)
                .hasMessageContaining("Incorrect API key provided: [redacted]")
                .hasMessageNotContaining(KEY)
                .hasMessageNotContaining("0123456789abcdef");
    }

    static Stream<OpenAiCompatibleEndpoint> presets() {
        return Stream.of(OpenAiCompatibleEndpoint.OPENAI, OpenAiCompatibleEndpoint.GROQ,
                OpenAiCompatibleEndpoint.OPENROUTER, OpenAiCompatibleEndpoint.HUGGING_FACE);
    }

    @ParameterizedTest
    @MethodSource("presets")
    void givenARedirect_whenExecutedOrStreamed_thenAServerErrorNamingTheStatusAndNotTheLocation(
            OpenAiCompatibleEndpoint preset) {
        for (int i = 0; i < 2; i++) {
            server.enqueue(new MockResponse.Builder().code(307)
                    .addHeader("Location", "https://elsewhere.example/v1?key=LOCATIONSECRET")
                    .body("Redirecting to https://elsewhere.example/v1?key=LOCATIONSECRET").build());
        }
        OpenAiCompatibleChatModel model = model(preset, "m");

        for (ThrowingCallable call : List.<ThrowingCallable>of(() -> model.execute(ChatRequest.of("m", "hi"), ctx),
                () -> model.stream(ChatRequest.of("m", "hi"), ctx).forEachRemaining(c -> { }))) {
            assertThatThrownBy(call).isInstanceOfSatisfying(ProviderException.ServerError.class, e -> {
                assertThat(e.status()).hasValue(307);
                assertThat(e.getMessage()).contains("redirect (HTTP 307)").doesNotContain("LOCATIONSECRET");
            });
        }
        assertThat(server.getRequestCount()).as("a redirect is not followed").isEqualTo(2);
    }
}
