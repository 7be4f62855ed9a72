package dev.costwise.llm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.alert.AlertEvaluator;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetAwareFallback;
import dev.costwise.llm.budget.BudgetAwareRouter;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetWindow;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Builder checks name the parameter the bad value came from. */
class ValidationMessagesTest {

    @Test
    void givenAJunkOllamaBaseUrl_whenSet_thenTheMessageNamesBaseUrlNotTheEnvironment() {
        assertThatThrownBy(() -> OllamaChatModel.builder("llama3.2").baseUrl("::junk::"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUrl is not a host or URL: '::junk::'");
    }

    @Test
    void givenTextThatIsNoUrl_whenAnEndpointIsMovedThere_thenTheMessageNamesBaseUrl() {
        assertThatThrownBy(() -> OpenAiCompatibleEndpoint.OPENAI.withBaseUrl("not a url"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUrl must be an absolute http(s) URL, was 'not a url'");
        assertThatThrownBy(() -> OpenAiCompatibleEndpoint.custom("vllm", "not a url"))
                .hasMessage("baseUrl must be an absolute http(s) URL, was 'not a url'");
    }

    @Test
    void givenNullRules_whenAdded_thenTheNullPointerNamesRules() {
        assertThatThrownBy(() -> AlertEvaluator.builder().rules(null))
                .isInstanceOf(NullPointerException.class).hasMessage("rules");
    }

    @Test
    void givenABlankName_whenABudgetAwareRouterOrFallbackIsMade_thenItIsRefusedAsEveryOtherPrimitive() {
        Budgets budgets = Budgets.builder()
                .add(Budget.builder("daily").limit(Money.ofDollars(1)).window(BudgetWindow.daily(ZoneOffset.UTC))
                        .build()).build();
        ChatModel model = SimulatedChatModel.builder(ModelCatalogs.bundled(), "gpt-4o-mini").build();

        BudgetGuard guard = BudgetGuard.builder(budgets, ModelCatalogs.bundled(),
                JtokkitTokenEstimator.of(ModelCatalogs.bundled())).build();
        assertThatThrownBy(() -> BudgetAwareRouter.builder(" ", guard))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name cannot be blank");
        assertThatThrownBy(() -> BudgetAwareFallback.of("", guard, model, List.of(model)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name cannot be blank");
    }
}
