package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Estimates a chat request's prompt tokens without a tokenizer (one per model family would cost more per request than
 * the rest of the pipeline). The estimate reserves budgets, counts toward a key's tokens per minute, and is ledgered
 * when a provider reports no usage, so it errs high where a plain characters-over-four count errs low:
 * <ul>
 *   <li>ASCII text at four characters a token; every other character (CJK, Cyrillic, emoji...) as a token of its own,
 *       as BPE vocabularies split them that finely or close to it;
 *   <li>4 tokens per message and 3 for the reply's priming, as OpenAI counts them;
 *   <li>each image as {@value #PER_IMAGE} tokens, about the most one image costs (Anthropic's images up to 1.15
 *       megapixels; OpenAI's and Gemini's cost less);
 *   <li>tool definitions and the arguments of earlier tool calls, which are prompt too, by their JSON text.
 * </ul>
 * Stateless.
 */
final class PromptTokens {
    /** Tokens counted for one image. */
    static final long PER_IMAGE = 1_600;

    private PromptTokens() {}

    /**
     * @param body a chat request
     * @param allText the text of its messages
     * @return the estimated prompt tokens
     */
    static long estimate(JsonNode body, String allText) {
        JsonNode messages = body.path("messages");
        long tokens = text(allText) + 4L * messages.size() + 3;
        for (JsonNode m : messages) {
            JsonNode content = m.path("content");
            if (content.isArray()) {
                for (JsonNode part : content) {
                    if ("image_url".equals(part.path("type").asText())) {
                        tokens += PER_IMAGE;
                    }
                }
            }
            tokens += toolCalls(m);
        }
        for (JsonNode tool : body.path("tools")) {
            tokens += text(tool.toString());
        }
        return tokens;
    }

    /**
     * Estimates the output tokens of an OpenAI chat completion, for an answer whose provider reported no usage: the
     * text of every choice's message (content, refusal, reasoning) and its tool calls, counted as prompt text is.
     *
     * @param completion a chat completion
     * @return the estimated output tokens
     */
    static long answer(JsonNode completion) {
        long tokens = 0;
        for (JsonNode choice : completion.path("choices")) {
            JsonNode message = choice.path("message");
            for (String field : new String[] {"content", "refusal", "reasoning_content", "reasoning"}) {
                tokens += text(message.path(field).asText(""));
            }
            tokens += toolCalls(message);
        }
        return tokens;
    }

    /** @return tokens of the names and arguments of a message's tool calls */
    private static long toolCalls(JsonNode message) {
        long tokens = 0;
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode fn = call.path("function");
            tokens += text(fn.path("name").asText("")) + text(fn.path("arguments").asText(""));
        }
        return tokens;
    }

    /** @return tokens of a text: ASCII at four characters a token, any other character (code point) one */
    static long text(String s) {
        long ascii = 0;
        long other = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                ascii++;
            } else if (!Character.isLowSurrogate(c)) {
                other++;
            }
        }
        return (ascii + 3) / 4 + other;
    }
}
