package dev.costwise.llm.resilience;

import dev.costwise.llm.provider.ProviderException;

/**
 * Which provider failures are the request's own fault, as the gateway judges them: an invalid request, filtered
 * content, a prompt over the model's context window, an answer larger than the reader takes (a batch to split). No
 * ordinary fallback is tried after them and no circuit counts them (a context-length error moves to a pipeline's
 * {@code context_window_fallback}, if it has one). The gateway's attempt loop and the planner replaying a gateway
 * configuration both decide with it. Stateless.
 */
public final class CallersFault {
    private CallersFault() {}

    /**
     * @param e a provider failure
     * @return {@code true} when the failure is the request's own
     */
    public static boolean is(ProviderException e) {
        return e instanceof ProviderException.InvalidRequest || e instanceof ProviderException.ContentFiltered
                || e instanceof ProviderException.ContextLengthExceeded
                || e instanceof ProviderException.AnswerTooLarge;
    }
}
