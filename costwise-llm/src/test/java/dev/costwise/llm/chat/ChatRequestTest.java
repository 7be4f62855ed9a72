package dev.costwise.llm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.wire.OpenAiWire;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

    private static final OpenAiWire WIRE = new OpenAiWire();

    private static ChatRequest read(String json) {
        return WIRE.readRequest(WIRE.parse(json)).chat();
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
}
