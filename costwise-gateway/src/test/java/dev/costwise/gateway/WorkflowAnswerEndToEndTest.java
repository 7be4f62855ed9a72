package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The {@code auto} workflow answers as its executor did: the caller's tools and sampling fields reach the executor,
 * and its whole message (tool calls included) and finish reason come back, whole and streamed. The executor is
 * Gemini, faked in its generateContent format (https://ai.google.dev/api/generate-content); the orchestrator is
 * OpenAI's gpt-4o, faked by {@link OpenAiFake}.
 */
class WorkflowAnswerEndToEndTest {
    private static final String TASK = "Analyze the trade-offs of event sourcing for a bank ledger, compare it with"
            + " CRUD and recommend";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final List<String> sent = new ArrayList<>();

    /** Gemini answers {@code parts} with {@code finishReason}; OpenAI (the orchestrator) passes every verdict. */
    private void answer(String parts, String finishReason) {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody().utf8();
                synchronized (sent) {
                    sent.add(request.getUrl().encodedPath() + " " + body);
                }
                if (!request.getUrl().encodedPath().contains(":generateContent")) {
                    return OpenAiFake.completion("gpt-4o", "{\\\"pass\\\": true, \\\"reasons\\\": []}", 300, 20);
                }
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                        {"candidates": [{"content": {"parts": %s, "role": "model"}, "finishReason": "%s",
                                         "index": 0}],
                         "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 12,
                                           "totalTokenCount": 52},
                         "modelVersion": "gemini-2.5-flash", "responseId": "g-1"}""".formatted(parts, finishReason))
                        .build();
            }
        });
    }

    private TestGateway gateway(boolean validate) {
        String base = TestGateway.baseUrl(upstream);
        return TestGateway.of("""
                defaults: {cache: {enabled: false}}
                models:
                  - {name: gemini-2.5-flash, provider: gemini, base_url: %1$s, api_key: AIza-test}
                  - {name: gpt-4o, provider: openai, base_url: %1$s/v1}
                pipelines:
                  auto:
                    workflow: true
                    validate: %2$s
                    routes: [{name: cheap, model: gemini-2.5-flash}]
                    default_route: gpt-4o
                """.formatted(base, validate));
    }

    private static String ask(String extra) {
        return """
                {"model": "auto", %s
                 "messages": [{"role": "user", "content": "%s"}]}""".formatted(extra, TASK);
    }

    private static final String TOOLS = """
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
                       "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
            "tool_choice": "auto", "temperature": 0.3, "top_p": 0.8, "stop": ["END"], "seed": 42,
            "presence_penalty": 0.5,""";

    private static final String WEATHER_CALL = "[{\"functionCall\": {\"name\": \"get_weather\", \"args\": "
            + "{\"city\": \"Paris\"}}}]";

    @Test
    void givenAnAliasOfTheWorkflowPipeline_whenAsked_thenTheWorkflowRunsAsForThePipelinesOwnName() {
        answer("[{\"text\": \"Paris.\"}]", "STOP");
        // a workflow under a model's name (its orchestrator), reached through an alias of that model
        try (TestGateway gw = TestGateway.of("""
                defaults: {cache: {enabled: false}}
                models:
                  - {name: gemini-2.5-flash, provider: gemini, base_url: %1$s, api_key: AIza-test}
                  - {name: gpt-4o, provider: openai, base_url: %1$s/v1}
                aliases: {smart: gpt-4o}
                pipelines:
                  gpt-4o:
                    workflow: true
                    routes: [{name: cheap, model: gemini-2.5-flash}]
                    default_route: gpt-4o
                """.formatted(TestGateway.baseUrl(upstream)))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask("").replace("\"auto\"", "\"smart\""));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-route").orElseThrow()).startsWith("workflow:");
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("gemini-2.5-flash");
            assertThat(gw.records()).isNotEmpty().allSatisfy(r -> assertThat(r.requestedModel()).isEqualTo("smart"));
        }
    }

    @Test
    void givenTheCacheOff_whenAWorkflowAnswers_thenItsCacheHeaderSaysBypassAsAPlainModelsDoes() {
        answer("[{\"text\": \"Event sourcing keeps every change.\"}]", "STOP");
        try (TestGateway gw = gateway(true)) {
            HttpResponse<String> plain = gw.post("/v1/chat/completions", ask("").replace("\"auto\"",
                    "\"gemini-2.5-flash\""));
            HttpResponse<String> whole = gw.post("/v1/chat/completions", ask(""));
            HttpResponse<String> streamed = gw.post("/v1/chat/completions", ask("\"stream\": true,"));

            assertThat(plain.headers().firstValue("x-costwise-cache")).hasValue("bypass");
            assertThat(whole.headers().firstValue("x-costwise-route").orElseThrow()).startsWith("workflow:");
            assertThat(whole.headers().firstValue("x-costwise-cache")).hasValue("bypass");
            assertThat(streamed.headers().firstValue("x-costwise-cache")).hasValue("bypass");
        }
    }

    @Test
    void givenCallersToolsAndSampling_whenTheExecutorCallsATool_thenItGotThemAndTheCallerGetsTheToolCall() {
        answer(WEATHER_CALL, "STOP");
        try (TestGateway gw = gateway(false)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(TOOLS));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode toGemini = TestGateway.json(executorBody());
            assertThat(toGemini.at("/tools/0/functionDeclarations/0/name").asText()).isEqualTo("get_weather");
            assertThat(toGemini.at("/generationConfig/temperature").asDouble()).isEqualTo(0.3);
            assertThat(toGemini.at("/generationConfig/topP").asDouble()).isEqualTo(0.8);
            assertThat(toGemini.at("/generationConfig/stopSequences/0").asText()).isEqualTo("END");
            assertThat(toGemini.at("/generationConfig/seed").asLong()).isEqualTo(42);
            assertThat(toGemini.at("/generationConfig/presencePenalty").asDouble()).isEqualTo(0.5);
            JsonNode choice = TestGateway.json(res.body()).at("/choices/0");
            assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
            JsonNode call = choice.at("/message/tool_calls/0");
            assertThat(call.path("type").asText()).isEqualTo("function");
            assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
            assertThat(TestGateway.json(call.at("/function/arguments").asText()).path("city").asText())
                    .isEqualTo("Paris");
        }
    }

    @Test
    void givenValidation_whenTheExecutorCallsATool_thenNoVerdictIsAskedForAndTheToolCallIsReturned()
            throws Exception {
        answer(WEATHER_CALL, "STOP");
        try (TestGateway gw = gateway(true)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", ask(TOOLS));

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-route").orElseThrow()).isNotEqualTo("workflow:simple");
            assertThat(TestGateway.json(res.body()).at("/choices/0/message/tool_calls/0/function/name").asText())
                    .isEqualTo("get_weather");
            assertThat(sent).as("a rubric judges text, not a tool call: only the executor was called")
                    .singleElement().asString().contains(":generateContent");
            assertThat(TestGateway.json(res.body()).at("/costwise/escalations").asInt()).isZero();
        }
    }

    @Test
    void givenAStreamingCaller_whenTheExecutorCallsATool_thenTheStreamCarriesTheToolCallAndItsFinishReason() {
        answer(WEATHER_CALL, "STOP");
        try (TestGateway gw = gateway(false)) {
            List<JsonNode> chunks = chunks(gw.post("/v1/chat/completions", ask(TOOLS + " \"stream\": true,")));

            JsonNode call = chunks.stream().map(c -> c.at("/choices/0/delta/tool_calls/0"))
                    .filter(JsonNode::isObject).findFirst().orElseThrow();
            assertThat(call.path("index").asInt()).isZero();
            assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
            assertThat(TestGateway.json(call.at("/function/arguments").asText()).path("city").asText())
                    .isEqualTo("Paris");
            assertThat(finishReasons(chunks)).containsExactly("tool_calls");
        }
    }

    @Test
    void givenAnExecutorCutOffOrFiltered_whenItAnswers_thenTheCallerGetsItsFinishReasonWholeAndStreamed() {
        try (TestGateway gw = gateway(false)) {
            answer("[{\"text\": \"Event sourcing keeps\"}]", "MAX_TOKENS");
            JsonNode cut = TestGateway.json(gw.post("/v1/chat/completions", ask("")).body());
            List<String> cutStreamed = finishReasons(chunks(gw.post("/v1/chat/completions",
                    ask("\"stream\": true,"))));
            answer("[{\"text\": \"\"}]", "SAFETY");
            JsonNode filtered = TestGateway.json(gw.post("/v1/chat/completions", ask("")).body());
            List<String> filteredStreamed = finishReasons(chunks(gw.post("/v1/chat/completions",
                    ask("\"stream\": true,"))));

            assertThat(cut.at("/choices/0/finish_reason").asText()).isEqualTo("length");
            assertThat(cut.at("/choices/0/message/content").asText()).isEqualTo("Event sourcing keeps");
            assertThat(cutStreamed).containsExactly("length");
            assertThat(filtered.at("/choices/0/finish_reason").asText()).isEqualTo("content_filter");
            assertThat(filteredStreamed).containsExactly("content_filter");
        }
    }

    private String executorBody() {
        synchronized (sent) {
            return sent.stream().filter(s -> s.contains(":generateContent")).findFirst().orElseThrow()
                    .split(" ", 2)[1];
        }
    }

    private static List<JsonNode> chunks(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return res.body().lines().filter(l -> l.startsWith("data: {"))
                .map(l -> TestGateway.json(l.substring("data: ".length()))).toList();
    }

    private static List<String> finishReasons(List<JsonNode> chunks) {
        return chunks.stream().map(c -> c.at("/choices/0/finish_reason")).filter(JsonNode::isTextual)
                .map(JsonNode::asText).toList();
    }
}
