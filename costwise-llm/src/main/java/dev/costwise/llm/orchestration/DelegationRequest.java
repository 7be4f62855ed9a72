package dev.costwise.llm.orchestration;

import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task handed to a named executor.
 *
 * @param taskDescription what the task is, for records and validation
 * @param executorModel the registered executor to run it
 * @param messages the conversation sent to the executor; never empty
 * @param maxTokens the output limit, if set
 * @param responseFormat free text or JSON
 */
public record DelegationRequest(String taskDescription, String executorModel, List<Message> messages,
        Optional<Integer> maxTokens, ResponseFormat responseFormat) {

    public DelegationRequest {
        Objects.requireNonNull(taskDescription, "taskDescription");
        Objects.requireNonNull(executorModel, "executorModel");
        messages = List.copyOf(messages);
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(responseFormat, "responseFormat");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a delegation needs at least one message, task '" + taskDescription
                    + "' had none");
        }
    }

    /**
     * A free-text delegation with no output limit.
     *
     * @param taskDescription what the task is
     * @param executorModel the executor
     * @param messages the conversation
     * @return the request
     */
    public static DelegationRequest of(String taskDescription, String executorModel, List<Message> messages) {
        return new DelegationRequest(taskDescription, executorModel, messages, Optional.empty(),
                new ResponseFormat.Text());
    }

    /**
     * The same task for another executor (a fallback or an escalation).
     *
     * @param model the executor
     * @return the copy
     */
    public DelegationRequest withExecutor(String model) {
        return new DelegationRequest(taskDescription, model, messages, maxTokens, responseFormat);
    }
}
