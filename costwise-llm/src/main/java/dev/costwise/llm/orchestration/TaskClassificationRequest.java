package dev.costwise.llm.orchestration;

import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import java.util.List;
import java.util.Objects;

/**
 * A task to classify: what it is, the conversation it comes with, and the caller's preferences.
 *
 * @param taskDescription a short statement of the task (may be empty when the messages say it all)
 * @param messages the conversation the executor will receive (may be empty when the description says it all)
 * @param preferences model preferences and capability needs
 */
public record TaskClassificationRequest(String taskDescription, List<Message> messages, TaskPreferences preferences) {

    public TaskClassificationRequest {
        Objects.requireNonNull(taskDescription, "taskDescription");
        messages = List.copyOf(messages);
        Objects.requireNonNull(preferences, "preferences");
        if (taskDescription.isBlank() && messages.isEmpty()) {
            throw new IllegalArgumentException("a task needs a description or messages, both were empty");
        }
    }

    /**
     * A task given as one user prompt, with default preferences.
     *
     * @param prompt the prompt
     * @return the request
     */
    public static TaskClassificationRequest of(String prompt) {
        return new TaskClassificationRequest(prompt, List.of(Message.user(prompt)), TaskPreferences.DEFAULT);
    }

    /**
     * The text the task is judged on: the description and the last user message (the rest of a conversation is
     * context, not the ask).
     *
     * @return the text
     */
    public String askText() {
        String last = "";
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                last = messages.get(i).text();
                break;
            }
        }
        if (last.isEmpty() || last.equals(taskDescription)) {
            return taskDescription.isEmpty() ? last : taskDescription;
        }
        return taskDescription.isEmpty() ? last : taskDescription + "\n" + last;
    }
}
