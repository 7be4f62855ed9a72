package dev.costwise.examples.patterns;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.sim.SimulatedChatModel;

/**
 * Where the examples get their models: the seeded {@code sim} provider, priced as the real models, so every example
 * runs offline and prints real-looking costs. (The gateway and {@code ProviderModels} pick real providers when API keys
 * are set.)
 */
final class ExampleModels {

    static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    private ExampleModels() {}

    /**
     * A simulated model.
     *
     * @param model a catalog model name
     * @param seed fixes its answers and failures
     * @return the model
     */
    static ChatModel sim(String model, long seed) {
        return SimulatedChatModel.builder(CATALOG, model).seed(seed).build();
    }

    static void banner(String title) {
        System.out.println("=".repeat(70));
        System.out.println(title);
        System.out.println("(answers are simulated by the seeded `sim` provider, priced from the model catalog)");
        System.out.println("=".repeat(70));
    }
}
