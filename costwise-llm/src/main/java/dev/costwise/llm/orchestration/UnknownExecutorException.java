package dev.costwise.llm.orchestration;

import dev.costwise.core.CostwiseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A task was delegated to a model name no executor is registered for. */
public final class UnknownExecutorException extends CostwiseException {
    private final String executor;
    private final List<String> registered;

    /**
     * @param executor the requested name
     * @param registered the names that are registered
     */
    public UnknownExecutorException(String executor, Set<String> registered) {
        super("no executor registered for '" + executor + "'; registered: " + new TreeSet<>(registered));
        this.executor = executor;
        this.registered = List.copyOf(new TreeSet<>(registered));
    }

    /** @return the name that was asked for */
    public String executor() {
        return executor;
    }

    /** @return the registered names, sorted */
    public List<String> registered() {
        return registered;
    }
}
