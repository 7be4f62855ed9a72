package dev.costwise.llm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.wire.OpenAiWire;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

    private static final OpenAiWire WIRE = new OpenAiWire();

    private static ChatRequest read(String json) {
        return WIRE.readRequest(WIRE.parse(json)).chat();
    }

    @Test
    void givenAnthropicBetas_whenBuilt_thenRepeatsCountOnceAndAMalformedNameIsRefusedByName() {
        ChatRequest request = ChatRequest.builder("claude-sonnet-4-5").addMessage(Message.user("hi"))
                .anthropicBetas(List.of("b-2", "a-1", "b-2")).build();

        assertThat(request.anthropicBetas()).containsExactly("b-2", "a-1");
        assertThat(request.toBuilder().build().anthropicBetas()).containsExactly("b-2", "a-1");
        assertThatThrownBy(() -> request.toBuilder().anthropicBetas(List.of("a-1", "x\r\ny: z")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anthropic beta 'x\r\ny: z' is not a beta name");
    }

    @Test
    void givenBreakpointsOnAToolAndAMessage_whenTheLongestIsAsked_thenItIsTheLongestLifetimeAmongThem() {
        ChatRequest request = read("""
                {"model": "claude-haiku-4-5",
                 "tools": [{"type": "function", "function": {"name": "f", "parameters": {}},
                            "cache_control": {"type": "ephemeral"}}],
                 "messages": [{"role": "system", "content": "Long rules", "cache_control": {"type": "ephemeral",
                               "ttl": "1h"}},
                              {"role": "user", "content": "hi"}]}""");

        assertThat(request.longestCacheBreakpoint()).contains(CacheControl.Ttl.ONE_HOUR);
        assertThat(read("""
                {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}""").longestCacheBreakpoint())
                .isEmpty();
    }

    @Test
    void givenAnHourLongBreakpointOnAToolCall_whenTheLongestIsAsked_thenItCounts() {
        ChatRequest request = read("""
                {"model": "claude-haiku-4-5",
                 "messages": [{"role": "user", "content": "List the files", "cache_control": {"type": "ephemeral"}},
                              {"role": "assistant", "content": null, "tool_calls": [{"id": "toolu_01",
                                "type": "function", "function": {"name": "ls", "arguments": "{}"},
                                "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
                              {"role": "tool", "tool_call_id": "toolu_01", "content": "a.txt"}]}""");

        assertThat(request.longestCacheBreakpoint()).contains(CacheControl.Ttl.ONE_HOUR);
    }
}
