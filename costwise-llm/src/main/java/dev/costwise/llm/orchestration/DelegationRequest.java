package dev.costwise.llm.orchestration;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.ServiceTier;
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
 * @param reasoning how much the executor may think, if set and it reasons
 * @param serviceTier the tier the executor is asked to run on, if set
 * @param caller the caller's request whose tools, tool choice and sampling fields the executor gets, if any
 *     ({@link ExecutorSettings#caller()})
 */
public record DelegationRequest(String taskDescription, String executorModel, List<Message> messages,
        Optional<Integer> maxTokens, ResponseFormat responseFormat, Optional<Reasoning> reasoning,
        Optional<ServiceTier> serviceTier, Optional<ChatRequest> caller) {

    public DelegationRequest {
        Objects.requireNonNull(taskDescription, "taskDescription");
        Objects.requireNonNull(executorModel, "executorModel");
        messages = List.copyOf(messages);
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(serviceTier, "serviceTier");
        Objects.requireNonNull(caller, "caller");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a delegation needs at least one message, task '" + taskDescription
                    + "' had none");
        }
    }

    /**
     * A delegation without the caller's tools and sampling fields.
     *
     * @param taskDescription what the task is
     * @param executorModel the executor
     * @param messages the conversation
     * @param maxTokens the output limit, if set
     * @param responseFormat free text or JSON
     * @param reasoning how much the executor may think, if set
     * @param serviceTier the tier the executor is asked to run on, if set
     */
    public DelegationRequest(String taskDescription, String executorModel, List<Message> messages,
            Optional<Integer> maxTokens, ResponseFormat responseFormat, Optional<Reasoning> reasoning,
            Optional<ServiceTier> serviceTier) {
        this(taskDescription, executorModel, messages, maxTokens, responseFormat, reasoning, serviceTier,
                Optional.empty());
    }

    /**
     * A delegation on the provider's default tier.
     *
     * @param taskDescription what the task is
     * @param executorModel the executor
     * @param messages the conversation
     * @param maxTokens the output limit, if set
     * @param responseFormat free text or JSON
     * @param reasoning how much the executor may think, if set
     */
    public DelegationRequest(String taskDescription, String executorModel, List<Message> messages,
            Optional<Integer> maxTokens, ResponseFormat responseFormat, Optional<Reasoning> reasoning) {
        this(taskDescription, executorModel, messages, maxTokens, responseFormat, reasoning, Optional.empty());
    }

    /**
     * A delegation with the model's default reasoning.
     *
     * @param taskDescription what the task is
     * @param executorModel the executor
     * @param messages the conversation
     * @param maxTokens the output limit, if set
     * @param responseFormat free text or JSON
     */
    public DelegationRequest(String taskDescription, String executorModel, List<Message> messages,
            Optional<Integer> maxTokens, ResponseFormat responseFormat) {
        this(taskDescription, executorModel, messages, maxTokens, responseFormat, Optional.empty());
    }

    /**
     * A delegation answering as {@code settings} say.
     *
     * @param taskDescription what the task is
     * @param executorModel the executor
     * @param messages the conversation
     * @param settings output limit, format, reasoning, service tier and the caller's request, if any
     * @return the request
     */
    public static DelegationRequest of(String taskDescription, String executorModel, List<Message> messages,
            ExecutorSettings settings) {
        return new DelegationRequest(taskDescription, executorModel, messages, settings.maxTokens(),
                settings.responseFormat(), settings.reasoning(), settings.serviceTier(), settings.caller());
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
        return new DelegationRequest(taskDescription, model, messages, maxTokens, responseFormat, reasoning,
                serviceTier, caller);
    }

    /** @return the same task with no reasoning setting, for an executor that does not reason */
    public DelegationRequest withoutReasoning() {
        return new DelegationRequest(taskDescription, executorModel, messages, maxTokens, responseFormat,
                Optional.empty(), serviceTier, caller);
    }
}
