package dev.costwise.llm.provider;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.util.Objects;
import java.util.Optional;

/**
 * A catalog model's own provider adapter, built from the usual API-key environment variables (OPENAI_API_KEY,
 * ANTHROPIC_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY, GROQ_API_KEY, OPENROUTER_API_KEY, DEEPSEEK_API_KEY) and priced
 * from the catalog. Used where a tool should call real models when keys are set and stay simulated otherwise (the
 * planner's judge, the examples). The adapter is named and priced by the catalog name
 * ({@code gemini-2.5-pro:free} costs $0) and sends the catalog's upstream id.
 */
public final class ProviderModels {

    private ProviderModels() {}

    /**
     * The adapter for {@code catalogName}, if the catalog knows it and its provider's key is set.
     *
     * @param catalog where the model and its price are looked up
     * @param catalogName the model's catalog name or alias
     * @return the adapter, or empty when the model is unknown, local or unpriced, or its key is not set
     */
    public static Optional<ChatModel> fromEnvironment(ModelCatalog catalog, String catalogName) {
        Objects.requireNonNull(catalog, "catalog");
        Optional<ModelInfo> found = catalog.find(catalogName);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ModelInfo info = found.get();
        CatalogPricer pricer = CatalogPricer.of(catalog);
        try {
            return switch (info.provider()) {
                case "openai" -> Optional.of(openAi(OpenAiCompatibleEndpoint.OPENAI, info, pricer));
                case "groq" -> Optional.of(openAi(OpenAiCompatibleEndpoint.GROQ, info, pricer));
                case "openrouter" -> Optional.of(openAi(OpenAiCompatibleEndpoint.OPENROUTER, info, pricer));
                case "deepseek" -> Optional.of(openAi(OpenAiCompatibleEndpoint.DEEPSEEK, info, pricer));
                case "anthropic" -> Optional.of(AnthropicChatModel.builder(info.name()).pricer(pricer)
                        .build());
                case "gemini" -> Optional.of(GeminiChatModel.builder(info.name()).pricer(pricer).build());
                default -> Optional.empty();
            };
        } catch (IllegalStateException noKey) {
            return Optional.empty(); // the adapter refuses to build without its key or a price: stay simulated
        }
    }

    private static ChatModel openAi(OpenAiCompatibleEndpoint endpoint, ModelInfo info, CatalogPricer pricer) {
        return OpenAiCompatibleChatModel.builder(endpoint, info.name()).pricer(pricer).build();
    }
}
