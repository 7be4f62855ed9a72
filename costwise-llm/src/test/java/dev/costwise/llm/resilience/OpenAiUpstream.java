package dev.costwise.llm.resilience;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/**
 * OpenAI chat completions as a MockWebServer replays them, in OpenAI's documented wire format: error bodies
 * (https://platform.openai.com/docs/guides/error-codes) and server-sent {@code chat.completion.chunk} events with a
 * final usage chunk and {@code [DONE]} (https://platform.openai.com/docs/api-reference/chat-streaming); and the real
 * OpenAI adapter pointed at it.
 */
public final class OpenAiUpstream {

    private OpenAiUpstream() {}

    /** @return an OpenAI adapter for {@code model} calling {@code server}, with fixed test prices */
    public static OpenAiCompatibleChatModel.Builder adapter(MockWebServer server, String model) {
        return adapter(server, OpenAiCompatibleEndpoint.OPENAI, model);
    }

    /** @return an adapter of that OpenAI-compatible provider for {@code model} calling {@code server} */
    public static OpenAiCompatibleChatModel.Builder adapter(MockWebServer server, OpenAiCompatibleEndpoint endpoint,
            String model) {
        return OpenAiCompatibleChatModel.builder(endpoint.withBaseUrl(server.url("/v1").toString()), model)
                .apiKey(ApiKey.of("sk-test")).pricer(TestPricers.FIXED).environment(Map.of());
    }

    /** @return a whole (non-streamed) completion answering {@code text} */
    public static MockResponse completion(String model, String text) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,
                 "message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""".formatted(model, text))
                .build();
    }

    /** @return an OpenAI error answer */
    public static MockResponse error(int status, String type, String code) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"" + code + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\""
                        + code + "\"}}").build();
    }

    /** @return a 429 asking to wait {@code seconds} ({@code retry-after}) */
    public static MockResponse rateLimited(int seconds) {
        return error(429, "requests", "rate_limit_exceeded").newBuilder()
                .addHeader("retry-after", Integer.toString(seconds)).build();
    }

    /** @return a 500 */
    public static MockResponse serverError() {
        return error(500, "server_error", "server_error");
    }

    /**
     * @param model the model the chunks name
     * @param deltas the text, chunk by chunk
     * @return a whole stream: a role chunk, the text chunks, a finish chunk, a usage chunk (10 prompt tokens, one
     *     completion token per delta), {@code [DONE]}
     */
    public static MockResponse stream(String model, String... deltas) {
        List<String> events = new ArrayList<>();
        events.add(chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", "null"));
        for (String d : deltas) {
            events.add(chunk(model, "{\"content\":\"" + d + "\"}", "null"));
        }
        events.add(chunk(model, "{}", "\"stop\""));
        events.add("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":" + deltas.length
                + ",\"total_tokens\":" + (10 + deltas.length) + "}}");
        events.add("[DONE]");
        return eventStream(sse(events.toArray(String[]::new)));
    }

    /** @return a stream cut after one text chunk: no finish, no usage, no {@code [DONE]} */
    public static MockResponse cutAfter(String model, String delta) {
        return eventStream(sse(chunk(model, "{\"content\":\"" + delta + "\"}", "null")));
    }

    /** @return one {@code chat.completion.chunk} event's data */
    public static String chunk(String model, String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\",\"choices\":"
                + "[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}";
    }

    /** @return the events as server-sent events */
    public static String sse(String... events) {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            sb.append("data: ").append(e).append("\n\n");
        }
        return sb.toString();
    }

    /** @return a 200 {@code text/event-stream} with that body */
    public static MockResponse eventStream(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    /** @return the text of every chunk left in the stream, which is then closed */
    public static List<String> readAll(ChatStream stream) {
        List<String> texts = new ArrayList<>();
        try (stream) {
            stream.forEachRemaining((ChatChunk c) -> texts.add(c.contentDelta()));
        }
        return texts;
    }

    /** @return the cost records of the context, in order */
    public static List<CostRecord> costRecords(WorkflowContext context) {
        return context.attributeValues("record", CostRecord.class);
    }
}
