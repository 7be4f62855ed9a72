package dev.costwise.llm.routing;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.completion;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.rateLimited;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.UnknownRouteException;
import dev.costwise.core.metrics.MetricsCollector;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.resilience.ResilientChatModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatRouter} over real OpenAI adapters and a MockWebServer speaking OpenAI's wire format: streams are routed,
 * recorded and counted exactly as calls, and the router is a chat model every decorator can wrap.
 */
class ChatRouterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MetricsCollector metrics = MetricsCollector.of(new SimpleMeterRegistry());
    private final WorkflowContext ctx = WorkflowContext.of("test");

    /** Short prompts go to mini, long ones to gpt-4o, a prompt asking for "gold" names a route the router lacks. */
    private ChatRouter.Builder router() {
        return ChatRouter.builder("tier")
                .route("mini", adapter(server, "gpt-4o-mini").build())
                .route("premium", adapter(server, "gpt-4o").build())
                .selector((req, c) -> req.lastUserText().equals("gold") ? "gold"
                        : req.lastUserText().length() < 20 ? "mini" : "premium")
                .metrics(metrics);
    }

    private String modelSent() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8()).get("model").asText();
    }

    @Test
    void givenCallsOnASharedContext_whenOneIsRoutedWhileAnotherIsInFlight_thenEachRecordCarriesItsOwnRouteAndAttempt()
            throws Exception {
        CountDownLatch releaseMini = new CountDownLatch(1);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getBody().utf8().contains("gpt-4o-mini")) {
                    releaseMini.await(10, TimeUnit.SECONDS); // the short call is in flight meanwhile
                    return completion("gpt-4o-mini", "short");
                }
                return completion("gpt-4o", "long");
            }
        });
        ChatRouter router = router().build();
        FutureTask<Object> shortCall = new FutureTask<>(() -> router.execute(ChatRequest.of("any", "hi"), ctx));
        Thread.ofVirtual().start(shortCall);
        while (server.getRequestCount() == 0) {
            Thread.onSpinWait(); // the short call has routed, and is waiting for its answer
        }

        router.execute(ChatRequest.of("any", "a prompt longer than twenty chars"), ctx);
        releaseMini.countDown();
        shortCall.get(10, TimeUnit.SECONDS);

        assertThat(costRecords(ctx)).extracting(CostRecord::usedModel, CostRecord::route).containsExactly(
                tuple("gpt-4o", Optional.of("premium")), tuple("gpt-4o-mini", Optional.of("mini")));
        assertThat(costRecords(ctx)).extracting(CostRecord::attempt).doesNotHaveDuplicates();
    }

    @Test
    void givenALongPrompt_whenStreamed_thenTheChosenModelStreamsAndTheRouteIsRecordedCountedAndOnTheCostRecord()
            throws Exception {
        server.enqueue(stream("gpt-4o", "A long", " answer"));

        ChatStream s = router().build().stream(ChatRequest.of("any", "a prompt longer than twenty chars"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("A long answer");
        assertThat(modelSent()).isEqualTo("gpt-4o");
        assertThat(ctx.records("route")).singleElement().extracting(StepRecord::attributes)
                .isEqualTo(Map.of("route", "premium"));
        assertThat(costRecords(ctx)).extracting(CostRecord::route).containsExactly(Optional.of("premium"));
        assertThat(metrics.snapshot("tier").routeCounts()).isEqualTo(Map.of("premium", 1L));
    }

    @Test
    void givenCallsAndStreams_whenRouted_thenOneCoreRouterCountsThemTogether() {
        ChatRouter router = router().build();
        server.enqueue(stream("gpt-4o-mini", "Hi"));
        server.enqueue(completion("gpt-4o-mini", "Hello"));
        server.enqueue(stream("gpt-4o", "Long"));

        readAll(router.stream(ChatRequest.of("any", "short"), ctx));
        assertThat(router.execute(ChatRequest.of("any", "short"), ctx).text()).isEqualTo("Hello");
        readAll(router.stream(ChatRequest.of("any", "a prompt longer than twenty chars"), ctx));

        assertThat(router.routeCounts()).containsExactly(Map.entry("mini", 2L), Map.entry("premium", 1L));
        assertThat(metrics.snapshot("tier").calls()).isEqualTo(3);
        assertThat(router.select(ChatRequest.of("any", "short"), ctx)).isEqualTo("mini");
        assertThat(router.routeCounts()).containsEntry("mini", 2L);
    }

    @Test
    void givenAnUnknownRouteAndADefault_whenStreamed_thenTheDefaultStreamsAndTheRecordSaysWhatWasAsked()
            throws Exception {
        server.enqueue(stream("gpt-4o-mini", "Default"));

        ChatStream s = router().defaultRoute("mini").build().stream(ChatRequest.of("any", "gold"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Default");
        assertThat(modelSent()).isEqualTo("gpt-4o-mini");
        assertThat(ctx.records("route")).singleElement().extracting(StepRecord::attributes)
                .isEqualTo(Map.of("route", "mini", "requested", "gold"));
    }

    @Test
    void givenAnUnknownRouteAndNoDefault_whenStreamed_thenFailsListingTheRoutesAndNoModelIsCalled() {
        ChatRouter router = router().build();

        assertThatThrownBy(() -> router.stream(ChatRequest.of("any", "gold"), ctx))
                .isInstanceOf(UnknownRouteException.class)
                .hasMessage("router 'tier' has no route 'gold' and no default route; known routes: [mini, premium]");
        assertThat(server.getRequestCount()).isZero();
        assertThat(metrics.registry().get("costwise.primitive.calls").tag("primitive", "tier")
                .tag("outcome", "failure").counter().count()).isEqualTo(1.0);
    }

    @Test
    void givenTheWholeRouterInAResilientChatModel_whenA429ComesBeforeTheFirstChunk_thenTheStreamIsRetriedAndRouted() {
        List<Duration> slept = new CopyOnWriteArrayList<>();
        Retry retry = Retry.of("retry", RetryConfig.builder().maxRetries(2)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(slept::add).build());
        ChatModel protectedRouter = ResilientChatModel.builder(router().build()).retry(retry).build();
        server.enqueue(rateLimited(1));
        server.enqueue(stream("gpt-4o-mini", "Second", " try"));

        ChatStream s = protectedRouter.stream(ChatRequest.of("any", "short"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Second try");
        assertThat(protectedRouter.name()).isEqualTo("tier");
        assertThat(slept).containsExactly(Duration.ofSeconds(1));
        assertThat(ctx.records("route")).extracting(r -> r.attributes().get("route")).containsExactly("mini", "mini");
        assertThat(costRecords(ctx)).extracting(c -> c.outcome() + " " + c.route().orElse("-"))
                .containsExactly(Outcome.FAILED + " mini", Outcome.SUCCESS + " mini");
    }

    @Test
    void givenTheWholeRouterBehindACache_whenTheSameRequestComesTwice_thenTheSecondIsAHitAndNoModelIsCalled() {
        ChatModel cached = CachedChatModel.builder("cached_router", router().build()).build();
        server.enqueue(completion("gpt-4o-mini", "Cached"));

        cached.execute(ChatRequest.of("any", "short"), WorkflowContext.of("first"));
        WorkflowContext second = WorkflowContext.of("second");

        assertThat(cached.execute(ChatRequest.of("any", "short"), second).text()).isEqualTo("Cached");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(costRecords(second)).extracting(CostRecord::outcome).containsExactly(Outcome.CACHE_HIT);
    }

    @Test
    void givenABadRouteOrDefault_whenBuilding_thenFailsNamingIt() {
        ChatModel mini = adapter(server, "gpt-4o-mini").build();

        assertThatThrownBy(() -> ChatRouter.builder("tier").route("mini", mini).route("mini", mini))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'mini' was already used");
        assertThatThrownBy(() -> router().defaultRoute("gold").build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("defaultRoute of router 'tier' must be one of [mini, premium], was 'gold'");
        assertThatThrownBy(() -> ChatRouter.builder("tier").route("mini", mini).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("router 'tier' needs a selector, none was set");
        assertThatThrownBy(() -> ChatRouter.builder("tier").route("mini", null))
                .isInstanceOf(NullPointerException.class).hasMessage("model");
    }
}
