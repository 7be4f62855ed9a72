package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import java.util.stream.Collectors;

/**
 * A tool result's text for a provider that reads a result as one string (Gemini's {@code functionResponse}, Ollama's
 * tool message). Anthropic takes a result's text blocks as blocks and OpenAI a tool message's parts as parts, so they
 * need no joining.
 */
public final class ToolResults {

    /**
     * What goes between two text parts of one tool result: a line break. A tool's parts are separate pieces of its
     * output ({@code exit code: 1} and {@code stderr: No such file}); joined without one they run into one changed
     * line. One line break keeps them apart as lines, as a terminal would show them, without adding the blank line
     * that separates the paragraphs of a system prompt ({@link SystemPrompts#SEPARATOR}).
     */
    public static final String SEPARATOR = "\n";

    private ToolResults() {}

    /**
     * @param result a tool message
     * @return its text parts, joined by {@link #SEPARATOR} (images are left out)
     */
    public static String text(Message result) {
        return result.content().stream().filter(p -> p instanceof ContentPart.Text)
                .map(p -> ((ContentPart.Text) p).text()).collect(Collectors.joining(SEPARATOR));
    }
}
