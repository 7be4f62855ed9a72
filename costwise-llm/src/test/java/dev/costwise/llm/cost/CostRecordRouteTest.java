package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A cost record carries the route a router chose for its request, as the ledger's spend per route needs. */
class CostRecordRouteTest {

    private final ChatModel mini = SimulatedChatModel.builder(ModelCatalogs.bundled(), "gpt-4o-mini").seed(1)
            .sleeper(d -> { }).build();
    private final ChatModel premium = SimulatedChatModel.builder(ModelCatalogs.bundled(), "gpt-4o").seed(2)
            .sleeper(d -> { }).build();
    private final CachedChatModel cachedMini = CachedChatModel.builder("cached_mini", mini).build();
    private final Router<ChatRequest, ChatResponse> router = Router.<ChatRequest, ChatResponse>builder("router")
            .route("mini", cachedMini::execute)
            .route("premium", premium::execute)
            .selector((req, ctx) -> req.lastUserText().length() < 20 ? "mini" : "premium")
            .build();

    @Test
    void givenACoreRouter_whenItPicksARoute_thenTheCallsCostRecordNamesIt() {
        WorkflowContext ctx = WorkflowContext.of("t");

        router.execute(ChatRequest.of("gpt-4o-mini", "short"), ctx);

        assertThat(CostRecords.of(ctx)).extracting(CostRecord::route).containsExactly(Optional.of("mini"));
    }

    @Test
    void givenACachedRoute_whenTheSecondCallIsAHit_thenTheHitsRecordNamesTheRouteToo() {
        router.execute(ChatRequest.of("gpt-4o-mini", "short"), WorkflowContext.of("first"));
        WorkflowContext ctx = WorkflowContext.of("second");

        router.execute(ChatRequest.of("gpt-4o-mini", "short"), ctx);

        List<CostRecord> records = CostRecords.of(ctx);
        assertThat(records).extracting(CostRecord::outcome).containsExactly(Outcome.CACHE_HIT);
        assertThat(records).extracting(CostRecord::route).containsExactly(Optional.of("mini"));
    }

    @Test
    void givenNoRouter_whenAModelIsCalled_thenItsCostRecordHasNoRoute() {
        WorkflowContext ctx = WorkflowContext.of("t");

        premium.execute(ChatRequest.of("gpt-4o", "a longer prompt than twenty characters"), ctx);

        assertThat(CostRecords.of(ctx)).extracting(CostRecord::route).containsExactly(Optional.empty());
    }
}
