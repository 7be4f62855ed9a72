package dev.costwise.examples.realworld;

import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.provider.ProviderModels;
import java.util.Optional;

/**
 * The examples' default {@link RealModelFactory}: the catalog model's own provider adapter when its key is in the
 * environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY, GROQ_API_KEY, OPENROUTER_API_KEY,
 * DEEPSEEK_API_KEY), priced from the catalog. Local and free-tier-only models (Ollama) stay simulated. Registered in
 * {@code META-INF/services}.
 */
public final class EnvironmentModelFactory implements RealModelFactory {

    /** Creates the factory (the service loader calls this). */
    public EnvironmentModelFactory() {}

    @Override
    public Optional<ChatModel> create(String catalogName) {
        return ProviderModels.fromEnvironment(RealWorldModels.CATALOG, catalogName);
    }
}
