package dev.costwise.core.testing;

import dev.costwise.core.WorkflowContext;
import java.time.Duration;

/** Contexts on a fake ticker. */
public final class Contexts {
    private Contexts() {}

    public static WorkflowContext on(FakeTicker ticker) {
        return WorkflowContext.builder("test").ticker(ticker).build();
    }

    public static WorkflowContext on(FakeTicker ticker, Duration timeout) {
        return WorkflowContext.builder("test").ticker(ticker).timeout(timeout).build();
    }
}
