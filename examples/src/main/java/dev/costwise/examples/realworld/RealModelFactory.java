package dev.costwise.examples.realworld;

import dev.costwise.llm.chat.ChatModel;
import java.util.Optional;

/**
 * Makes a real provider model for a catalog name when its API key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY,
 * GEMINI_API_KEY...). The provider adapters live outside the examples module; whoever wires them registers an
 * implementation in {@code META-INF/services/dev.costwise.examples.realworld.RealModelFactory}. Without one, the
 * examples run offline on the {@code sim} provider.
 */
public interface RealModelFactory {

    /**
     * @param catalogName a catalog model name such as {@code gpt-4o-mini}
     * @return the real model, or empty when this factory cannot make it (no adapter, no key)
     */
    Optional<ChatModel> create(String catalogName);
}
