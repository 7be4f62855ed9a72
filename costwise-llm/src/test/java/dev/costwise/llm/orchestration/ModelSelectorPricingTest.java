package dev.costwise.llm.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.catalog.ModelInfo;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The selector over the bundled catalog, which lists some models with no known price (pricing null). */
class ModelSelectorPricingTest {
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    // the gateway's pricer: it lets unpriced models be called, and prices them at $0 marked UNPRICED
    private static final Pricer PERMISSIVE = CatalogPricer.builder(CATALOG).allowUnpricedModels().build();

    @ParameterizedTest
    @EnumSource(Complexity.class)
    void givenUnpricedModelsInTheCatalog_whenSelecting_thenNoneIsPickedAsTheCheapest(Complexity complexity) {
        ModelSelector selector = ModelSelector.builder(CATALOG).pricer(PERMISSIVE).build();
        TaskPreferences paid = TaskPreferences.builder().preferFree(false).build();

        ModelSelector.Selection s = selector.select(complexity, TaskType.QUESTION_ANSWERING, paid, 2_000, 500);

        // a local model's $0 is a real price; an unpriced model's $0 is not
        assertThat(PERMISSIVE.price(s.model().name(), Usage.of(2_000, 500)).status())
                .as(s.reason()).isNotEqualTo(PriceStatus.UNPRICED);
    }

    static Stream<Arguments> preferences() {
        Money cent = Money.of("0.01");
        return Stream.of(
                Arguments.of("default", TaskPreferences.DEFAULT),
                Arguments.of("paid", TaskPreferences.builder().preferFree(false).build()),
                Arguments.of("free", TaskPreferences.builder().preferFree(true).build()),
                Arguments.of("paid, max 1 cent", TaskPreferences.builder().preferFree(false).maxCostPerCall(cent)
                        .build()),
                Arguments.of("vision", TaskPreferences.builder().require(Capability.VISION).build()),
                Arguments.of("paid, tools", TaskPreferences.builder().preferFree(false).require(Capability.TOOLS)
                        .build()),
                Arguments.of("free, tools, vision", TaskPreferences.builder().preferFree(true)
                        .require(Capability.TOOLS, Capability.VISION).build()),
                Arguments.of("paid, vision, max 1 cent", TaskPreferences.builder().preferFree(false)
                        .require(Capability.VISION).maxCostPerCall(cent).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preferences")
    void givenTheDefaultStrictPricer_whenClassifyingOverTheBundledCatalog_thenUnpricedModelsAreSkipped(String label,
            TaskPreferences prefs) {
        RuleBasedTaskClassifier classifier = RuleBasedTaskClassifier.builder(CATALOG).build();

        for (String prompt : List.of("Explain the CAP theorem with examples", "Summarize: the council voted.",
                "Prove rigorously that the square root of any prime is irrational.")) {
            TaskClassification c = classifier.classify(new TaskClassificationRequest(prompt,
                    List.of(dev.costwise.llm.chat.Message.user(prompt)), prefs));
            ModelInfo chosen = CATALOG.require(c.recommendedModel());

            assertThat(chosen.pricing()).as("%s: %s", prompt, c.reason()).isPresent();
            assertThat(prefs.requiredCapabilities()).allMatch(chosen::supports);
            prefs.maxCostPerCall().ifPresent(max -> assertThat(c.estimatedCost()).isLessThanOrEqualTo(max));
        }
    }
}
