package dev.costwise.llm.provider.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
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
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Ollama adapter against MockWebServer speaking https://docs.ollama.com/api/chat (non-streamed JSON, NDJSON
 * stream whose last line has {@code done: true} with {@code prompt_eval_count}/{@code eval_count}) and Ollama's error
 * body {@code {"error": "..."}} (https://docs.ollama.com/api/errors), and {@code think} as
 * https://docs.ollama.com/capabilities/thinking gives it (a boolean, or low, medium or high for gpt-oss).
 */
class OllamaChatModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pricer LOCAL = (model, usage) -> new Pricer.Priced(Money.ZERO, PriceStatus.LOCAL);

    private MockWebServer server;
    private WorkflowContext ctx;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        ctx = WorkflowContext.of("test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OllamaChatModel model() {
        return OllamaChatModel.builder("llama3.2").baseUrl(server.url("/").toString()).pricer(LOCAL)
                .transport(HelidonHttpTransport.builder().readTimeout(Duration.ofSeconds(5)).build()).build();
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    void givenAnswer_whenExecuted_thenTextUsageAndLocalCost() throws Exception {
        server.enqueue(json(200, """
                {"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799Z",
                 "message":{"role":"assistant","content":"Hello! How are you today?"},
                 "done":true,"done_reason":"stop","total_duration":5191566416,"load_duration":2154458,
                 "prompt_eval_count":26,"prompt_eval_duration":383809000,"eval_count":298,
                 "eval_duration":4799921000}"""));
        ChatRequest request = ChatRequest.builder("local").addMessage(Message.user("why is the sky blue?"))
                .temperature(0.1).topP(0.5).topK(30).seed(3).maxTokens(100).stop(List.of("\n"))
                .presencePenalty(0.5).frequencyPenalty(0.25).build();

        ChatResponse r = model().execute(request, ctx);

        assertThat(r.text()).isEqualTo("Hello! How are you today?");
        assertThat(r.usage()).isEqualTo(Usage.of(26, 298));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.LOCAL);
        assertThat(r.cost()).isEqualTo(Money.ZERO);
        assertThat(r.provider()).isEqualTo("ollama");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getTarget()).isEqualTo("/api/chat");
        assertThat(sent.getHeaders().get("Authorization")).isNull();
        JsonNode body = JSON.readTree(sent.getBody().utf8());
        assertThat(body.get("model").asText()).isEqualTo("llama3.2");
        assertThat(body.get("stream").asBoolean()).isFalse();
        assertThat(body.get("options").toString()).isEqualTo(
                "{\"temperature\":0.1,\"top_p\":0.5,\"top_k\":30,\"seed\":3,\"presence_penalty\":0.5,"
                + "\"frequency_penalty\":0.25,\"num_predict\":100,\"stop\":[\"\\n\"]}");
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .extracting(CostRecord::priceStatus).isEqualTo(PriceStatus.LOCAL);
    }

    @Test
    void givenImagesJsonModeAndTools_whenExecuted_thenSentInOllamaShape() throws Exception {
        server.enqueue(json(200, """
                {"model":"llava","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant",
                 "content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Toronto"}}}]},
                 "done_reason":"stop","done":true,"prompt_eval_count":95,"eval_count":19}"""));
        ChatRequest request = ChatRequest.builder("llava")
                .addMessage(new Message(Role.USER, List.of(ContentPart.text("what is this?"),
                        ContentPart.image("data:image/png;base64,iVBORw0KGgo=")), Optional.empty(), List.of(),
                        Optional.empty()))
                .tools(List.of(new Tool("get_weather", Optional.empty(),
                        JSON.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"), false)))
                .responseFormat(new ResponseFormat.JsonObject())
                .build();

        ChatResponse r = model().execute(request, ctx);

        assertThat(r.toolCalls()).containsExactly(new ToolCall("call_0", "get_weather", "{\"city\":\"Toronto\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(body.at("/messages/0/images").toString()).isEqualTo("[\"iVBORw0KGgo=\"]");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("what is this?");
        assertThat(body.get("format").asText()).isEqualTo("json");
        assertThat(body.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
    }

    @Test
    void givenImageByUrl_whenExecuted_thenUnsupportedRequestWithoutCallingOllama() {
        ChatRequest request = ChatRequest.builder("llava").addMessage(new Message(Role.USER,
                List.of(ContentPart.image("https://example.com/cat.png")), Optional.empty(), List.of(),
                Optional.empty())).build();

        assertThatThrownBy(() -> model().execute(request, ctx))
                .isInstanceOfSatisfying(UnsupportedRequestException.class, e -> assertThat(e.param())
                        .hasValue("messages[0].content"))
                .hasMessageContaining("Ollama takes only inline (data:) images");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenNdjsonStream_whenRead_thenAssemblesTextAndUsageFromDoneLine() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/x-ndjson")
                .body("""
                        {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}
                        {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":" sky"},"done":false}
                        {"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}
                        """).build());
        List<ChatChunk> chunks = new ArrayList<>();

        try (ChatStream s = model().stream(ChatRequest.of("llama3.2", "why?"), ctx)) {
            s.forEachRemaining(chunks::add);
            assertThat(s.response().text()).isEqualTo("The sky");
            assertThat(s.response().usage()).isEqualTo(Usage.of(26, 282));
            assertThat(s.response().finishReason()).isEqualTo(FinishReason.STOP);
        }
        assertThat(chunks).extracting(ChatChunk::contentDelta).containsExactly("The", " sky", "");
        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).get("stream").asBoolean()).isTrue();
    }

    @Test
    void givenModelNotPulled_whenExecuted_thenNotFound() {
        server.enqueue(json(404, "{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}"));

        assertThatThrownBy(() -> model().execute(ChatRequest.of("llama9", "hi"), ctx))
                .isInstanceOf(ProviderException.NotFound.class)
                .hasMessageContaining("model \"llama9\" not found, try pulling it first")
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void givenRateLimitWithRetryAfterSeconds_whenExecuted_thenRateLimitedCarriesTheWait() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("Retry-After", "120").body("{\"error\":\"too many requests\"}").build());

        assertThatThrownBy(() -> model().execute(ChatRequest.of("llama3.2", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(120)));
    }

    @Test
    void givenServerBusyWithRetryAfterDate_whenStreamOpened_thenOverloadedCarriesTheWaitOnTheInjectedClock() {
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Content-Type", "application/json")
                .addHeader("Retry-After", "Fri, 27 Nov 2026 06:00:30 GMT")
                .body("{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}").build());
        OllamaChatModel model = OllamaChatModel.builder("llama3.2").baseUrl(server.url("/").toString()).pricer(LOCAL)
                .clock(Clock.fixed(Instant.parse("2026-11-27T06:00:00Z"), ZoneOffset.UTC)).build();

        assertThatThrownBy(() -> model.stream(ChatRequest.of("llama3.2", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.Overloaded.class,
                        e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(30)));
    }

    @Test
    void givenErrorLineMidStream_whenRead_thenServerErrorAndFailedRecord() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/x-ndjson")
                .body("{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n"
                        + "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n")
                .build());

        try (ChatStream s = model().stream(ChatRequest.of("llama3.2", "hi"), ctx)) {
            assertThat(s.next().contentDelta()).isEqualTo("Hi");
            assertThatThrownBy(s::next).isInstanceOf(ProviderException.ServerError.class)
                    .hasMessageEndingWith("unexpected EOF (error event in an HTTP 200 stream)")
                    .satisfies(e -> assertThat(((ProviderException) e).status()).as("no error status was sent")
                            .isEmpty());
        }
        assertThat(ctx.attributeValues("record", CostRecord.class)).singleElement()
                .extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
    }

    @Test
    void givenStreamWithoutDoneLine_whenRead_thenConnectionFailed() {
        server.enqueue(new MockResponse.Builder().code(200)
                .body("{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n")
                .build());

        try (ChatStream s = model().stream(ChatRequest.of("llama3.2", "hi"), ctx)) {
            s.next();
            assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ConnectionFailed.class)
                    .hasMessageContaining("done: true");
        }
    }

    // ---- reasoning: think on /api/chat, https://docs.ollama.com/capabilities/thinking ----

    private static JsonNode think(String model, Optional<Reasoning> reasoning) {
        ChatRequest request = ChatRequest.builder("alias").addMessage(Message.user("x")).reasoning(reasoning).build();
        return new OllamaWire(JSON).writeRequest(request, model, false).path("think");
    }

    static Stream<Arguments> thinkValues() {
        return Stream.of(
                // boolean for thinking models in general
                Arguments.of("qwen3", Reasoning.effort(ReasoningEffort.LOW), "true"),
                Arguments.of("qwen3", Reasoning.effort(ReasoningEffort.MAX), "true"),
                Arguments.of("deepseek-r1:8b", Reasoning.budget(4_096), "true"),
                Arguments.of("qwen3", Reasoning.off(), "false"),
                Arguments.of("qwen3", Reasoning.budget(0), "false"),
                // named levels for gpt-oss
                Arguments.of("gpt-oss:20b", Reasoning.effort(ReasoningEffort.MINIMAL), "\"low\""),
                Arguments.of("gpt-oss:20b", Reasoning.effort(ReasoningEffort.LOW), "\"low\""),
                Arguments.of("gpt-oss:20b", Reasoning.effort(ReasoningEffort.MEDIUM), "\"medium\""),
                Arguments.of("gpt-oss:20b", Reasoning.effort(ReasoningEffort.HIGH), "\"high\""),
                Arguments.of("gpt-oss:120b", Reasoning.effort(ReasoningEffort.XHIGH), "\"high\""),
                Arguments.of("GPT-OSS:120b-cloud", Reasoning.effort(ReasoningEffort.MAX), "\"high\""),
                Arguments.of("gpt-oss:20b", Reasoning.budget(8_000), "\"medium\""),
                Arguments.of("gpt-oss:20b", Reasoning.off(), "false"));
    }

    @ParameterizedTest(name = "{0} {1} -> think {2}")
    @MethodSource("thinkValues")
    void givenReasoning_whenWritten_thenThinkIsBooleanOrGptOssLevel(String model, Reasoning reasoning, String think)
            throws Exception {
        assertThat(think(model, Optional.of(reasoning))).isEqualTo(JSON.readTree(think));
    }

    @Test
    void givenNoReasoning_whenWritten_thenNoThinkField() {
        assertThat(think("qwen3", Optional.empty()).isMissingNode()).isTrue();
        assertThat(think("gpt-oss:20b", Optional.empty()).isMissingNode()).isTrue();
    }

    @Test
    void givenGptOssWithHighEffort_whenExecuted_thenThinkHighIsSentAndTheThinkingTextIsNotTheAnswer()
            throws Exception {
        server.enqueue(json(200, """
                {"model":"gpt-oss:20b","created_at":"2025-08-05T17:05:13.391537Z","message":{"role":"assistant",
                 "content":"There are 3 r's.","thinking":"Count the letters: s-t-r-a-w-b-e-r-r-y."},
                 "done":true,"done_reason":"stop","prompt_eval_count":80,"eval_count":40}"""));
        OllamaChatModel gptOss = OllamaChatModel.builder("gpt-oss:20b").baseUrl(server.url("/").toString())
                .pricer(LOCAL).build();
        ChatRequest request = ChatRequest.builder("local").addMessage(Message.user("How many r in strawberry?"))
                .reasoningEffort(ReasoningEffort.HIGH).build();

        ChatResponse r = gptOss.execute(request, ctx);
        server.enqueue(json(200, """
                {"model":"gpt-oss:20b","message":{"role":"assistant","content":"Two."},"done":true,
                 "done_reason":"stop","prompt_eval_count":90,"eval_count":5}"""));
        gptOss.execute(request.toBuilder().addMessage(r.message()).addMessage(Message.user("And in berry?")).build(),
                ctx);

        assertThat(r.text()).isEqualTo("There are 3 r's.");
        assertThat(r.message().reasoning()).containsExactly(new ContentPart.Thinking(
                "Count the letters: s-t-r-a-w-b-e-r-r-y.", Optional.empty()));
        JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(body.get("model").asText()).isEqualTo("gpt-oss:20b");
        assertThat(body.get("think")).isEqualTo(JSON.readTree("\"high\""));
        // https://docs.ollama.com/api/chat: an assistant message's thinking goes back in its own field
        JsonNode next = JSON.readTree(server.takeRequest().getBody().utf8());
        assertThat(next.at("/messages/1")).isEqualTo(JSON.readTree("""
                {"role":"assistant","content":"There are 3 r's.",
                 "thinking":"Count the letters: s-t-r-a-w-b-e-r-r-y."}"""));
    }

    @Test
    void givenAThinkingModelsStream_whenRead_thenItsThinkingLinesBecomeReasoningDeltas() {
        // https://docs.ollama.com/capabilities/thinking: streamed lines carry message.thinking before the content
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/x-ndjson")
                .body("""
                        {"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Two plus"},"done":false}
                        {"model":"qwen3","message":{"role":"assistant","content":"","thinking":" two."},"done":false}
                        {"model":"qwen3","message":{"role":"assistant","content":"4"},"done":false}
                        {"model":"qwen3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":9}
                        """).build());
        List<ChatChunk> chunks = new ArrayList<>();

        try (ChatStream s = model().stream(ChatRequest.of("qwen3", "2 + 2?"), ctx)) {
            s.forEachRemaining(chunks::add);
            assertThat(s.response().text()).isEqualTo("4");
            assertThat(s.response().message().reasoning()).containsExactly(new ContentPart.Thinking(
                    "Two plus two.", Optional.empty()));
        }
        assertThat(chunks.get(0).thinkingDeltas()).containsExactly(ThinkingDelta.text(0, "Two plus"));
        assertThat(chunks.get(2).thinkingDeltas()).isEmpty();
    }

    @Test
    void givenOllamaHostForms_whenParsed_thenBaseUrls() {
        assertThat(OllamaHost.fromEnvironment(Map.of())).isEqualTo(URI.create("http://localhost:11434"));
        assertThat(OllamaHost.fromEnvironment(Map.of("OLLAMA_HOST", "0.0.0.0")))
                .isEqualTo(URI.create("http://0.0.0.0:11434"));
        assertThat(OllamaHost.fromEnvironment(Map.of("OLLAMA_HOST", "gpu-box:8080")))
                .isEqualTo(URI.create("http://gpu-box:8080"));
        assertThat(OllamaHost.fromEnvironment(Map.of("OLLAMA_HOST", "https://ollama.example.com/")))
                .isEqualTo(URI.create("https://ollama.example.com"));
        assertThatThrownBy(() -> OllamaHost.parse("http://"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'http://'");
    }
}
