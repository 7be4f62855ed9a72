package dev.costwise.llm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PromptTokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long estimate(String body, String allText) throws Exception {
        return PromptTokens.estimate(JSON.readTree(body), allText);
    }

    @Test
    void givenEnglishText_whenEstimated_thenFourCharactersATokenPlusOpenAisOverheads() throws Exception {
        // (25 + 3) / 4 = 7 tokens of text, 4 for the message, 3 for the reply's priming
        assertThat(estimate("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
                "Analyze this architecture")).isEqualTo(14);
    }

    @Test
    void givenTextOutsideAscii_whenEstimated_thenEachCharacterIsATokenNotAQuarterOfOne() {
        assertThat(PromptTokens.text("你好世界")).as("4 CJK characters, which chars/4 counted as 1").isEqualTo(4);
        assertThat(PromptTokens.text("Привет, мир")).as("9 Cyrillic letters; ', ' at 4 a token")
                .isEqualTo(9 + 1);
        assertThat(PromptTokens.text("ok 👍")).as("an emoji is one code point of two chars").isEqualTo(1 + 1);
    }

    @Test
    void givenImagesToolsAndEarlierToolCalls_whenEstimated_thenEachCountsAsPrompt() throws Exception {
        String tool = "{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"query\":{\"type\":\"string\",\"description\":\"what to look up\"}}}}}";
        String body = """
                {"messages": [
                  {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "lookup", "arguments": "{\\"query\\":\\"a cat\\"}"}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "A cat."}],
                 "tools": [%s]}""".formatted(tool);

        long expected = PromptTokens.text("What is this?\nA cat.") + 4 * 3 + 3 // text, 3 messages, priming
                + 2 * PromptTokens.PER_IMAGE
                + PromptTokens.text("lookup") + PromptTokens.text("{\"query\":\"a cat\"}")
                + PromptTokens.text(tool);
        assertThat(estimate(body, "What is this?\nA cat.")).isEqualTo(expected);
        assertThat(PromptTokens.estimate(JSON.readTree(body))).as("with the text taken from the body")
                .isEqualTo(expected);
        assertThat(expected).as("the images dominate").isGreaterThan(3200);
    }

    @Test
    void givenStringAndPartContents_whenTheirTextIsTaken_thenEveryTextIsKeptOneLineApart() throws Exception {
        JsonNode body = JSON.readTree("""
                {"messages": [{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": [{"type": "text", "text": "a"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                    {"type": "text", "text": "b"}]}]}""");

        assertThat(PromptTokens.allText(body)).isEqualTo("Be brief.\na\nb");
        assertThat(PromptTokens.contentText(body.get("messages").get(1).get("content"))).isEqualTo("a\nb");
        assertThat(PromptTokens.contentText(body.get("messages").get(0).get("content"))).isEqualTo("Be brief.");
    }
}
