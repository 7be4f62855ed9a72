package dev.costwise.llm.orchestration;

import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.FreeTier;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.catalog.UnknownModelException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** A small in-memory catalog for tests, with the spec's Pattern 5 models and public list prices. */
final class TestCatalog implements ModelCatalog {
    static final String GEMINI_PRO_FREE = "gemini-2.5-pro:free";
    static final String DEEPSEEK_R1_FREE = "deepseek/deepseek-r1:free";
    static final String LLAMA_70B_FREE = "llama-3.3-70b-versatile";
    static final String LLAMA_8B_FREE = "llama-3.1-8b-instant";
    static final String GPT_4O_MINI = "gpt-4o-mini";
    static final String GPT_4O = "gpt-4o";
    static final String CLAUDE_SONNET = "claude-sonnet-4-5";

    private final List<ModelInfo> models;

    TestCatalog(List<ModelInfo> models) {
        this.models = List.copyOf(models);
    }

    /** The default test catalog: four free tiers (tiers 1, 3, 4, 4) and three paid models. */
    static TestCatalog standard() {
        FreeTier geminiFree = new FreeTier(OptionalLong.of(5), OptionalLong.of(100), OptionalLong.of(250_000),
                OptionalLong.empty());
        FreeTier groqFree = new FreeTier(OptionalLong.of(30), OptionalLong.of(1000), OptionalLong.of(12_000),
                OptionalLong.of(100_000));
        FreeTier openRouterFree = new FreeTier(OptionalLong.of(20), OptionalLong.of(50), OptionalLong.empty(),
                OptionalLong.empty());
        return new TestCatalog(List.of(
                model(LLAMA_8B_FREE, "groq", Pricing.FREE, 131_072, 1, Optional.of(groqFree), Capability.TOOLS,
                        Capability.JSON),
                model(LLAMA_70B_FREE, "groq", Pricing.FREE, 131_072, 3, Optional.of(groqFree), Capability.TOOLS,
                        Capability.JSON),
                model(GEMINI_PRO_FREE, "gemini", Pricing.FREE, 1_048_576, 4, Optional.of(geminiFree),
                        Capability.TOOLS, Capability.VISION, Capability.JSON, Capability.REASONING),
                model(DEEPSEEK_R1_FREE, "openrouter", Pricing.FREE, 163_840, 4, Optional.of(openRouterFree),
                        Capability.JSON, Capability.REASONING),
                model(GPT_4O_MINI, "openai", Pricing.of("0.15", "0.60"), 128_000, 2, Optional.empty(),
                        Capability.TOOLS, Capability.VISION, Capability.JSON),
                model(GPT_4O, "openai", Pricing.of("2.50", "10.00"), 128_000, 3, Optional.empty(), Capability.TOOLS,
                        Capability.VISION, Capability.JSON),
                model(CLAUDE_SONNET, "anthropic", Pricing.of("3.00", "15.00"), 200_000, 4, Optional.empty(),
                        Capability.TOOLS, Capability.VISION, Capability.JSON, Capability.REASONING)));
    }

    static ModelInfo model(String name, String provider, Pricing pricing, int window, int tier,
            Optional<FreeTier> freeTier, Capability... caps) {
        Set<Capability> set = EnumSet.of(Capability.STREAMING, caps);
        return new ModelInfo(name, provider, name, ModelKind.CHAT, Optional.of(pricing), window, 8192, set, freeTier,
                tier, Set.of(), "test", LocalDate.of(2026, 11, 1));
    }

    TestCatalog without(String name) {
        List<ModelInfo> rest = new ArrayList<>(models);
        rest.removeIf(m -> m.name().equals(name));
        return new TestCatalog(rest);
    }

    @Override
    public Optional<ModelInfo> find(String nameOrAlias) {
        return models.stream().filter(m -> m.name().equals(nameOrAlias) || m.aliases().contains(nameOrAlias))
                .findFirst();
    }

    @Override
    public ModelInfo require(String nameOrAlias) {
        return find(nameOrAlias).orElseThrow(() -> new UnknownModelException(nameOrAlias, List.of()));
    }

    @Override
    public List<ModelInfo> all() {
        return models;
    }
}
