package dev.costwise.examples.realworld;

import dev.costwise.llm.chat.ChatModel;
import java.util.Optional;

/**
 * Makes a real provider model for a catalog name when its API key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY,
 * GEMINI_API_KEY...). {@link EnvironmentModelFactory} is registered by default in
 * {@code META-INF/services/dev.costwise.examples.realworld.RealModelFactory}; other factories can be added there.
 * When none makes a model (no key), the examples run offline on the {@code sim} provider.
 */
public interface RealModelFactory {

    /**
     * @param catalogName a catalog model name such as {@code gpt-4o-mini}
     * @return the real model, or empty when this factory cannot make it (no adapter, no key)
     */
    Optional<ChatModel> create(String catalogName);
}
