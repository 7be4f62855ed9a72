package dev.costwise.planner.engine;

import dev.costwise.planner.scenario.CallSite;

/** The tokens a planned request uses at each call site (the simulator is told them; real models decide). */
public interface TokenPlan {

    /**
     * @param site the call site
     * @return prompt tokens at that site
     */
    long inputTokens(CallSite site);

    /**
     * @param site the call site
     * @return answer tokens at that site, over all the request's choices
     */
    long outputTokens(CallSite site);

    /**
     * @return the answers the request asks for (OpenAI's {@code n}): a budget holds the output limit once for each,
     *     as the gateway does; 1 by default
     */
    default long choices() {
        return 1;
    }

    /**
     * @param site the call site
     * @return the prompt tokens a budget reserves for before the call at that site, estimated as the gateway
     *     estimates them; the planned prompt by default
     */
    default long estimatedInputTokens(CallSite site) {
        return inputTokens(site);
    }

    /**
     * @param site the call site
     * @return the part of the prompt at that site the provider reads from its prompt cache (billed at the cached
     *     input price); none by default
     */
    default long cachedInputTokens(CallSite site) {
        return 0;
    }
}
