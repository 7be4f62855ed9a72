package dev.costwise.llm.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One message of a conversation, in the OpenAI chat-completions shape.
 *
 * @param role who wrote it
 * @param content its parts, in order; empty for an assistant message that only calls tools; reasoning blocks only in
 *     an assistant message
 * @param name an optional participant name
 * @param toolCalls the tool calls of an assistant message
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers
 * @param toolError for a {@link Role#TOOL} message, {@code true} if the tool failed and the content is its error
 *     (Anthropic's {@code is_error}; other providers read the error from the content)
 * @param toolCallPositions where each tool call sits among the content parts of an assistant message: the number of
 *     parts before it, in the order of {@code toolCalls} (never decreasing). Empty when every call comes after all
 *     the content, as in OpenAI's format; a list that says so is stored empty. Anthropic's answers interleave their
 *     blocks ({@code thinking}, {@code tool_use}, {@code thinking}, {@code text}...) and take them back only in
 *     their order, so the order travels; providers whose format has no place for it put the calls last.
 */
public record Message(Role role, List<ContentPart> content, Optional<String> name, List<ToolCall> toolCalls,
        Optional<String> toolCallId, boolean toolError, List<Integer> toolCallPositions) {

    public Message {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
        Objects.requireNonNull(name, "name");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(toolCallId, "toolCallId");
        toolCallPositions = positions(toolCallPositions, toolCalls.size(), content.size());
        if (role == Role.TOOL && toolCallId.isEmpty()) {
            throw new IllegalArgumentException("a tool message needs the toolCallId of the call it answers");
        }
        if (toolError && role != Role.TOOL) {
            throw new IllegalArgumentException("only a tool message can report a tool error, not a " + role
                    + " message");
        }
        if (role != Role.ASSISTANT && content.stream().anyMatch(Message::isReasoning)) {
            throw new IllegalArgumentException("only an assistant message can hold reasoning blocks, not a "
                    + role + " message");
        }
    }

    /**
     * A message whose tool calls (if any) come after all its content; the components as above.
     *
     * @param role who wrote it
     * @param content its parts
     * @param name an optional participant name
     * @param toolCalls the tool calls of an assistant message
     * @param toolCallId for a tool message, the id of the call it answers
     * @param toolError for a tool message, {@code true} if the tool failed
     */
    public Message(Role role, List<ContentPart> content, Optional<String> name, List<ToolCall> toolCalls,
            Optional<String> toolCallId, boolean toolError) {
        this(role, content, name, toolCalls, toolCallId, toolError, List.of());
    }

    /** @return the positions checked, and empty when they put every call after the content */
    private static List<Integer> positions(List<Integer> positions, int calls, int parts) {
        List<Integer> copy = List.copyOf(positions);
        if (copy.isEmpty()) {
            return copy;
        }
        if (copy.size() != calls) {
            throw new IllegalArgumentException("toolCallPositions needs one position per tool call: " + calls
                    + " calls, " + copy.size() + " positions");
        }
        int last = 0;
        for (int p : copy) {
            if (p < last || p > parts) {
                throw new IllegalArgumentException("toolCallPositions must run from 0 to the " + parts
                        + " content parts without going back, was " + copy);
            }
            last = p;
        }
        return copy.getFirst() == parts ? List.of() : copy;
    }

    /**
     * A message that is not a failed tool's result; the components as above.
     *
     * @param role who wrote it
     * @param content its parts
     * @param name an optional participant name
     * @param toolCalls the tool calls of an assistant message
     * @param toolCallId for a tool message, the id of the call it answers
     */
    public Message(Role role, List<ContentPart> content, Optional<String> name, List<ToolCall> toolCalls,
            Optional<String> toolCallId) {
        this(role, content, name, toolCalls, toolCallId, false);
    }

    /** @return a system message with the given text */
    public static Message system(String text) {
        return of(Role.SYSTEM, text);
    }

    /** @return a user message with the given text */
    public static Message user(String text) {
        return of(Role.USER, text);
    }

    /** @return an assistant message with the given text */
    public static Message assistant(String text) {
        return of(Role.ASSISTANT, text);
    }

    /**
     * A tool result.
     *
     * @param toolCallId the id of the call this answers
     * @param text the result
     * @return the message
     */
    public static Message toolResult(String toolCallId, String text) {
        return new Message(Role.TOOL, List.of(ContentPart.text(text)), Optional.empty(), List.of(),
                Optional.of(toolCallId));
    }

    /**
     * A failed tool's result.
     *
     * @param toolCallId the id of the call this answers
     * @param error what went wrong, as the tool reported it
     * @return the message
     */
    public static Message toolError(String toolCallId, String error) {
        return new Message(Role.TOOL, List.of(ContentPart.text(error)), Optional.empty(), List.of(),
                Optional.of(toolCallId), true);
    }

    /**
     * A message with one text part.
     *
     * @param role the role
     * @param text the text
     * @return the message
     */
    public static Message of(Role role, String text) {
        return new Message(role, List.of(ContentPart.text(text)), Optional.empty(), List.of(), Optional.empty());
    }

    /** @return the text parts joined without separator (images are left out) */
    public String text() {
        return content.stream()
                .filter(p -> p instanceof ContentPart.Text)
                .map(p -> ((ContentPart.Text) p).text())
                .collect(Collectors.joining());
    }

    /** @return {@code true} if any part is an image */
    public boolean hasImages() {
        return content.stream().anyMatch(p -> p instanceof ContentPart.Image);
    }

    /** @return the reasoning blocks ({@link ContentPart.Thinking}, {@link ContentPart.RedactedThinking}), in order */
    public List<ContentPart> reasoning() {
        return content.stream().filter(Message::isReasoning).toList();
    }

    /**
     * @param call a tool call's index in {@link #toolCalls()}
     * @return how many content parts come before it
     */
    public int toolCallPosition(int call) {
        Objects.checkIndex(call, toolCalls.size());
        return toolCallPositions.isEmpty() ? content.size() : toolCallPositions.get(call);
    }

    /** @return this message without its reasoning blocks (for a provider that cannot take them back) */
    public Message withoutReasoning() {
        if (content.stream().noneMatch(Message::isReasoning)) {
            return this;
        }
        List<Integer> positions = new ArrayList<>();
        for (int p : toolCallPositions) {
            positions.add((int) content.subList(0, p).stream().filter(c -> !isReasoning(c)).count());
        }
        return new Message(role, content.stream().filter(p -> !isReasoning(p)).toList(), name, toolCalls, toolCallId,
                toolError, positions);
    }

    private static boolean isReasoning(ContentPart part) {
        return part instanceof ContentPart.Thinking || part instanceof ContentPart.RedactedThinking;
    }
}
