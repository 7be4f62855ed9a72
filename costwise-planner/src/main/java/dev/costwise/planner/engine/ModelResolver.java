package dev.costwise.planner.engine;

import dev.costwise.llm.chat.ChatModel;

/**
 * Gives the planner the model to call for a catalog name: the {@code sim} provider by default; the CLI can plug in
 * real provider adapters (for {@code replay --judge} with API keys).
 */
@FunctionalInterface
public interface ModelResolver {

    /**
     * @param catalogName a catalog model name
     * @return the model
     */
    ChatModel model(String catalogName);
}
