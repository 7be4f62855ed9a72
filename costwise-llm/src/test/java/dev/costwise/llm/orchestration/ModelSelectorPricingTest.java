package dev.costwise.llm.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
}
