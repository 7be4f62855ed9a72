package dev.costwise.examples.realworld;

import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
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
        Optional<ModelInfo> found = RealWorldModels.CATALOG.find(catalogName);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ModelInfo info = found.get();
        CatalogPricer pricer = CatalogPricer.of(RealWorldModels.CATALOG);
        try {
            return switch (info.provider()) {
                case "openai" -> Optional.of(openAi(OpenAiCompatibleEndpoint.OPENAI, info, pricer));
                case "groq" -> Optional.of(openAi(OpenAiCompatibleEndpoint.GROQ, info, pricer));
                case "openrouter" -> Optional.of(openAi(OpenAiCompatibleEndpoint.OPENROUTER, info, pricer));
                case "deepseek" -> Optional.of(openAi(OpenAiCompatibleEndpoint.DEEPSEEK, info, pricer));
                case "anthropic" -> Optional.of(AnthropicChatModel.builder(info.upstreamModel()).pricer(pricer)
                        .build());
                case "gemini" -> Optional.of(GeminiChatModel.builder(info.upstreamModel()).pricer(pricer).build());
                default -> Optional.empty();
            };
        } catch (IllegalStateException noKey) {
            return Optional.empty();
        }
    }

    private static ChatModel openAi(OpenAiCompatibleEndpoint endpoint, ModelInfo info, CatalogPricer pricer) {
        return OpenAiCompatibleChatModel.builder(endpoint, info.upstreamModel()).pricer(pricer).build();
    }
}
