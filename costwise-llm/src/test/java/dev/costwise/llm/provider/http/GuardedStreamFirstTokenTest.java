package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The first-token limit of {@link GuardedStream} against streams that open with metadata at once and send the first
 * output later, as Anthropic (https://docs.claude.com/en/docs/build-with-claude/streaming: {@code message_start},
 * {@code ping}) and OpenAI (https://platform.openai.com/docs/api-reference/chat-streaming: a first chunk with only
 * {@code role}) do: the metadata is not the first token, so the limit still fires.
 */
class GuardedStreamFirstTokenTest {

    private static final StreamTimeouts LIMITS = StreamTimeouts.of(Duration.ofSeconds(2), Duration.ofSeconds(30));

    @StartStop
    private final MockWebServer server = new MockWebServer();

    /** Sends {@code head} at once and {@code rest} only 5 s later. */
    private void enqueueSlowAfter(String head, String rest) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(head + rest).throttleBody(head.length(), 5, TimeUnit.SECONDS).build());
    }

    /** Opens the stream (the headers come at once, so this succeeds) and reads it, which should time out. */
    private static ProviderException.ProviderTimeout readFails(ChatModel model, String name) {
        try (ChatStream s = model.stream(ChatRequest.of(name, "Hi"), WorkflowContext.of("t"))) {
            return catchThrowableOfType(ProviderException.ProviderTimeout.class, () -> s.forEachRemaining(c -> { }));
        }
    }

    @Test
    void givenAnthropicMessageStartAndPingAtOnceButTextLate_whenStreamed_thenFirstTokenTimeout() {
        String model = "claude-sonnet-4-5";
        enqueueSlowAfter("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",\
                "content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,\
                "usage":{"input_tokens":100,"output_tokens":1}}}

                event: ping
                data: {"type": "ping"}

                """, """
                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}

                event: message_stop
                data: {"type":"message_stop"}

                """);
        AnthropicChatModel m = AnthropicChatModel.builder(model).apiKey("sk-ant-test-key-123")
                .baseUrl(server.url("/").uri()).pricer(TestPricers.FIXED).streamTimeouts(LIMITS).build();

        ProviderException.ProviderTimeout e = readFails(m, model);

        assertThat(e).as("no first-token timeout").isNotNull().hasMessageContaining("first token");
        assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void givenOpenAiRoleOnlyChunkAtOnceButContentLate_whenStreamed_thenFirstTokenTimeout() {
        String chunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{%s},\"finish_reason\":%s}]}\n\n";
        enqueueSlowAfter(chunk.formatted("\"role\":\"assistant\",\"content\":\"\"", "null"),
                chunk.formatted("\"content\":\"Hello\"", "null") + chunk.formatted("", "\"stop\"")
                        + "data: [DONE]\n\n");
        OpenAiCompatibleChatModel m = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), "gpt-4o-mini")
                .apiKey(ApiKey.of("sk-test-key-123")).pricer(TestPricers.FIXED).streamTimeouts(LIMITS).build();

        ProviderException.ProviderTimeout e = readFails(m, "gpt-4o-mini");

        assertThat(e).as("no first-token timeout").isNotNull().hasMessageContaining("first token");
        assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(2));
    }
}
