package dev.costwise.llm.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.SavingsCalculator;
import dev.costwise.llm.cost.UnpricedModelException;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulatedChatModelTest {

    private static final ModelCatalog CATALOG = ModelCatalogs.bundled();
    private final RecordingSleeper sleeper = new RecordingSleeper();

    @Test
    void givenSameRequestTwice_whenExecuted_thenSameSimulatedAnswerUsageAndCost() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o").seed(7).sleeper(sleeper).build();
        ChatRequest request = ChatRequest.of("gpt-4o", "What is a cache?");

        ChatResponse first = sim.execute(request, ctx());
        ChatResponse second = sim.execute(request, ctx());

        assertThat(first.text()).startsWith("[simulated gpt-4o] ").isEqualTo(second.text());
        assertThat(first.usage()).isEqualTo(second.usage());
        assertThat(first.provider()).isEqualTo("sim");
        assertThat(first.cost()).isEqualTo(CatalogPricer.of(CATALOG).price("gpt-4o", first.usage()).cost());
        assertThat(sim.execute(ChatRequest.of("gpt-4o", "Something else"), ctx()).text()).isNotEqualTo(first.text());
    }

    @Test
    void givenFixedOutputLength_whenExecuted_thenPricedExactlyAsTheRealModel() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o").outputLength(OutputLength.fixed(500))
                .sleeper(sleeper).build();
        WorkflowContext ctx = ctx();

        ChatResponse r = sim.execute(ChatRequest.of("gpt-4o", "hello"), ctx);

        // prompt: "hello" 1 + role 1 + 3 per message + 3 priming = 8 tokens (o200k_base)
        // 8 × 2.50/1M + 500 × 10/1M = 0.00002 + 0.005 = $0.00502
        assertThat(r.usage()).isEqualTo(new Usage(8, 0, 0, 500, 0, true));
        assertThat(r.cost()).isEqualTo(Money.of("0.00502"));
        assertThat(r.priceStatus()).isEqualTo(PriceStatus.PRICED);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        CostRecord record = CostRecords.of(ctx).getFirst();
        assertThat(record.cost()).isEqualTo(Money.of("0.00502"));
        assertThat(record.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(record.provider()).isEqualTo("sim");
        assertThat(record.requestId()).isEqualTo(ctx.correlationId());
        assertThat(record.attempt()).isEqualTo(1);
    }

    @Test
    void givenMaxTokensBelowDrawnLength_whenExecuted_thenCappedWithFinishLength() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o-mini")
                .outputLength(OutputLength.fixed(500)).sleeper(sleeper).build();

        ChatResponse r = sim.execute(ChatRequest.builder("gpt-4o-mini").addMessage(
                dev.costwise.llm.chat.Message.user("hi")).maxTokens(50).build(), ctx());

        assertThat(r.usage().outputTokens()).isEqualTo(50);
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void givenCertainRateLimit_whenExecuted_thenThrowsTypedErrorWithRetryAfterAndRecordsFailedAttempt() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o")
                .failure(SimulatedFailure.RATE_LIMITED, 1.0).retryAfter(Duration.ofSeconds(3)).sleeper(sleeper).build();
        WorkflowContext ctx = ctx();

        assertThatThrownBy(() -> sim.execute(ChatRequest.of("gpt-4o", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
                    assertThat(e.provider()).isEqualTo("sim");
                    assertThat(e.status()).hasValue(429);
                });
        CostRecord failed = CostRecords.of(ctx).getFirst();
        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.errorKind()).contains("rate_limited");
        assertThat(failed.cost()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenFailureRate_whenManyCalls_thenSeededSequenceIsReproducibleAndNearTheRate() {
        List<Boolean> a = outcomes(42);
        List<Boolean> b = outcomes(42);

        assertThat(a).isEqualTo(b);
        long failures = a.stream().filter(x -> x).count();
        assertThat(failures).isBetween(70L, 130L); // 20% of 500
        assertThat(outcomes(43)).isNotEqualTo(a);
    }

    @Test
    void givenTimeoutFailure_whenExecuted_thenWaitsTheTimeoutOnTheSleeperThenThrows() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o").failure(SimulatedFailure.TIMEOUT, 1.0)
                .timeout(Duration.ofSeconds(20)).sleeper(sleeper).build();

        assertThatThrownBy(() -> sim.execute(ChatRequest.of("gpt-4o", "hi"), ctx()))
                .isInstanceOf(ProviderException.ProviderTimeout.class);
        assertThat(sleeper.slept).containsExactly(Duration.ofSeconds(20));
    }

    @Test
    void givenLatencyBeyondTheDeadline_whenExecuted_thenWaitsOnlyUntilTheDeadlineAndTimesOut() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o")
                .latency(LatencyModel.fixed(Duration.ofSeconds(5))).sleeper(sleeper).build();
        WorkflowContext ctx = WorkflowContext.builder("t").ticker(() -> 0L).timeout(Duration.ofSeconds(2)).build();

        assertThatThrownBy(() -> sim.execute(ChatRequest.of("gpt-4o", "hi"), ctx))
                .isInstanceOf(ProviderException.ProviderTimeout.class).hasMessageContaining("2000 ms");
        assertThat(sleeper.slept).containsExactly(Duration.ofSeconds(2));
        assertThat(CostRecords.of(ctx).getFirst().errorKind()).contains("timeout");
    }

    @Test
    void givenLatencyModel_whenExecuted_thenSleepsItAndReportsIt() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o")
                .latency(LatencyModel.perOutputToken(Duration.ofMillis(300), Duration.ofMillis(10)))
                .outputLength(OutputLength.fixed(100)).sleeper(sleeper).build();

        ChatResponse r = sim.execute(ChatRequest.of("gpt-4o", "hi"), ctx());

        // 300 ms to first token + 100 tokens × 10 ms = 1,300 ms
        assertThat(r.latency()).isEqualTo(Duration.ofMillis(1_300));
        assertThat(sleeper.slept).containsExactly(Duration.ofMillis(1_300));
    }

    @Test
    void givenPromptLargerThanTheWindow_whenExecuted_thenContextLengthExceededWithoutWaiting() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-3.5-turbo")
                .latency(LatencyModel.fixed(Duration.ofSeconds(1))).sleeper(sleeper).build();
        String longPrompt = "hello ".repeat(20_000);

        assertThatThrownBy(() -> sim.execute(ChatRequest.of("gpt-3.5-turbo", longPrompt), ctx()))
                .isInstanceOf(ProviderException.ContextLengthExceeded.class)
                .hasMessageContaining("exceeds the 16385-token window");
        assertThat(sleeper.slept).isEmpty();
    }

    @Test
    void givenStream_whenReadToTheEnd_thenChunksRebuildTheTextAndTheLastCarriesUsage() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "claude-sonnet-4-5")
                .outputLength(OutputLength.fixed(40)).chunkWords(3).sleeper(sleeper).build();
        ChatRequest request = ChatRequest.of("claude-sonnet-4.5", "stream please");
        WorkflowContext ctx = ctx();
        StringBuilder text = new StringBuilder();
        List<ChatChunk> chunks = new ArrayList<>();

        try (ChatStream stream = sim.stream(request, ctx)) {
            stream.forEachRemaining(c -> {
                chunks.add(c);
                text.append(c.contentDelta());
            });
            ChatResponse expected = sim.execute(request, ctx());
            assertThat(stream.response()).isEqualTo(expected);
            assertThat(text.toString()).isEqualTo(expected.text());
            assertThat(chunks.getLast().usage()).contains(expected.usage());
            assertThat(chunks.getLast().finishReason()).contains(FinishReason.STOP);
        }
        assertThat(chunks.size()).isGreaterThan(5);
        assertThat(CostRecords.of(ctx)).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void givenStreamClosedEarly_whenClosed_thenPartialOutputIsRecordedAsAborted() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o").outputLength(OutputLength.fixed(100))
                .chunkWords(10).sleeper(sleeper).build();
        WorkflowContext ctx = ctx();
        ChatStream stream = sim.stream(ChatRequest.of("gpt-4o", "hi"), ctx);

        stream.next();
        stream.next();
        stream.close();
        stream.close();

        assertThat(stream.hasNext()).isFalse();
        assertThatThrownBy(stream::response).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was not read to its end");
        CostRecord aborted = CostRecords.of(ctx).getFirst();
        assertThat(CostRecords.of(ctx)).hasSize(1);
        assertThat(aborted.outcome()).isEqualTo(Outcome.ABORTED);
        // 101 text pieces (prefix + 100 words), 20 sent: ceil(100 × 20 / 101) = 20 output tokens billed
        assertThat(aborted.usage().outputTokens()).isEqualTo(20);
        assertThat(aborted.cost()).isEqualTo(CatalogPricer.of(CATALOG).price("gpt-4o", aborted.usage()).cost());
    }

    @Test
    void givenFreeTierAndLocalModels_whenSimulated_thenZeroCostWithTheirStatus() {
        ChatResponse free = SimulatedChatModel.of(CATALOG, "gemini-2.5-pro:free").execute(
                ChatRequest.of("gemini-2.5-pro:free", "hi"), ctx());
        ChatResponse local = SimulatedChatModel.of(CATALOG, "llama3.2").execute(
                ChatRequest.of("llama3.2", "hi"), ctx());

        assertThat(free.cost()).isEqualTo(Money.ZERO);
        assertThat(free.priceStatus()).isEqualTo(PriceStatus.FREE_TIER);
        assertThat(local.priceStatus()).isEqualTo(PriceStatus.LOCAL);
        assertThat(local.model()).isEqualTo("llama3.2:3b");
        assertThat(local.requestedModel()).isEqualTo("llama3.2");
    }

    @Test
    void givenBaseline_whenExecuted_thenRecordCarriesTheBaselineCost() {
        CatalogPricer pricer = CatalogPricer.of(CATALOG);
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o-mini")
                .outputLength(OutputLength.fixed(1_000)).baseline(SavingsCalculator.of(pricer, "gpt-4o")).build();
        WorkflowContext ctx = ctx();

        sim.execute(ChatRequest.of("gpt-4o-mini", "hello"), ctx);

        // 8 prompt + 1,000 output; mini: 8 × 0.15 + 1,000 × 0.60 = 601.2 per 1M; gpt-4o: 8 × 2.5 + 1,000 × 10 = 10,020
        CostRecord r = CostRecords.of(ctx).getFirst();
        assertThat(r.cost()).isEqualTo(Money.of("0.0006012"));
        assertThat(r.baselineCost()).isEqualTo(Money.of("0.01002"));
        assertThat(r.savings()).isEqualTo(Money.of("0.0094188"));
    }

    @Test
    void givenJsonResponseFormat_whenExecuted_thenAnswerIsJson() throws Exception {
        SimulatedChatModel sim = SimulatedChatModel.of(CATALOG, "gpt-4o-mini");

        ChatResponse r = sim.execute(ChatRequest.builder("gpt-4o-mini")
                .addMessage(dev.costwise.llm.chat.Message.user("give json"))
                .responseFormat(new ResponseFormat.JsonObject()).build(), ctx());

        assertThat(new ObjectMapper().readTree(r.text()).get("simulated").asBoolean()).isTrue();
    }

    @Test
    void givenReasoningShare_whenExecuted_thenHalfTheOutputIsReasoning() {
        ChatResponse r = SimulatedChatModel.builder(CATALOG, "o4-mini").outputLength(OutputLength.fixed(1_000))
                .reasoningShare(0.5).build().execute(ChatRequest.of("o4-mini", "think"), ctx());

        assertThat(r.usage().outputTokens()).isEqualTo(1_000);
        assertThat(r.usage().reasoningTokens()).isEqualTo(500);
    }

    @Test
    void givenTwoCallsInOneRequest_whenRecorded_thenAttemptsCountUp() {
        SimulatedChatModel sim = SimulatedChatModel.of(CATALOG, "gpt-4o-mini");
        WorkflowContext ctx = ctx();

        sim.execute(ChatRequest.of("gpt-4o-mini", "a"), ctx);
        sim.execute(ChatRequest.of("gpt-4o-mini", "b"), ctx);

        assertThat(CostRecords.of(ctx)).extracting(CostRecord::attempt).containsExactly(1, 2);
    }

    @Test
    void givenBadConfiguration_whenBuilt_thenClearErrors() {
        assertThatThrownBy(() -> SimulatedChatModel.builder(CATALOG, "gpt-4o")
                .failure(SimulatedFailure.SERVER_ERROR, 0.7).failure(SimulatedFailure.OVERLOADED, 0.5).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("failure rates sum to 1.2");
        assertThatThrownBy(() -> SimulatedChatModel.builder(CATALOG, "gpt-4o").failure(SimulatedFailure.TIMEOUT, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 1.5");
        assertThatThrownBy(() -> SimulatedChatModel.of(CATALOG, "huggingface/meta-llama/Llama-3.3-70B-Instruct"))
                .isInstanceOf(UnpricedModelException.class);
        SimulatedChatModel unpriced = SimulatedChatModel.builder(CATALOG,
                        "huggingface/meta-llama/Llama-3.3-70B-Instruct")
                .pricer(CatalogPricer.builder(CATALOG).allowUnpricedModels().build()).build();
        assertThat(unpriced.execute(ChatRequest.of("x", "hi"), ctx()).priceStatus()).isEqualTo(PriceStatus.UNPRICED);
    }

    @Test
    void givenRequiredToolChoice_whenExecuted_thenAnswersWithACallOfTheFirstTool() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ChatRequest request = ChatRequest.builder("gpt-4o").addMessage(dev.costwise.llm.chat.Message.user("weather?"))
                .tools(List.of(new Tool("get_weather", Optional.empty(), json.readTree("{\"type\":\"object\"}"),
                        false)))
                .toolChoice(json.getNodeFactory().textNode("required")).build();
        SimulatedChatModel sim = SimulatedChatModel.of(CATALOG, "gpt-4o");

        ChatResponse r = sim.execute(request, ctx());

        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(json.readTree(call.arguments()).has("simulated")).isTrue();
        });
        try (ChatStream stream = sim.stream(request, ctx())) {
            ChatChunk first = stream.next();
            assertThat(first.toolCallDeltas()).singleElement()
                    .satisfies(d -> assertThat(d.name()).contains("get_weather"));
            stream.forEachRemaining(c -> { });
            assertThat(stream.response()).isEqualTo(r);
        }
    }

    @Test
    void givenAForcedToolCallAskedOnFlex_whenExecuted_thenItIsServedAndBilledOnFlexLikeATextAnswer()
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        ChatRequest request = ChatRequest.builder("o4-mini").addMessage(dev.costwise.llm.chat.Message.user("w?"))
                .tools(List.of(new Tool("get_weather", Optional.empty(), json.readTree("{}"), false)))
                .toolChoice(json.getNodeFactory().textNode("required"))
                .serviceTier(dev.costwise.llm.chat.ServiceTier.FLEX).build();

        ChatResponse r = SimulatedChatModel.of(CATALOG, "o4-mini").execute(request, ctx());

        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage().serviceTier()).isEqualTo(dev.costwise.llm.chat.ServiceTier.FLEX);
        assertThat(r.cost()).isEqualTo(CatalogPricer.of(CATALOG).price("o4-mini", r.usage()).cost())
                .isLessThan(CatalogPricer.of(CATALOG).price("o4-mini",
                        r.usage().withServiceTier(dev.costwise.llm.chat.ServiceTier.STANDARD)).cost());
    }

    /** gpt-4o-mini: 1,000 prompt tokens, 600 read from the cache, 10 out: 400 × 0.15 + 600 × 0.075 + 10 × 0.60. */
    @Test
    void givenPromptCacheReads_whenExecuted_thenTheCachedTokensAreReportedAndBilledAtTheCachedPrice() {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o-mini").outputLength(OutputLength.fixed(10))
                .tokenEstimator(fixedPrompt(1_000)).promptCacheReads((model, request, prompt) -> 600).build();

        ChatResponse r = sim.execute(ChatRequest.of("gpt-4o-mini", "hi"), ctx());

        assertThat(r.usage().cachedInputTokens()).isEqualTo(600);
        assertThat(r.cost()).isEqualTo(Money.of("0.000111"));
        SimulatedChatModel wrong = SimulatedChatModel.builder(CATALOG, "gpt-4o-mini").tokenEstimator(fixedPrompt(10))
                .promptCacheReads((model, request, prompt) -> prompt + 1).build();
        assertThatThrownBy(() -> wrong.execute(ChatRequest.of("gpt-4o-mini", "hi"), ctx()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("promptCacheReads of gpt-4o-mini must give 0 to the prompt's 10 tokens, gave 11");
    }

    private static dev.costwise.llm.cost.TokenEstimator fixedPrompt(long tokens) {
        return new dev.costwise.llm.cost.TokenEstimator() {
            @Override
            public TokenEstimate estimateInput(String model, ChatRequest request) {
                return new TokenEstimate(tokens, true);
            }

            @Override
            public long countText(String model, String text) {
                return text.length();
            }
        };
    }

    @Test
    void givenToolChoiceNamingAMissingTool_whenExecuted_thenInvalidRequest() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ChatRequest request = ChatRequest.builder("gpt-4o").addMessage(dev.costwise.llm.chat.Message.user("x"))
                .tools(List.of(new Tool("a", Optional.empty(), json.readTree("{}"), false)))
                .toolChoice(json.readTree("{\"type\":\"function\",\"function\":{\"name\":\"b\"}}")).build();

        assertThatThrownBy(() -> SimulatedChatModel.of(CATALOG, "gpt-4o").execute(request, ctx()))
                .isInstanceOf(ProviderException.InvalidRequest.class).hasMessageContaining("'b'");
    }

    private List<Boolean> outcomes(long seed) {
        SimulatedChatModel sim = SimulatedChatModel.builder(CATALOG, "gpt-4o-mini").seed(seed)
                .failure(SimulatedFailure.SERVER_ERROR, 0.2).outputLength(OutputLength.fixed(10)).build();
        ChatRequest request = ChatRequest.of("gpt-4o-mini", "hi");
        List<Boolean> failed = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            try {
                sim.execute(request, ctx());
                failed.add(false);
            } catch (ProviderException.ServerError e) {
                failed.add(true);
            }
        }
        return failed;
    }

    private static WorkflowContext ctx() {
        return WorkflowContext.builder("sim-test").ticker(Ticker.disabledTicker()).build();
    }

    /** Records every wait instead of sleeping. */
    private static final class RecordingSleeper implements Sleeper {
        final List<Duration> slept = new ArrayList<>();

        @Override
        public void sleep(Duration duration) {
            slept.add(duration);
        }
    }
}
