package dev.costwise.llm.orchestration;

import dev.costwise.llm.chat.ChatModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The executor models a workflow may delegate to, by catalog model name (the spec's {@code executor_primitives}).
 *
 * <p>Immutable and thread-safe once built.
 *
 * <pre>{@code
 * ExecutorRegistry executors = ExecutorRegistry.of(geminiFree, deepseekFree, groqLlama);
 * }</pre>
 */
public final class ExecutorRegistry {
    private final Map<String, ChatModel> executors;

    private ExecutorRegistry(Map<String, ChatModel> executors) {
        this.executors = Collections.unmodifiableMap(new LinkedHashMap<>(executors));
    }

    /**
     * A registry of {@code models}, each under its {@link ChatModel#name()}.
     *
     * @param models the executors
     * @return the registry
     * @throws IllegalArgumentException if two models share a name
     */
    public static ExecutorRegistry of(ChatModel... models) {
        Builder b = builder();
        for (ChatModel m : models) {
            b.register(m);
        }
        return b.build();
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The executor for {@code model}.
     *
     * @param model the catalog model name
     * @return the executor
     * @throws UnknownExecutorException if none is registered under that name; the message lists the registered ones
     */
    public ChatModel require(String model) {
        ChatModel m = executors.get(Objects.requireNonNull(model, "model"));
        if (m == null) {
            throw new UnknownExecutorException(model, executors.keySet());
        }
        return m;
    }

    /**
     * @param model the catalog model name
     * @return the executor, if registered
     */
    public Optional<ChatModel> find(String model) {
        return Optional.ofNullable(executors.get(model));
    }

    /**
     * @param model the catalog model name
     * @return {@code true} if an executor is registered under it
     */
    public boolean contains(String model) {
        return executors.containsKey(model);
    }

    /** @return the registered names, in registration order */
    public Set<String> names() {
        return executors.keySet();
    }

    @Override
    public String toString() {
        return "ExecutorRegistry" + executors.keySet();
    }

    /** Builds an {@link ExecutorRegistry}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, ChatModel> executors = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Registers {@code model} under its own name.
         *
         * @param model the executor
         * @return this builder
         * @throws IllegalArgumentException if the name is already registered
         */
        public Builder register(ChatModel model) {
            return register(model.name(), model);
        }

        /**
         * Registers {@code model} under {@code name}.
         *
         * @param name the catalog model name
         * @param model the executor
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank or already registered
         */
        public Builder register(String name, ChatModel model) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(model, "model");
            if (name.isBlank()) {
                throw new IllegalArgumentException("executor name cannot be blank");
            }
            if (executors.putIfAbsent(name, model) != null) {
                throw new IllegalArgumentException("executor '" + name + "' was already registered");
            }
            return this;
        }

        /** @return the registry */
        public ExecutorRegistry build() {
            return new ExecutorRegistry(executors);
        }
    }
}
