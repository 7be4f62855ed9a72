package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
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
import dev.costwise.llm.chat.ThinkingDelta;
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
import dev.costwise.llm.provider.http.RateLimitSnapshot;
import dev.costwise.llm.provider.http.StreamTimeouts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AnthropicChatModel} against a MockWebServer speaking the Messages API as documented:
 * https://docs.claude.com/en/api/messages (request and response),
 * https://docs.claude.com/en/docs/build-with-claude/streaming (events),
 * https://docs.claude.com/en/api/errors (error bodies and statuses),
 * https://docs.claude.com/en/api/rate-limits#response-headers (rate-limit headers).
 */
class AnthropicChatModelTest {

    private static final String KEY = "sk-ant-api03-SECRET-test-key-123";
    private static final String MODEL = "claude-sonnet-4-5";
    private static final Instant NOW = Instant.parse("2026-11-27T07:00:00Z");

    /** Claude Sonnet 4.5: $3 input, $0.30 cache read, $3.75 5-minute cache write, $15 output per million. */
    private static final Pricing SONNET = new Pricing(Money.of("3"), Money.of("0.30"), Money.of("3.75"),
            Money.of("6"), Money.of("15"), Optional.empty());

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final ObjectMapper json = new ObjectMapper();
    private final List<RateLimitSnapshot> snapshots = new ArrayList<>();

    private static final Pricer PRICER = (model, usage) -> new Pricer.Priced(
            SONNET.inputPerMillion().perMillion(usage.uncachedInputTokens())
                    .plus(SONNET.cachedInputPerMillion().perMillion(usage.cachedInputTokens()))
                    .plus(SONNET.cacheWrite5mPerMillion().perMillion(usage.cacheWrite5mTokens()))
                    .plus(SONNET.cacheWrite1hPerMillion().perMillion(usage.cacheWrite1hTokens()))
                    .plus(SONNET.outputPerMillion().perMillion(usage.outputTokens())),
            PriceStatus.PRICED);

    private AnthropicChatModel model(HelidonHttpTransport transport, StreamTimeouts timeouts) {
        AdapterSettings settings = AdapterSettings.builder("anthropic", MODEL).pricer(PRICER).transport(transport)
                .streamTimeouts(timeouts).rateLimitListener(snapshots::add)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        return AnthropicChatModel.builder(settings).apiKey(KEY).baseUrl(server.url("/").uri()).build();
    }

    private AnthropicChatModel model() {
        return model(HelidonHttpTransport.ofDefaults(), StreamTimeouts.NONE);
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
                .addHeader("request-id", "req_018EeWyXxfu5pfWkrYcMdjWG").body(body).build();
    }

    @Test
    void givenARequest_whenItsTokensAreCounted_thenAnthropicsCountEndpointGetsThePromptAndItsCountComesBack()
            throws Exception {
        // https://docs.claude.com/en/api/messages-count-tokens
        server.enqueue(json(200, "{\"input_tokens\":2095}"));
        server.enqueue(json(400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"messages: at least one message is required\"}}"));
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.system("Be brief."))
                .addMessage(Message.user("Hello")).maxTokens(100).temperature(0.5).build();

        assertThat(model().countTokens(request)).isEqualTo(2095);
        assertThatThrownBy(() -> model().countTokens(request)).isInstanceOf(ProviderException.InvalidRequest.class)
                .hasMessageContaining("at least one message");

        RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/messages/count_tokens");
        assertThat(sent.getHeaders().get("x-api-key")).isEqualTo(KEY);
        assertThat(sent.getHeaders().get("anthropic-version")).isNotBlank();
        assertThat(json.readTree(sent.getBody().utf8())).as("only the fields the endpoint takes").isEqualTo(
                json.readTree("""
                        {"model":"claude-sonnet-4-5","system":"Be brief.",
                         "messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}]}"""));
    }

    @Test
    void givenARequestWithThinking_whenItsTokensAreCounted_thenTheThinkingSettingIsCountedToo() throws Exception {
        // https://docs.claude.com/en/api/messages-count-tokens takes thinking, as messages do
        server.enqueue(json(200, "{\"input_tokens\":412}"));
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.user("Prove it."))
                .reasoning(Reasoning.budget(2048)).maxTokens(8000).build();

        assertThat(model().countTokens(request)).isEqualTo(412);

        JsonNode sent = json.readTree(server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertThat(sent.path("thinking")).isEqualTo(json.readTree("{\"type\":\"enabled\",\"budget_tokens\":2048}"));
        assertThat(sent.has("max_tokens")).isFalse();
    }

    @Test
    void givenContextEditing_whenSent_thenAnthropicGetsItWithItsBetaHeaderAndPlainRequestsDoNot() throws Exception {
        // https://platform.claude.com/docs/en/build-with-claude/context-editing
        server.enqueue(json(200, TEXT_REPLY));
        server.enqueue(json(200, TEXT_REPLY));
        JsonNode edits = json.readTree("""
                {"edits": [{"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 30000},
                            "keep": {"type": "tool_uses", "value": 3}}]}""");
        ChatRequest plain = ChatRequest.builder(MODEL).addMessage(Message.user("Hello")).build();

        model().execute(plain.toBuilder().contextManagement(Optional.of(edits)).build(), WorkflowContext.of("t"));
        model().execute(plain, WorkflowContext.of("t"));

        RecordedRequest editing = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(editing.getHeaders().get("anthropic-beta")).isEqualTo("context-management-2025-06-27");
        assertThat(json.readTree(editing.getBody().utf8()).path("context_management")).isEqualTo(edits);
        RecordedRequest without = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(without.getHeaders().get("anthropic-beta")).isNull();
        assertThat(json.readTree(without.getBody().utf8()).has("context_management")).isFalse();
    }

    @Test
    void givenTheCallersBetas_whenSentWithContextEditing_thenOneHeaderCarriesEachBetaOnce() throws Exception {
        // https://docs.claude.com/en/api/beta-headers: several betas go comma-separated in one anthropic-beta header
        server.enqueue(json(200, TEXT_REPLY));
        server.enqueue(json(200, "{\"input_tokens\":12}"));
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.user("Hello"))
                .anthropicBetas(List.of("interleaved-thinking-2025-05-14", "context-management-2025-06-27",
                        "interleaved-thinking-2025-05-14"))
                .contextManagement(Optional.of(json.readTree("{\"edits\":[{\"type\":\"clear_tool_uses_20250919\"}]}")))
                .build();

        model().execute(request, WorkflowContext.of("t"));
        model().countTokens(request);

        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("anthropic-beta"))
                .isEqualTo("interleaved-thinking-2025-05-14,context-management-2025-06-27");
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("anthropic-beta"))
                .as("a count gets the caller's betas").isEqualTo(
                        "interleaved-thinking-2025-05-14,context-management-2025-06-27");
    }

    @Test
    void givenThe1mContextBetaAndAPromptAbove200k_whenExecuted_thenTheCallIsPricedAtTheLongContextRates()
            throws Exception {
        // https://platform.claude.com/docs/en/about-claude/pricing#long-context-pricing: with context-1m-2025-08-07,
        // a Sonnet 4.5 prompt above 200K input tokens (cache reads and writes included) bills every token of the
        // call at $6 input, $0.60 cache read, $7.50 5-minute cache write and $22.50 output per million
        server.enqueue(json(200, """
                {"id":"msg_01Long","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"Summary."}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":150000,"cache_creation_input_tokens":10000,"cache_read_input_tokens":90000,
                          "output_tokens":2000}}"""));
        ModelCatalog catalog = ModelCatalog.bundled();
        AnthropicChatModel m = AnthropicChatModel.builder(MODEL).pricer(CatalogPricer.of(catalog)).catalog(catalog)
                .apiKey(KEY).baseUrl(server.url("/").uri()).build();
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.user("Summarise the repository."))
                .anthropicBetas(List.of("context-1m-2025-08-07")).build();

        ChatResponse r = m.execute(request, WorkflowContext.of("t"));

        assertThat(server.takeRequest().getHeaders().get("anthropic-beta")).isEqualTo("context-1m-2025-08-07");
        assertThat(r.usage().inputTokens()).isEqualTo(250_000);
        // 150,000 × $6 + 90,000 × $0.60 + 10,000 × $7.50 + 2,000 × $22.50 per million
        // = 0.9 + 0.054 + 0.075 + 0.045
        assertThat(r.cost()).isEqualTo(Money.of("1.074"));
    }

    private static final String TEXT_REPLY = """
            {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant",
             "model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"text","text":"Hi! My name is Claude."}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,
                      "output_tokens":89}}""";

    @Test
    void givenTextReplyWithCacheTokens_whenExecuted_thenNormalisedUsageAndExactCostAreRecorded() {
        server.enqueue(json(200, TEXT_REPLY));
        WorkflowContext ctx = WorkflowContext.of("test");

        ChatResponse r = model().execute(ChatRequest.of(MODEL, "Hello"), ctx);

        assertThat(r.text()).isEqualTo("Hi! My name is Claude.");
        assertThat(r.id()).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(r.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(r.modelDowngraded()).isFalse();
        assertThat(r.provider()).isEqualTo("anthropic");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.providerRequestId()).contains("req_018EeWyXxfu5pfWkrYcMdjWG");
        // input 472 uncached + 2000 cache read + 100 cache write
        assertThat(r.usage()).isEqualTo(new Usage(2572, 2000, 100, 89, 0, false));
        // 472×3 + 2000×0.30 + 100×3.75 + 89×15 = 1416 + 600 + 375 + 1335 = 3726 µ$
        assertThat(r.cost()).isEqualTo(Money.of("0.003726"));
        List<CostRecord> records = ctx.attributeValues("record", CostRecord.class);
        assertThat(records).singleElement().satisfies(rec -> {
            assertThat(rec.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(rec.cost()).isEqualTo(Money.of("0.003726"));
            assertThat(rec.usage().cachedInputTokens()).isEqualTo(2000);
        });
    }

    @Test
    void givenCacheWritesSplitByTtl_whenExecuted_thenOneHourWritesArePricedApart() {
        // usage.cache_creation splits writes by TTL: https://docs.claude.com/en/docs/build-with-claude/prompt-caching
        server.enqueue(json(200, """
                {"id":"msg_ttl","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":10,"cache_read_input_tokens":0,"cache_creation_input_tokens":3000,
                  "cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},
                  "output_tokens":20}}"""));

        ChatResponse r = model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"));

        assertThat(r.usage()).isEqualTo(new Usage(3010, 0, 3000, 2000, 20, 0, false));
        // 10×3 + 1000×3.75 + 2000×6 + 20×15 = 30 + 3750 + 12000 + 300 µ$ = $0.01608
        assertThat(r.cost()).isEqualTo(Money.of("0.01608"));
    }

    @Test
    void givenBundledCatalog_whenExecuted_thenCatalogPricesAndMaxOutputApply() throws Exception {
        server.enqueue(json(200, TEXT_REPLY));
        ModelCatalog catalog = ModelCatalog.bundled();
        AnthropicChatModel m = AnthropicChatModel.builder(MODEL).pricer(CatalogPricer.of(catalog)).catalog(catalog)
                .apiKey(KEY).baseUrl(server.url("/").uri()).build();

        ChatResponse r = m.execute(ChatRequest.of(MODEL, "Hello"), WorkflowContext.of("t"));

        // catalog claude-sonnet-4-5: the same $3 / $0.30 / $3.75 / $15 → 3726 µ$
        assertThat(r.cost()).isEqualTo(Money.of("0.003726"));
        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("max_tokens").asInt()).isEqualTo(64000);
    }

    @Test
    void givenSystemToolsAndImage_whenExecuted_thenTheRequestIsAnthropicShapedWithKeyAndVersionHeaders()
            throws Exception {
        server.enqueue(json(200, TEXT_REPLY));
        JsonNode schema = json.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
        Message user = new Message(Role.USER, List.of(ContentPart.text("What is in this image?"),
                ContentPart.image("data:image/jpeg;base64,/9j/4AAQSkZJRg==")), Optional.empty(), List.of(),
                Optional.empty());
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.system("You are terse."))
                .addMessage(user).tools(List.of(new Tool("get_weather", Optional.of("Weather"), schema, false)))
                .build();

        model().execute(request, WorkflowContext.of("test"));

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getMethod()).isEqualTo("POST");
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/messages");
        assertThat(sent.getHeaders().get("x-api-key")).isEqualTo(KEY);
        assertThat(sent.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode body = json.readTree(sent.getBody().utf8());
        assertThat(body).isEqualTo(json.readTree("""
                {"model":"claude-sonnet-4-5","max_tokens":4096,"system":"You are terse.",
                 "messages":[{"role":"user","content":[{"type":"text","text":"What is in this image?"},
                   {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQSkZJRg=="}}]}],
                 "tools":[{"name":"get_weather","description":"Weather","input_schema":
                   {"type":"object","properties":{"city":{"type":"string"}}}}]}"""));
    }

    @Test
    void givenAStrictJsonSchema_whenExecuted_thenClaudeGetsNativeStructuredOutputsAndTheJsonComesBackAsText()
            throws Exception {
        // https://platform.claude.com/docs/en/build-with-claude/structured-outputs: output_config.format, no beta
        // header; the answer is a text block holding the JSON
        server.enqueue(json(200, """
                {"id":"msg_01StructuredOut","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"{\\"name\\":\\"John Smith\\",\\"email\\":\\"john@example.com\\",\
                \\"demo_requested\\":true}"}],
                 "stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":210,"output_tokens":24}}"""));
        JsonNode schema = json.readTree("""
                {"type": "object", "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                 "demo_requested": {"type": "boolean"}}, "required": ["name", "email", "demo_requested"],
                 "additionalProperties": false}""");
        ChatRequest request = ChatRequest.builder(MODEL)
                .addMessage(Message.user("John Smith (john@example.com) wants a demo."))
                .responseFormat(new ResponseFormat.JsonSchema("contact", schema, true)).build();

        ChatResponse r = model().execute(request, WorkflowContext.of("t"));

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getHeaders().get("anthropic-beta")).isNull();
        JsonNode body = json.readTree(sent.getBody().utf8());
        assertThat(body.path("output_config")).isEqualTo(json.readTree(
                "{\"format\": {\"type\": \"json_schema\", \"schema\": " + schema + "}}"));
        assertThat(body.has("system")).as("no JSON instruction beside the native format").isFalse();
        assertThat(json.readTree(r.text())).isEqualTo(json.readTree(
                "{\"name\":\"John Smith\",\"email\":\"john@example.com\",\"demo_requested\":true}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(Usage.of(210, 24));
    }

    @Test
    void givenToolUseReply_whenExecuted_thenToolCallsAreReturnedWithArgumentsAsJsonText() throws Exception {
        server.enqueue(json(200, """
                {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"I'll check the weather."},
                   {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather",
                    "input":{"location":"San Francisco, CA","unit":"celsius"}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":384,"output_tokens":92}}"""));

        ChatResponse r = model().execute(ChatRequest.of(MODEL, "Weather in SF?"), WorkflowContext.of("t"));

        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
            assertThat(c.name()).isEqualTo("get_weather");
            assertThat(json.readTree(c.arguments()))
                    .isEqualTo(json.readTree("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"));
        });
        assertThat(r.usage()).isEqualTo(Usage.of(384, 92));
    }

    @Test
    void givenRequestWithoutMaxTokensAndCatalogDefault_whenBuiltWithDefaultMaxTokens_thenItIsSent()
            throws Exception {
        server.enqueue(json(200, TEXT_REPLY));
        AdapterSettings settings = AdapterSettings.builder("anthropic", MODEL).pricer(PRICER).build();
        AnthropicChatModel m = AnthropicChatModel.builder(settings).apiKey(KEY).baseUrl(server.url("/").uri())
                .defaultMaxTokens(64000).build();

        m.execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"));

        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("max_tokens").asInt()).isEqualTo(64000);
    }

    static Stream<Arguments> documentedErrors() {
        return Stream.of(
                Arguments.of(400, "invalid_request_error", "messages: roles must alternate",
                        ProviderException.InvalidRequest.class),
                Arguments.of(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum",
                        ProviderException.ContextLengthExceeded.class),
                Arguments.of(401, "authentication_error", "invalid x-api-key",
                        ProviderException.AuthenticationFailed.class),
                Arguments.of(403, "permission_error", "Your API key does not have permission to use the specified "
                        + "resource.", ProviderException.PermissionDenied.class),
                Arguments.of(404, "not_found_error", "model: claude-nonexistent", ProviderException.NotFound.class),
                Arguments.of(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.",
                        ProviderException.InvalidRequest.class),
                Arguments.of(500, "api_error", "Internal server error", ProviderException.ServerError.class),
                Arguments.of(529, "overloaded_error", "Overloaded", ProviderException.Overloaded.class));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("documentedErrors")
    void givenDocumentedErrorBody_whenExecuted_thenMappedToTypedExceptionWithStatusAndRequestId(int status,
            String type, String message, Class<? extends ProviderException> expected) {
        server.enqueue(json(status, "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\""
                + message + "\"},\"request_id\":\"req_018EeWyXxfu5pfWkrYcMdjWG\"}"));
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), ctx))
                .isInstanceOf(expected).hasMessageContaining(message).hasMessageNotContaining(KEY)
                .satisfies(e -> {
                    ProviderException p = (ProviderException) e;
                    assertThat(p.status()).hasValue(status);
                    assertThat(p.providerRequestId()).contains("req_018EeWyXxfu5pfWkrYcMdjWG");
                    assertThat(p.provider()).isEqualTo("anthropic");
                });
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.FAILED));
    }

    @Test
    void givenOutputTokensNearlySpentAndInputTokensPlentiful_whenAnswered_thenTheSnapshotCarriesTheOutputLimit() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("anthropic-ratelimit-input-tokens-limit", "30000")
                .addHeader("anthropic-ratelimit-input-tokens-remaining", "29000")
                .addHeader("anthropic-ratelimit-input-tokens-reset", "2026-11-27T07:00:02Z")
                .addHeader("anthropic-ratelimit-output-tokens-limit", "8000")
                .addHeader("anthropic-ratelimit-output-tokens-remaining", "400")
                .addHeader("anthropic-ratelimit-output-tokens-reset", "2026-11-27T07:00:05Z")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of "
                        + "output tokens has exceeded your per-minute rate limit\"}}").build());

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.RateLimited.class);
        assertThat(snapshots).singleElement().satisfies(s -> {
            assertThat(s.tokenLimit()).hasValue(8000);
            assertThat(s.tokensRemaining()).hasValue(400);
            assertThat(s.tokensReset()).contains(Duration.ofSeconds(5));
        });
    }

    @Test
    void givenRateLimitWithRetryAfterAndHeaders_whenExecuted_thenRateLimitedCarriesRetryAfterAndListenerHearsIt() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("retry-after", "17")
                .addHeader("anthropic-ratelimit-requests-limit", "50")
                .addHeader("anthropic-ratelimit-requests-remaining", "0")
                .addHeader("anthropic-ratelimit-requests-reset", "2026-11-27T07:00:17Z")
                .addHeader("anthropic-ratelimit-input-tokens-limit", "30000")
                .addHeader("anthropic-ratelimit-input-tokens-remaining", "29000")
                .addHeader("anthropic-ratelimit-input-tokens-reset", "2026-11-27T07:00:02Z")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of "
                        + "request tokens has exceeded your per-minute rate limit\"}}").build());

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(17)));
        assertThat(snapshots).singleElement().satisfies(s -> {
            assertThat(s.provider()).isEqualTo("anthropic");
            assertThat(s.status()).isEqualTo(429);
            assertThat(s.requestLimit()).hasValue(50);
            assertThat(s.requestsRemaining()).hasValue(0);
            assertThat(s.requestsReset()).contains(Duration.ofSeconds(17));
            assertThat(s.tokenLimit()).hasValue(30000);
            assertThat(s.tokensRemaining()).hasValue(29000);
            assertThat(s.tokensReset()).contains(Duration.ofSeconds(2));
            assertThat(s.retryAfter()).contains(Duration.ofSeconds(17));
        });
    }

    @Test
    void givenOverloaded529WithRetryAfter_whenExecuted_thenOverloadedIsTransientWithRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(529).addHeader("retry-after", "5")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")
                .build());

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.Overloaded.class, e -> {
                    assertThat(e.isTransient()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(5));
                });
    }

    @Test
    void givenA503WithTheCatchAllApiError_whenExecuted_thenOverloadedAsFromEveryProvider() {
        server.enqueue(json(503, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                + "\"message\":\"Service unavailable\"}}"));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.Overloaded.class)
                .satisfies(e -> assertThat(((ProviderException) e).kind()).isEqualTo("overloaded"));
    }

    @Test
    void givenSpendLimit429_whenExecuted_thenQuotaExhaustedNotRetryable() {
        server.enqueue(json(429, """
                {"type":"error","error":{"type":"rate_limit_error","message":"You have reached your specified API
                 usage limits.","details":{"error_code":"enforced_spend_limit_reached"}}}""".replace("\n", "")));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.QuotaExhausted.class,
                        e -> assertThat(e.isTransient()).isFalse());
    }

    @Test
    void givenNonJsonGatewayPage_whenExecuted_thenMappedByStatus() {
        server.enqueue(new MockResponse.Builder().code(502).body("<html>Bad Gateway</html>").build());

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.ServerError.class).hasMessageContaining("Bad Gateway")
                .hasMessageContaining("HTTP 502");
    }

    @Test
    void givenErrorBodyEchoingTheKey_whenExecuted_thenTheKeyIsRedacted() {
        server.enqueue(json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key " + KEY + "\"}}"));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.AuthenticationFailed.class).hasMessageNotContaining(KEY)
                .hasMessageContaining("[redacted]");
        assertThat(model().toString()).doesNotContain(KEY);
    }

    @Test
    void givenMalformedSuccessBody_whenExecuted_thenMalformedResponse() {
        server.enqueue(json(200, "{\"id\":\"msg_1\",\"type\":\"message\",\"content\":"));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class);
    }

    @Test
    void givenAnAnswerWithoutUsage_whenExecuted_thenItIsServedAndBilledAnEstimateNeverAsFree() {
        // an Anthropic-format server behind base_url that leaves usage out (absent, null or without counts)
        for (String usage : List.of("", ",\"usage\":null", ",\"usage\":{}")) {
            server.enqueue(json(200, "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                    + "\"model\":\"m\",\"content\":[{\"type\":\"text\",\"text\":\"Hi! My name is Claude.\"}],"
                    + "\"stop_reason\":\"end_turn\"" + usage + "}"));
            WorkflowContext ctx = WorkflowContext.of("t");

            ChatResponse r = model().execute(ChatRequest.of(MODEL, "Hello there"), ctx);

            assertThat(r.text()).as(usage).isEqualTo("Hi! My name is Claude.");
            assertThat(r.usage().estimated()).as(usage).isTrue();
            assertThat(r.usage().inputTokens()).as(usage).isPositive();
            assertThat(r.usage().outputTokens()).as(usage).isPositive();
            assertThat(r.cost().isPositive()).as(usage).isTrue();
            assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                    .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.SUCCESS));
        }
    }

    @Test
    void givenAStreamWithoutUsage_whenRead_thenItIsServedAndBilledAnEstimate() throws Exception {
        server.enqueue(sseResponse(sse(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello world\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}",
                "message_stop", "{\"type\":\"message_stop\"}")));

        ChatResponse r;
        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> { });
            r = stream.response();
        }

        assertThat(r.text()).isEqualTo("Hello world");
        assertThat(r.usage().estimated()).isTrue();
        assertThat(r.usage().inputTokens()).isPositive();
        assertThat(r.usage().outputTokens()).isPositive();
    }

    @Test
    void givenSlowHeaders_whenExecutedWithShortReadTimeout_thenProviderTimeout() {
        server.enqueue(new MockResponse.Builder().code(200).body(TEXT_REPLY).headersDelay(2, TimeUnit.SECONDS)
                .build());
        HelidonHttpTransport fast = HelidonHttpTransport.builder().readTimeout(Duration.ofMillis(200)).build();

        assertThatThrownBy(() -> model(fast, StreamTimeouts.NONE).execute(ChatRequest.of(MODEL, "Hi"),
                WorkflowContext.of("t"))).isInstanceOf(ProviderException.ProviderTimeout.class);
    }

    @Test
    void givenBadToolArguments_whenExecuted_thenUnsupportedRequestWithoutCallingAnthropic() {
        Message assistant = new Message(Role.ASSISTANT, List.of(), Optional.empty(),
                List.of(new ToolCall("toolu_1", "f", "not json")), Optional.empty());
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.user("x")).addMessage(assistant).build();

        assertThatThrownBy(() -> model().execute(request, WorkflowContext.of("t")))
                .isInstanceOf(UnsupportedRequestException.class).hasMessageContaining("toolu_1");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenCatalogWithTheModel_whenBuiltByName_thenTheModelsMaxOutputIsTheDefaultMaxTokens() throws Exception {
        server.enqueue(json(200, TEXT_REPLY));
        ModelInfo info = new ModelInfo(MODEL, "anthropic", MODEL, ModelKind.CHAT, Optional.of(SONNET), 200_000,
                64_000, Set.of(), Optional.empty(), 3, Set.of(), "test", LocalDate.of(2026, 11, 27));
        ModelCatalog catalog = new ModelCatalog() {
            @Override
            public Optional<ModelInfo> find(String nameOrAlias) {
                return nameOrAlias.equals(MODEL) ? Optional.of(info) : Optional.empty();
            }

            @Override
            public ModelInfo require(String nameOrAlias) {
                return find(nameOrAlias).orElseThrow();
            }

            @Override
            public List<ModelInfo> all() {
                return List.of(info);
            }
        };
        AnthropicChatModel m = AnthropicChatModel.builder(MODEL).pricer(PRICER).apiKey(KEY).catalog(catalog)
                .baseUrl(server.url("/").uri()).build();

        m.execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"));

        assertThat(m.defaultMaxTokens()).isEqualTo(64_000);
        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("max_tokens").asInt()).isEqualTo(64_000);
        assertThat(m.withModel("claude-haiku-4-5").name()).isEqualTo("claude-haiku-4-5");
    }

    @Test
    void givenNoKeyAnywhere_whenBuilt_thenFailsNamingTheVariable() {
        AdapterSettings settings = AdapterSettings.builder("anthropic", MODEL).pricer(PRICER).build();
        assertThatThrownBy(() -> AnthropicChatModel.builder(settings).environment(Map.of()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ANTHROPIC_API_KEY");
        assertThat(AnthropicChatModel.builder(settings).environment(Map.of("ANTHROPIC_API_KEY", KEY)).build()
                .defaultMaxTokens()).isEqualTo(4096);
    }

    // ---- streaming ----

    private static String sse(String... events) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < events.length; i += 2) {
            sb.append("event: ").append(events[i]).append('\n').append("data: ").append(events[i + 1]).append("\n\n");
        }
        return sb.toString();
    }

    private static MockResponse sseResponse(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .addHeader("request-id", "req_stream_1").body(body).build();
    }

    private static final String[] STREAM_START = {
        "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_stream\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\","
                + "\"stop_reason\":null,\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":100,"
                + "\"cache_read_input_tokens\":2000,\"output_tokens\":1}}}",
        "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
                + "\"text\":\"\"}}",
        "ping", "{\"type\": \"ping\"}",
        "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\"Hello\"}}",
        "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\" world\"}}",
    };

    private static final String[] STREAM_END = {
        "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
        "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}",
        "message_stop", "{\"type\":\"message_stop\"}",
    };

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @Test
    void givenDocumentedStream_whenRead_thenTextChunksAndFinalUsageWithCacheTokensAndExactCost() throws Exception {
        server.enqueue(sseResponse(sse(concat(STREAM_START, STREAM_END))));
        WorkflowContext ctx = WorkflowContext.of("t");
        List<String> texts = new ArrayList<>();

        ChatResponse r;
        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), ctx)) {
            while (stream.hasNext()) {
                ChatChunk c = stream.next();
                texts.add(c.contentDelta());
            }
            r = stream.response();
        }

        assertThat(String.join("", texts)).isEqualTo("Hello world");
        assertThat(r.text()).isEqualTo("Hello world");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(2572, 2000, 100, 89, 0, false));
        assertThat(r.cost()).isEqualTo(Money.of("0.003726"));
        assertThat(r.providerRequestId()).contains("req_stream_1");
        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("stream").asBoolean()).isTrue();
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.SUCCESS));
    }

    @Test
    void givenPingsWhileTheModelThinks_whenAKeepAliveListenerIsSet_thenItHearsEachPingBeforeTheChunkAfterIt() {
        String ping = sse("ping", "{\"type\": \"ping\"}");
        server.enqueue(sseResponse(sse(STREAM_START[0], STREAM_START[1]) + ping + ping
                + sse(java.util.Arrays.copyOfRange(STREAM_START, 2, STREAM_START.length)) + sse(STREAM_END)));
        List<String> heard = new ArrayList<>();

        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
            stream.onKeepAlive(() -> heard.add("ping"));
            stream.forEachRemaining(c -> heard.add(c.contentDelta().isEmpty() ? "other" : c.contentDelta()));
        }

        // two pings before the text, and the documented one inside its block
        assertThat(heard.subList(0, heard.indexOf("Hello"))).filteredOn("ping"::equals).hasSize(3);
    }

    /** The usage of a call writing 1,000 tokens with the 5-minute TTL and 2,000 with the 1-hour one. */
    private static final String SPLIT_WRITES_USAGE = "\"input_tokens\":50,\"cache_creation_input_tokens\":3000,"
            + "\"cache_read_input_tokens\":10000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,"
            + "\"ephemeral_1h_input_tokens\":2000}";

    @Test
    void givenOneHourCacheWritesStreamed_whenMessageDeltaRepeatsTheUnsplitTotal_thenTheCostEqualsTheUnstreamedOne() {
        // The current API repeats the cumulative input and cache counts in message_delta, without the TTL split
        // (MessageDeltaUsage: https://docs.claude.com/en/api/messages-streaming)
        server.enqueue(json(200, "{\"id\":\"msg_w\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                + "\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":"
                + "\"end_turn\",\"usage\":{" + SPLIT_WRITES_USAGE + ",\"output_tokens\":400}}"));
        server.enqueue(sseResponse(sse(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_w\",\"type\":"
                        + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                        + "\"stop_reason\":null,\"usage\":{" + SPLIT_WRITES_USAGE + ",\"output_tokens\":1}}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"text\",\"text\":\"\"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\"ok\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{\"input_tokens\":50,\"cache_creation_input_tokens\":"
                        + "3000,\"cache_read_input_tokens\":10000,\"output_tokens\":400}}",
                "message_stop", "{\"type\":\"message_stop\"}")));
        AnthropicChatModel m = model();
        WorkflowContext streamedCtx = WorkflowContext.of("t");

        ChatResponse whole = m.execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"));
        ChatResponse streamed;
        try (ChatStream stream = m.stream(ChatRequest.of(MODEL, "Hi"), streamedCtx)) {
            stream.forEachRemaining(c -> { });
            streamed = stream.response();
        }

        // 50×3 + 1000×3.75 + 2000×6 + 10000×0.30 + 400×15 = 24,900 µ$
        assertThat(whole.cost()).isEqualTo(Money.of("0.0249"));
        assertThat(streamed.usage()).isEqualTo(whole.usage()).isEqualTo(new Usage(13050, 10000, 3000, 2000, 400, 0,
                false));
        assertThat(streamed.cost()).isEqualTo(Money.of("0.0249"));
        assertThat(streamedCtx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.cost()).isEqualTo(Money.of("0.0249")));
    }

    @Test
    void givenTwoStreamsReadToTheEnd_whenSentOneAfterTheOther_thenTheSecondReusesTheConnection() throws Exception {
        server.enqueue(sseResponse(sse(concat(STREAM_START, STREAM_END))));
        server.enqueue(sseResponse(sse(concat(STREAM_START, STREAM_END))));
        AnthropicChatModel m = model();

        for (int i = 0; i < 2; i++) {
            try (ChatStream stream = m.stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
                stream.forEachRemaining(c -> { });
            }
        }

        int first = server.takeRequest().getConnectionIndex();
        assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(first);
    }

    @Test
    void givenStreamedToolUse_whenRead_thenResponseAssemblesTheToolCall() throws Exception {
        server.enqueue(sseResponse(sse(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\",\"model\":"
                        + "\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":400,\"output_tokens\":1}}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01T1x\",\"name\":\"get_weather\",\"input\":{}}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\": \\\"Par\"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\"}\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                        + "\"usage\":{\"output_tokens\":40}}",
                "message_stop", "{\"type\":\"message_stop\"}")));

        ChatResponse r;
        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Weather?"), WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> { });
            r = stream.response();
        }

        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.toolCalls()).containsExactly(new ToolCall("toolu_01T1x", "get_weather",
                "{\"location\": \"Paris\"}"));
        assertThat(r.usage()).isEqualTo(Usage.of(400, 40));
    }

    @Test
    void givenToolWithoutParametersStreamed_whenRead_thenItsArgumentsAreTheEmptyObjectAsWhenNotStreamed()
            throws Exception {
        // Anthropic streams a call of a tool without parameters as one empty input_json_delta
        server.enqueue(sseResponse(sse(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_e\",\"model\":"
                        + "\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":400,\"output_tokens\":1}}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01E\",\"name\":\"get_time\",\"input\":{}}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                        + "\"usage\":{\"output_tokens\":12}}",
                "message_stop", "{\"type\":\"message_stop\"}")));
        server.enqueue(json(200, """
                {"id":"msg_e","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"tool_use","id":"toolu_01E","name":"get_time","input":{}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":400,"output_tokens":12}}"""));
        StringBuilder fragments = new StringBuilder();

        ChatResponse streamed;
        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Time?"), WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> c.toolCallDeltas().forEach(d -> fragments.append(d.argumentsFragment())));
            streamed = stream.response();
        }
        ChatResponse whole = model().execute(ChatRequest.of(MODEL, "Time?"), WorkflowContext.of("t"));

        assertThat(fragments.toString()).isEqualTo("{}");
        assertThat(streamed.toolCalls()).containsExactly(new ToolCall("toolu_01E", "get_time", "{}"));
        assertThat(streamed.toolCalls()).isEqualTo(whole.toolCalls());
    }

    @Test
    void givenOverloadedErrorEventMidStream_whenRead_thenOverloadedIsThrownAndAttemptRecordedFailed() {
        server.enqueue(sseResponse(sse(concat(STREAM_START, new String[] {"error",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"}))));
        WorkflowContext ctx = WorkflowContext.of("t");

        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), ctx)) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOfSatisfying(ProviderException.Overloaded.class, e -> {
                        assertThat(e.providerRequestId()).contains("req_stream_1");
                        assertThat(e.status()).isEmpty();
                        assertThat(e.getMessage()).endsWith("Overloaded (error event in an HTTP 200 stream)");
                    });
        }
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.FAILED));
    }

    @Test
    void givenAnErrorEventQuotingTheKeyMidStream_whenRead_thenTheKeyIsRedacted() {
        server.enqueue(sseResponse(sse(concat(STREAM_START, new String[] {"error",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded for key "
                        + KEY + "\"}}"}))));

        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.Overloaded.class).hasMessageNotContaining("SECRET")
                    .hasMessageContaining("Overloaded for key [redacted] (error event in an HTTP 200 stream)");
        }
    }

    @Test
    void givenStreamCutBeforeMessageStop_whenRead_thenConnectionFailed() {
        server.enqueue(sseResponse(sse(STREAM_START)));

        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.ConnectionFailed.class).hasMessageContaining("message_stop");
        }
    }

    @Test
    void givenMalformedEventData_whenRead_thenMalformedResponse() {
        server.enqueue(sseResponse("event: message_start\ndata: {not json\n\n"));

        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.MalformedResponse.class).hasMessageContaining("message_start");
        }
    }

    @Test
    void givenErrorStatusOnStreamRequest_whenOpened_thenMappedBeforeAnyChunk() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("retry-after", "3")
                .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}")
                .build());

        assertThatThrownBy(() -> model().stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
    }

    @Test
    void givenFirstEventNeverComes_whenReadWithFirstTokenTimeout_thenProviderTimeout() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse(concat(STREAM_START, STREAM_END))).bodyDelay(3, TimeUnit.SECONDS).build());
        AnthropicChatModel m = model(HelidonHttpTransport.ofDefaults(),
                StreamTimeouts.of(Duration.ofMillis(200), Duration.ofSeconds(30)));

        assertThatThrownBy(() -> {
            try (ChatStream stream = m.stream(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t"))) {
                stream.forEachRemaining(c -> { });
            }
        }).isInstanceOf(ProviderException.ProviderTimeout.class).hasMessageContaining("200 ms");
    }

    @Test
    void givenStreamSlowerThanTotalLimit_whenRead_thenProviderTimeoutNamesTheStreamLimitAndRecordsFailure() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse(concat(STREAM_START, STREAM_END))).throttleBody(64, 100, TimeUnit.MILLISECONDS).build());
        AnthropicChatModel m = model(HelidonHttpTransport.ofDefaults(),
                StreamTimeouts.of(Duration.ofSeconds(5), Duration.ofMillis(300)));
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThatThrownBy(() -> {
            try (ChatStream stream = m.stream(ChatRequest.of(MODEL, "Hi"), ctx)) {
                stream.forEachRemaining(c -> { });
            }
        }).isInstanceOf(ProviderException.ProviderTimeout.class).hasMessageContaining("stream timed out after 300 ms");
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.FAILED));
    }

    @Test
    void givenEmptySuccessBody_whenExecuted_thenMalformedResponse() {
        server.enqueue(json(200, ""));

        assertThatThrownBy(() -> model().execute(ChatRequest.of(MODEL, "Hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.MalformedResponse.class).hasMessageContaining("id");
    }

    @Test
    void givenClosedEarly_whenClosed_thenAttemptIsRecordedAborted() {
        server.enqueue(sseResponse(sse(concat(STREAM_START, STREAM_END))));
        WorkflowContext ctx = WorkflowContext.of("t");

        try (ChatStream stream = model().stream(ChatRequest.of(MODEL, "Hi"), ctx)) {
            assertThat(stream.next().contentDelta()).isEqualTo("Hello");
        }

        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .satisfies(rec -> assertThat(rec.outcome()).isEqualTo(Outcome.ABORTED));
    }

    // ---- reasoning: https://docs.claude.com/en/docs/build-with-claude/extended-thinking ----

    private static final String THINKING = "The user wants the weather in Paris. I have get_weather, so I call it.";
    private static final String SIGNATURE = "BDaL4VrbR2Oj0hO4XpJxT28J5TILnCrrUXoKiiNBZW9P+nr8XSj1zuZzAl4egiCCpQNvfyUuF";
    private static final String REDACTED = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP";

    /** A tool-use answer with thinking, as the extended-thinking page shows it, plus a redacted block. */
    private static final String THINKING_REPLY = """
            {"id":"msg_01thinking","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"thinking","thinking":"%s","signature":"%s"},
               {"type":"redacted_thinking","data":"%s"},
               {"type":"text","text":"I can help you get the current weather for Paris."},
               {"type":"tool_use","id":"toolu_01CswdEQBMshySk6Y9DFKrfq","name":"get_weather",
                "input":{"location":"Paris"}}],
             "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":412,"output_tokens":301}}"""
            .formatted(THINKING, SIGNATURE, REDACTED);

    /** The same answer streamed: thinking deltas, the signature last, then the other blocks. */
    private static final String THINKING_STREAM = sse(
            "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01thinking\",\"type\":"
                    + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\","
                    + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":412,"
                    + "\"output_tokens\":1}}}",
            "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"thinking\",\"thinking\":\"\"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"thinking_delta\",\"thinking\":\"" + THINKING.substring(0, 30) + "\"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"thinking_delta\",\"thinking\":\"" + THINKING.substring(30) + "\"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"signature_delta\",\"signature\":\"" + SIGNATURE + "\"}}",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
            "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                    + "{\"type\":\"redacted_thinking\",\"data\":\"" + REDACTED + "\"}}",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}",
            "content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":"
                    + "{\"type\":\"text\",\"text\":\"\"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"I can help you get \"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"the current weather for Paris.\"}}",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}",
            "content_block_start", "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_01CswdEQBMshySk6Y9DFKrfq\",\"name\":\"get_weather\","
                    + "\"input\":{}}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":"
                    + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":3}",
            "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":301}}",
            "message_stop", "{\"type\":\"message_stop\"}");

    private static List<ContentPart> expectedThinkingParts() {
        return List.of(new ContentPart.Thinking(THINKING, Optional.of(SIGNATURE)),
                new ContentPart.RedactedThinking(REDACTED),
                ContentPart.text("I can help you get the current weather for Paris."));
    }

    private static ChatRequest weatherRequest(List<Message> messages) throws Exception {
        JsonNode schema = new ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"location\":"
                + "{\"type\":\"string\"}}}");
        return ChatRequest.builder(MODEL).messages(messages).reasoningEffort(ReasoningEffort.LOW)
                .tools(List.of(new Tool("get_weather", Optional.of("Weather"), schema, false))).build();
    }

    private ChatResponse answer(AnthropicChatModel m, ChatRequest request, boolean streamed) {
        if (!streamed) {
            return m.execute(request, WorkflowContext.of("t"));
        }
        try (ChatStream stream = m.stream(request, WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> { });
            return stream.response();
        }
    }

    @Test
    void givenReplyWithThinkingRedactedTextAndToolUse_whenExecuted_thenReasoningPartsComeFirstAndTextIsTheAnswer()
            throws Exception {
        server.enqueue(json(200, THINKING_REPLY));

        ChatResponse r = model().execute(weatherRequest(List.of(Message.user("Weather in Paris?"))),
                WorkflowContext.of("t"));

        assertThat(r.message().content()).containsExactlyElementsOf(expectedThinkingParts());
        assertThat(r.message().reasoning()).hasSize(2);
        assertThat(r.text()).isEqualTo("I can help you get the current weather for Paris.");
        assertThat(r.toolCalls()).containsExactly(new ToolCall("toolu_01CswdEQBMshySk6Y9DFKrfq", "get_weather",
                "{\"location\":\"Paris\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(Usage.of(412, 301));
        JsonNode sent = json.readTree(server.takeRequest().getBody().utf8());
        assertThat(sent.path("thinking")).isEqualTo(json.readTree("{\"type\":\"enabled\",\"budget_tokens\":1024}"));
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(AnthropicChatModel.DEFAULT_MAX_TOKENS); // room for both
    }

    @Test
    void givenReplyWithOnlyThinkingAndToolUse_whenExecuted_thenTheToolCallComesWithTheReasoningAndNoText() {
        server.enqueue(json(200, """
                {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"thinking","thinking":"","signature":"%s"},
                   {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"location":"Oslo"}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":400,"output_tokens":90}}""".formatted(SIGNATURE)));

        ChatResponse r = model().execute(ChatRequest.of(MODEL, "Weather in Oslo?"), WorkflowContext.of("t"));

        assertThat(r.message().content()).containsExactly(new ContentPart.Thinking("", Optional.of(SIGNATURE)));
        assertThat(r.text()).isEmpty();
        assertThat(r.toolCalls()).extracting(ToolCall::id).containsExactly("toolu_2");
    }

    @Test
    void givenTheSameAnswerStreamed_whenRead_thenChunksCarryTheDeltasAndTheMessageEqualsTheUnstreamedOne()
            throws Exception {
        server.enqueue(json(200, THINKING_REPLY));
        server.enqueue(sseResponse(THINKING_STREAM));
        AnthropicChatModel m = model();
        ChatRequest request = weatherRequest(List.of(Message.user("Weather in Paris?")));
        ChatResponse whole = m.execute(request, WorkflowContext.of("t"));

        List<ThinkingDelta> deltas = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        ChatResponse streamed;
        try (ChatStream stream = m.stream(request, WorkflowContext.of("t"))) {
            while (stream.hasNext()) {
                ChatChunk c = stream.next();
                deltas.addAll(c.thinkingDeltas());
                text.append(c.contentDelta());
            }
            streamed = stream.response();
        }

        assertThat(deltas).containsExactly(ThinkingDelta.text(0, ""), ThinkingDelta.text(0, THINKING.substring(0, 30)),
                ThinkingDelta.text(0, THINKING.substring(30)), ThinkingDelta.signature(0, SIGNATURE),
                ThinkingDelta.redacted(1, REDACTED));
        assertThat(text).hasToString("I can help you get the current weather for Paris.");
        assertThat(streamed.message().content()).containsExactlyElementsOf(expectedThinkingParts());
        assertThat(streamed.message()).isEqualTo(whole.message());
        assertThat(streamed.text()).isEqualTo(whole.text());
        assertThat(streamed.usage()).isEqualTo(whole.usage());
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @ParameterizedTest(name = "first answer streamed: {0}")
    @ValueSource(booleans = {false, true})
    void givenAToolUseTurnWithThinking_whenContinuedWithTheToolResult_thenTheReasoningGoesBackFirstUnchanged(
            boolean streamed) throws Exception {
        server.enqueue(streamed ? sseResponse(THINKING_STREAM) : json(200, THINKING_REPLY));
        server.enqueue(json(200, TEXT_REPLY));
        AnthropicChatModel m = model();
        Message question = Message.user("Weather in Paris?");
        ChatResponse first = answer(m, weatherRequest(List.of(question)), streamed);

        m.execute(weatherRequest(List.of(question, first.message(),
                Message.toolResult(first.toolCalls().getFirst().id(), "18C, sunny"))), WorkflowContext.of("t"));

        server.takeRequest();
        JsonNode second = json.readTree(server.takeRequest().getBody().utf8());
        assertThat(second.path("messages")).isEqualTo(json.readTree("""
                [{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
                 {"role":"assistant","content":[{"type":"thinking","thinking":"%s","signature":"%s"},
                   {"type":"redacted_thinking","data":"%s"},
                   {"type":"text","text":"I can help you get the current weather for Paris."},
                   {"type":"tool_use","id":"toolu_01CswdEQBMshySk6Y9DFKrfq","name":"get_weather",
                    "input":{"location":"Paris"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01CswdEQBMshySk6Y9DFKrfq",
                   "content":"18C, sunny"}]}]""".formatted(THINKING, SIGNATURE, REDACTED)));
        assertThat(second.path("thinking").path("type").asText()).isEqualTo("enabled");
    }

    @Test
    void givenReasoningWithATemperatureAnthropicRefuses_whenExecuted_thenUnsupportedRequestNamingItUncalled() {
        ChatRequest request = ChatRequest.builder(MODEL).addMessage(Message.user("x")).temperature(0.2)
                .reasoningEffort(ReasoningEffort.HIGH).build();

        assertThatThrownBy(() -> model().execute(request, WorkflowContext.of("t")))
                .isInstanceOfSatisfying(UnsupportedRequestException.class, e -> assertThat(e.param())
                        .hasValue("temperature")).hasMessageContaining("temperature 0.2");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenStreamClosedWhileThinking_whenClosed_thenTheThinkingSoFarIsEstimatedAsOutput() throws Exception {
        server.enqueue(sseResponse(THINKING_STREAM));
        WorkflowContext ctx = WorkflowContext.of("t");

        try (ChatStream stream = model().stream(weatherRequest(List.of(Message.user("Weather?"))), ctx)) {
            for (int i = 0; i < 3; i++) {
                stream.next(); // the block's start and its two thinking deltas
            }
        }

        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(rec -> {
            assertThat(rec.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(rec.usage().estimated()).isTrue();
            assertThat(rec.usage().outputTokens()).as("thinking is billed as output").isPositive();
        });
    }

    @Test
    void givenErrorEventWhileThinking_whenRead_thenTheFailedAttemptIsBilledTheThinkingSoFar() throws Exception {
        String thinkingOnly = THINKING_STREAM.substring(0, THINKING_STREAM.indexOf("event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\""));
        server.enqueue(sseResponse(thinkingOnly + sse("error",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")));
        WorkflowContext ctx = WorkflowContext.of("t");

        try (ChatStream stream = model().stream(weatherRequest(List.of(Message.user("Weather?"))), ctx)) {
            assertThatThrownBy(() -> stream.forEachRemaining(c -> { }))
                    .isInstanceOf(ProviderException.Overloaded.class);
        }

        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement().satisfies(rec -> {
            assertThat(rec.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(rec.usage().outputTokens()).as("the thinking streamed before the error").isPositive();
        });
    }
}
