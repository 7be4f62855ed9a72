package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import java.util.List;

/**
 * The system prompt for a provider that reads it as one text (Anthropic's {@code system} string, Gemini's
 * {@code systemInstruction}) rather than as messages.
 */
public final class SystemPrompts {

    /**
     * What goes between two system texts, two system messages or two text parts of one alike: a blank line. Joined
     * without one, parts such as "Be brief." and "Answer in French." would reach the model as one changed sentence.
     */
    public static final String SEPARATOR = "\n\n";

    private SystemPrompts() {}

    /**
     * @param messages a conversation
     * @return the text parts of its system messages, in order, blank ones left out
     */
    public static List<String> texts(List<Message> messages) {
        return messages.stream().filter(m -> m.role() == Role.SYSTEM).flatMap(m -> m.content().stream())
                .filter(p -> p instanceof ContentPart.Text).map(p -> ((ContentPart.Text) p).text())
                .filter(text -> !text.isBlank()).toList();
    }
}
