package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.FallbackChatModel;
import dev.costwise.llm.routing.ChatRouter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request naming one model that a router or fallback hands to a budgeted adapter of another: the adapter sends and
 * bills its own model, so the budget must hold the call at that model's prices. OpenAI's chat API
 * (https://platform.openai.com/docs/api-reference/chat/create) is faked; it answers every call with as many output
 * tokens as {@code max_completion_tokens} allows, the worst case the budget reserves for.
 */
class BudgetHeldAtBilledModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    private static BudgetGuard dailyGuard(Money limit, MutableClock clock) {
        Budgets budgets = Budgets.builder().clock(clock).add(Budget.daily("daily", limit, ZoneId.of("UTC"))).build();
        return BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
    }

    @BeforeEach
    void answerEveryCallWithEveryTokenAllowed() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answerWithEveryTokenAllowed(request);
            }
        });
    }

    private ChatModel budgeted(String model, BudgetGuard guard) {
        return BudgetedChatModel.of(adapter(model), guard);
    }

    private ChatModel adapter(String model) {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(server.url("/v1").toString()), model)
                .apiKey(ApiKey.of("sk-test")).pricer(CatalogPricer.of(CATALOG)).environment(Map.of()).build();
    }

    /** Sends every request to gpt-4o, whatever model it names: the README's router, taking its premium route. */
    private ChatRouter routerToGpt4o() {
        return ChatRouter.builder("router").route("mini", adapter("gpt-4o-mini"))
                .route("premium", CachedChatModel.builder("cached_gpt4o", adapter("gpt-4o")).build())
                .selector((request, ctx) -> "premium").build();
    }

    /** @return an OpenAI answer with as many output tokens as the request allows, and 20 prompt tokens */
    static MockResponse answerWithEveryTokenAllowed(RecordedRequest request) {
        JsonNode sent;
        try {
            sent = JSON.readTree(request.getBody().utf8());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        long output = sent.path("max_completion_tokens").asLong();
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"c","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,
                 "message":{"role":"assistant","content":"a long answer"},"finish_reason":"length"}],
                 "usage":{"prompt_tokens":20,"completion_tokens":%d,"total_tokens":%d}}"""
                .formatted(sent.path("model").asText(), output, 20 + output)).build();
    }

    private static ChatRequest askingForMini(String question) {
        return ChatRequest.builder("gpt-4o-mini").addMessage(Message.user(question)).maxTokens(4000).build();
    }

    @Test
    void givenAMiniRequestForABudgetedGpt4o_whenOnlyMiniPricesWouldFit_thenRefusedWithoutCallingUpstream() {
        // 4,000 output tokens cost $0.0024 at mini's $0.60 per million, $0.04 at gpt-4o's $10
        ChatModel gpt4o = budgeted("gpt-4o", dailyGuard(Money.of("0.03"), clock));

        assertThatThrownBy(() -> gpt4o.execute(askingForMini("hi"), WorkflowContext.builder("t").clock(clock).build()))
                .isInstanceOf(BudgetExceededException.class).hasMessageContaining("daily");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenABudgetAroundARouter_whenAMiniRequestMayBeRoutedToGpt4o_thenItIsHeldAtGpt4oAndRefused() {
        ChatModel budgetedRouter = BudgetedChatModel.of(routerToGpt4o(), dailyGuard(Money.of("0.03"), clock));

        assertThat(budgetedRouter.models()).containsExactly("gpt-4o-mini", "gpt-4o");
        assertThatThrownBy(() -> budgetedRouter.stream(askingForMini("hi"),
                WorkflowContext.builder("t").clock(clock).build()))
                .isInstanceOf(BudgetExceededException.class).hasMessageContaining("daily");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenABudgetAroundAFallback_when100CallersRace_thenSpendNeverPassesTheLimit() throws Exception {
        Money limit = Money.of("0.50");
        BudgetGuard guard = dailyGuard(limit, clock);
        ChatModel fallback = FallbackChatModel.builder("llm").primary("gpt-4o", adapter("gpt-4o"))
                .fallback("mini", adapter("gpt-4o-mini")).build();
        ChatModel budgeted = BudgetedChatModel.of(fallback, guard);
        Money total = paidBy100RacingCallers(budgeted, i -> askingForMini("question " + i));

        BudgetStatus daily = guard.budgets().status("daily");
        assertThat(total).isLessThanOrEqualTo(limit).isEqualTo(daily.spent());
        assertThat(daily.reserved()).isEqualTo(Money.ZERO);
        assertThat(server.getRequestCount()).isPositive().isLessThan(100);
    }

    @Test
    void givenABudgetAroundAModelCallingOneTheCatalogDoesNotKnow_whenCalled_thenItFailsNamingItAndSendsNothing() {
        // a stack under a name of its own that does not list what it calls
        ChatModel ownName = unknownTo("my-stack", adapter("gpt-4o"));
        ChatModel router = ChatRouter.builder("router").route("mine", ownName)
                .route("premium", adapter("gpt-4o-mini")).selector((request, ctx) -> "mine").build();
        ChatModel budgeted = BudgetedChatModel.of(router, dailyGuard(Money.of("10"), clock));

        assertThatThrownBy(() -> budgeted.execute(askingForMini("hi"), WorkflowContext.builder("t").clock(clock)
                .build())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'router'").hasMessageContaining("'my-stack'")
                .hasMessageContaining("budget each route");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenAGpt4oBudgetAroundARouterToASnapshotAndAnUnknownModel_whenCalled_thenItFailsAndSendsNothing() {
        // gpt-4o-2024-08-06 is a catalog alias of gpt-4o, whose budget holds a call to it (admit matches budgets by
        // the catalog's name): the call may go there, so the unknown model beside it cannot be priced around it
        Budgets budgets = Budgets.builder().clock(clock).add(Budget.builder("gpt-4o-daily")
                .scope(BudgetScope.model("gpt-4o")).limit(Money.of("10")).build()).build();
        BudgetGuard guard = BudgetGuard.builder(budgets, CATALOG, JtokkitTokenEstimator.of(CATALOG)).build();
        ChatModel router = ChatRouter.builder("router").route("premium", adapter("gpt-4o-2024-08-06"))
                .route("mine", unknownTo("my-stack", adapter("gpt-4o-mini"))).selector((request, ctx) -> "premium")
                .build();
        ChatModel budgeted = BudgetedChatModel.of(router, guard);

        assertThatThrownBy(() -> budgeted.execute(askingForMini("hi"), WorkflowContext.builder("t").clock(clock)
                .build())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gpt-4o-daily").hasMessageContaining("'my-stack'");
        assertThat(server.getRequestCount()).isZero();
        assertThat(guard.budgets().status("gpt-4o-daily").spent()).isEqualTo(Money.ZERO);
    }

    /** A model under a name the catalog does not know, calling {@code inner}. */
    private static ChatModel unknownTo(String name, ChatModel inner) {
        return new ChatModel() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String provider() {
                return "mine";
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                return inner.execute(request, context);
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                return inner.stream(request, context);
            }
        };
    }

    @Test
    void givenARouterSendingMiniRequestsToABudgetedGpt4o_when100CallersRace_thenSpendNeverPassesTheLimit()
            throws Exception {
        Money limit = Money.of("1.00");
        BudgetGuard guard = dailyGuard(limit, clock);
        ChatModel mini = budgeted("gpt-4o-mini", guard);
        ChatModel gpt4o = budgeted("gpt-4o", guard);
        Router<ChatRequest, ChatResponse> router = Router.<ChatRequest, ChatResponse>builder("router")
                .route("mini", mini).route("premium", gpt4o)
                .selector((request, ctx) -> request.lastUserText().length() < 100 ? "mini" : "premium")
                .defaultRoute("mini").build();
        Money total = paidBy100RacingCallers(router, i -> askingForMini("a long question ".repeat(10) + i));

        BudgetStatus daily = guard.budgets().status("daily");
        assertThat(total).isLessThanOrEqualTo(limit).isEqualTo(daily.spent());
        assertThat(daily.reserved()).isEqualTo(Money.ZERO);
        assertThat(server.getRequestCount()).isPositive().isLessThan(100);
    }

    /** Sends 100 requests at once; returns what the answered ones cost (refused ones cost nothing). */
    private Money paidBy100RacingCallers(Primitive<ChatRequest, ChatResponse> model, IntFunction<ChatRequest> request)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Money>> paid = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                ChatRequest r = request.apply(i);
                paid.add(threads.submit(() -> {
                    start.await();
                    try {
                        return model.execute(r, WorkflowContext.builder("t").clock(clock).build()).cost();
                    } catch (BudgetExceededException e) {
                        return Money.ZERO; // the limit holding
                    }
                }));
            }
            start.countDown();
        }
        Money total = Money.ZERO;
        for (Future<Money> f : paid) {
            total = total.plus(f.get());
        }
        return total;
    }
}
