package dev.costwise.llm.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.cost.CatalogPricer;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The selector's reason states the rate-limit headroom it measured, and never one it did not. */
class ModelSelectorHeadroomTest {
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private static final TaskPreferences FREE = TaskPreferences.builder().preferFree(true).build();

    private static final String FREE_MODEL = "llama-3.1-8b-instant:free";

    /** A simple question, among a free Groq model and a cheap priced one. */
    private static ModelSelector.Selection simple(Headroom headroom) {
        return ModelSelector.builder(CATALOG).pricer(CatalogPricer.builder(CATALOG).build()).headroom(headroom)
                .onlyModels(m -> Set.of(FREE_MODEL, "gpt-4o-mini").contains(m.name())).build()
                .select(Complexity.SIMPLE, TaskType.QUESTION_ANSWERING, FREE, 200, 100);
    }

    @Test
    void givenNoHeadroomSource_whenAFreeModelIsChosen_thenTheReasonSaysItsHeadroomIsUnknown() {
        ModelSelector.Selection s = simple(Headroom.UNKNOWN);

        assertThat(s.model().name()).as(s.reason()).isEqualTo(FREE_MODEL);
        assertThat(s.reason()).contains(": free, rate-limit headroom unknown (counted as full), tier")
                .doesNotContain("100%");
    }

    @Test
    void givenAFreeModelWithOneRequestLeftOfAThousand_whenSelecting_thenItIsSkippedWithItsRealFigure() {
        String freeModel = FREE_MODEL;
        Headroom nearlySpent = new Headroom() {
            @Override
            public double of(String model) {
                return model.equals(freeModel) ? 0.001 : 1.0;
            }

            @Override
            public Optional<Double> known(String model) {
                return model.equals(freeModel) ? Optional.of(0.001) : Optional.empty();
            }
        };

        ModelSelector.Selection s = simple(nearlySpent);

        assertThat(s.model().name()).isEqualTo("gpt-4o-mini");
        assertThat(s.reason()).contains("skipped " + freeModel + " headroom 0.1% < 10%");
    }

    @Test
    void givenAMeasuredHeadroom_whenAFreeModelIsChosen_thenTheReasonStatesIt() {
        ModelSelector.Selection s = simple(model -> 0.42);

        assertThat(s.model().name()).isEqualTo(FREE_MODEL);
        assertThat(s.reason()).contains(": free, 42% rate-limit headroom, tier");
    }
}
