package dev.costwise.planner.engine;

import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.sim.SimulatedChatModel;

/**
 * When a replayed call is refused for its model's context window, on every path alike (a route, a step, a workflow's
 * executor): its planned prompt and answer are more than the model's (configured) {@code context_window}, as a
 * provider refuses a prompt plus {@code max_tokens} over its window. The gateway itself calls the model whatever the
 * output limit it sends in place of a caller's {@code max_tokens}: it checks only its estimate of the prompt against
 * the window, and only to send the request to the {@code context_window_fallback} uncalled
 * ({@link PipelineRunner}'s {@code overWindow}). So that limit never fails a call here. Stateless.
 */
final class WindowRule {

    private WindowRule() {}

    /**
     * @param model the model called
     * @param prompt the call's planned prompt tokens
     * @param answer the call's planned answer tokens
     * @throws ProviderException.ContextLengthExceeded if they do not fit the model's context window, saying so
     */
    static void check(ModelInfo model, long prompt, long answer) {
        long needed = prompt + answer;
        if (needed > model.contextWindow()) {
            throw new ProviderException.ContextLengthExceeded(
                    ProviderException.Details.of(SimulatedChatModel.PROVIDER, model.name(), 400),
                    "the prompt's " + prompt + " tokens and its " + answer + "-token answer (" + needed
                            + " tokens) do not fit its " + model.contextWindow() + "-token context window");
        }
    }
}
