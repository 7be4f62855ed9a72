package dev.costwise.llm.wire;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Estimates an OpenAI chat request's prompt tokens from its JSON without a tokenizer (one per model family would cost
 * more per request than the rest of the gateway's pipeline). The gateway reserves budgets with the estimate, counts it
 * toward a key's tokens per minute, and ledgers it when a provider reports no usage; the planner reserves with the
 * same estimate so that it predicts the gateway's budget decisions. It errs high where a plain characters-over-four
 * count errs low:
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
public final class PromptTokens {
    /** Tokens counted for one image. */
    public static final long PER_IMAGE = 1_600;

    private PromptTokens() {}

    /**
     * @param body a chat request
     * @return the estimated prompt tokens
     */
    public static long estimate(JsonNode body) {
        return estimate(body, allText(body));
    }

    /**
     * @param body a chat request
     * @param allText the text of its messages, as {@link #allText} gives it (for a caller that has it already)
     * @return the estimated prompt tokens
     */
    public static long estimate(JsonNode body, String allText) {
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
    public static long answer(JsonNode completion) {
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

    /**
     * @param body a chat request
     * @return the text of all its messages (string contents and text parts), one line apart
     */
    public static String allText(JsonNode body) {
        JsonNode messages = body.path("messages");
        if (messages.size() == 1 && messages.get(0).path("content").isTextual()) {
            return messages.get(0).path("content").textValue(); // the common case needs no copy
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages) {
            appendContent(sb, m.path("content"));
        }
        return sb.toString();
    }

    /**
     * @param body a chat request
     * @return the text of its last user message ({@link #contentText}), empty without one
     */
    public static String lastUserText(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).path("role").asText())) {
                return contentText(messages.get(i).path("content"));
            }
        }
        return "";
    }

    /**
     * @param content a message's {@code content}: a string or an array of parts
     * @return its text (the string, or the text parts one line apart)
     */
    public static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder sb = new StringBuilder();
        appendContent(sb, content);
        return sb.toString();
    }

    private static void appendContent(StringBuilder sb, JsonNode content) {
        if (content.isTextual()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(content.asText());
        } else if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.has("text")) {
                    if (!sb.isEmpty()) {
                        sb.append('\n');
                    }
                    sb.append(part.get("text").asText());
                }
            }
        }
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

    /**
     * @param s a text
     * @return its tokens: ASCII at four characters a token, any other character (code point) one
     */
    public static long text(String s) {
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
