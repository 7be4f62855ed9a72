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
     * @return answer tokens at that site
     */
    long outputTokens(CallSite site);

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
