package dev.costwise.llm.orchestration;

import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task for the {@link MultiModelWorkflow}.
 *
 * @param taskDescription what the task is
 * @param messages the conversation the executor receives; never empty
 * @param preferences model preferences and capability needs
 * @param validate whether the orchestrator judges the output (and a fail escalates)
 * @param rubric what the validator judges against, if not the default rubric
 * @param executor an executor to use instead of the classifier's recommendation, if set
 * @param settings how the executor is to answer (output limit, format, reasoning), as the caller asked
 */
public record MultiModelRequest(String taskDescription, List<Message> messages, TaskPreferences preferences,
        boolean validate, Optional<String> rubric, Optional<String> executor, ExecutorSettings settings) {

    /** The most characters of a chat's last user message {@link #answering} takes as the task's description. */
    public static final int ANSWERING_DESCRIPTION_CHARS = 200;

    public MultiModelRequest {
        Objects.requireNonNull(taskDescription, "taskDescription");
        messages = List.copyOf(messages);
        Objects.requireNonNull(preferences, "preferences");
        Objects.requireNonNull(rubric, "rubric");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(settings, "settings");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages cannot be empty for task '" + taskDescription + "'");
        }
    }

    /**
     * A task given as one user prompt, not validated, default preferences.
     *
     * @param prompt the prompt (also the description)
     * @return the request
     */
    public static MultiModelRequest of(String prompt) {
        return builder(prompt).addMessage(Message.user(prompt)).build();
    }

    /**
     * Starts a task that answers a chat request as its caller asked (what the gateway's {@code auto} workflow runs,
     * and the planner replays): described by the start of the last user message (at most
     * {@value #ANSWERING_DESCRIPTION_CHARS} characters), the executor given every message of the request and answering
     * within its output limit, format, reasoning, tier, tools and sampling fields ({@link ExecutorSettings#answering}).
     *
     * @param chat the caller's request
     * @param lastUserText the text of its last user message, as the caller's JSON gives it
     * @return a builder, for example to mark the task validated
     */
    public static Builder answering(ChatRequest chat, String lastUserText) {
        String task = lastUserText.length() > ANSWERING_DESCRIPTION_CHARS
                ? lastUserText.substring(0, ANSWERING_DESCRIPTION_CHARS) : lastUserText;
        return builder(task).messages(chat.messages()).settings(ExecutorSettings.answering(chat));
    }

    /**
     * Starts a request.
     *
     * @param taskDescription what the task is
     * @return a builder
     */
    public static Builder builder(String taskDescription) {
        return new Builder(taskDescription);
    }

    /** @return the request as the classifier sees it */
    public TaskClassificationRequest classificationRequest() {
        return new TaskClassificationRequest(taskDescription, messages, preferences);
    }

    /** Builds a {@link MultiModelRequest}. Not thread-safe. */
    public static final class Builder {
        private final String taskDescription;
        private final List<Message> messages = new ArrayList<>();
        private TaskPreferences preferences = TaskPreferences.DEFAULT;
        private boolean validate;
        private Optional<String> rubric = Optional.empty();
        private Optional<String> executor = Optional.empty();
        private ExecutorSettings settings = ExecutorSettings.DEFAULT;

        private Builder(String taskDescription) {
            this.taskDescription = Objects.requireNonNull(taskDescription, "taskDescription");
        }

        /** @param message appended to the conversation; @return this builder */
        public Builder addMessage(Message message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /** @param values replace the conversation; @return this builder */
        public Builder messages(List<Message> values) {
            messages.clear();
            messages.addAll(values);
            return this;
        }

        /** @param value the preferences; default {@link TaskPreferences#DEFAULT}; @return this builder */
        public Builder preferences(TaskPreferences value) {
            this.preferences = Objects.requireNonNull(value, "preferences");
            return this;
        }

        /**
         * Has the orchestrator validate the output; a failed validation escalates. Default: not validated.
         *
         * @return this builder
         */
        public Builder validated() {
            this.validate = true;
            return this;
        }

        /**
         * Validates against {@code value} instead of the default rubric; implies {@link #validated()}.
         *
         * @param value the rubric
         * @return this builder
         */
        public Builder rubric(String value) {
            this.rubric = Optional.of(Objects.requireNonNull(value, "rubric"));
            this.validate = true;
            return this;
        }

        /**
         * Runs the task on {@code model} instead of the classifier's recommendation. Default: the recommendation.
         *
         * @param model a registered executor
         * @return this builder
         */
        public Builder executor(String model) {
            this.executor = Optional.of(Objects.requireNonNull(model, "executor"));
            return this;
        }

        /**
         * Sets how the executor answers: its output limit, the answer's format and its reasoning. A JSON format also
         * limits the choice to executors that support JSON. Default {@link ExecutorSettings#DEFAULT}.
         *
         * @param value the settings
         * @return this builder
         */
        public Builder settings(ExecutorSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /**
         * @return the request
         * @throws IllegalArgumentException if no message was added
         */
        public MultiModelRequest build() {
            TaskPreferences needs = preferences;
            if (settings.wantsJson() && !needs.requiredCapabilities().contains(Capability.JSON)) {
                needs = needs.toBuilder().require(Capability.JSON).build(); // a JSON answer needs a JSON-capable model
            }
            return new MultiModelRequest(taskDescription, messages, needs, validate, rubric, executor, settings);
        }
    }
}
