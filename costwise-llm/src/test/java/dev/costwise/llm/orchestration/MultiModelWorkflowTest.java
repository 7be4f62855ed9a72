package dev.costwise.llm.orchestration;

import static dev.costwise.llm.orchestration.TestCatalog.CLAUDE_SONNET;
import static dev.costwise.llm.orchestration.TestCatalog.DEEPSEEK_R1_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.GEMINI_PRO_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.GPT_4O;
import static dev.costwise.llm.orchestration.TestCatalog.GPT_4O_MINI;
import static dev.costwise.llm.orchestration.TestCatalog.LLAMA_70B_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.LLAMA_8B_FREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.metrics.CostTotals;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultiModelWorkflowTest {
    private static final String TASK = "Analyze the benefits of renewable energy for a mid-sized city, compare solar "
            + "and wind on cost and reliability, and recommend a mix.";
    private static final String CLASSIFY_COMPLEX_REASONING = "{\"complexity\": \"COMPLEX\", \"task_type\": "
            + "\"REASONING\", \"reason\": \"multi-part analysis with a recommendation\", \"confidence\": 0.9}";
    private static final String CLASSIFY_COMPLEX_CODE = "{\"complexity\": \"COMPLEX\", \"task_type\": \"CODE\", "
            + "\"reason\": \"code with edge cases\", \"confidence\": 0.85}";

    private final FakeTicker ticker = new FakeTicker();
    private final TestCatalog catalog = TestCatalog.standard();
    private final ScriptedChatModel claude = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final ScriptedChatModel gemini = new ScriptedChatModel(GEMINI_PRO_FREE, "gemini", ticker);
    private final ScriptedChatModel deepseek = new ScriptedChatModel(DEEPSEEK_R1_FREE, "openrouter", ticker);
    private final ScriptedChatModel llama70 = new ScriptedChatModel(LLAMA_70B_FREE, "groq", ticker);
    private final ScriptedChatModel llama8 = new ScriptedChatModel(LLAMA_8B_FREE, "groq", ticker);
    private final ScriptedChatModel claudeExecutor = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final ExecutorRegistry executors =
            ExecutorRegistry.of(llama8, llama70, gemini, deepseek, claudeExecutor);
    private final WorkflowContext ctx = WorkflowContext.builder("pattern-5").ticker(ticker).build();

    private static MultiModelRequest codeTask() {
        return MultiModelRequest.builder("Write a robust average function in Python")
                .addMessage(Message.user("Write a robust average function in Python, handling edge cases."))
                .validated().build();
    }

    private MultiModelWorkflow.Builder workflow() {
        return MultiModelWorkflow.builder(catalog, executors, claude)
                .classifier(LlmTaskClassifier.of(claude, RuleBasedTaskClassifier.builder(catalog).build()));
    }

    /** The spec prices every token at the input rate ($3/1M for Claude Sonnet 4.5); this pricer states that. */
    private Pricer everyTokenAtInputRate() {
        return (model, usage) -> new Pricer.Priced(catalog.require(model).pricing().orElseThrow().inputPerMillion()
                .perMillion(usage.totalTokens()), PriceStatus.PRICED);
    }

    @Test
    void givenSpecScenario_whenPricedAtInputRateLikeTheSpec_thenSixDollarsADayAgainstSixtyIsANinetyPercentSaving() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.replies("Solar and wind together...", Usage.of(300, 1500));
        MultiModelWorkflow wf = workflow().pricer(everyTokenAtInputRate()).build();

        MultiModelResponse r = wf.execute(MultiModelRequest.of(TASK), ctx);

        assertThat(r.executorModel()).isEqualTo(GEMINI_PRO_FREE);
        assertThat(r.orchestratorUsage().totalTokens()).isEqualTo(200);
        assertThat(r.executorUsage().totalTokens()).isEqualTo(1800);
        assertThat(r.orchestratorCost()).isEqualTo(Money.of("0.0006"));
        assertThat(r.executorCost()).isEqualTo(Money.ZERO);
        assertThat(r.baselineCost()).isEqualTo(Money.of("0.006"));
        assertThat(r.totalCost().times(10_000)).isEqualTo(Money.of("6"));
        assertThat(r.baselineCost().times(10_000)).isEqualTo(Money.of("60"));
        assertThat(r.totalCost().times(10_000 * 30)).isEqualTo(Money.of("180"));
        assertThat(r.baselineCost().times(10_000 * 30)).isEqualTo(Money.of("1800"));
        assertThat(r.savingsRatio()).isEqualTo(0.90);
    }

    @Test
    void givenSpecScenario_whenPricedWithRealInputAndOutputPrices_thenTwelveDollarsADayAgainst246() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.replies("Solar and wind together...", Usage.of(300, 1500));
        MultiModelWorkflow wf = workflow().build();

        MultiModelResponse r = wf.execute(MultiModelRequest.of(TASK), ctx);

        // Claude Sonnet 4.5 at $3 in / $15 out: 150 × 3 + 50 × 15 = $0.0012 per request
        assertThat(r.orchestratorCost()).isEqualTo(Money.of("0.0012"));
        assertThat(r.totalCost().times(10_000)).isEqualTo(Money.of("12"));
        // all-premium: 450 input + 1,550 output tokens on Claude = $0.0246 per request
        assertThat(r.baselineCost().times(10_000)).isEqualTo(Money.of("246"));
        assertThat(r.savingsRatio()).isCloseTo(0.9512, org.assertj.core.data.Offset.offset(0.0001));
    }

    @Test
    void givenWorkflowRun_whenFinished_thenSpecMetricsMapIsInContextMetadata() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.replies("Solar and wind together...", Usage.of(300, 1500));
        MultiModelWorkflow wf = workflow().pricer(everyTokenAtInputRate()).build();

        wf.execute(MultiModelRequest.of(TASK), ctx);

        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) ctx.metadata().get(MultiModelWorkflow.METRICS_KEY);
        assertThat(m).containsEntry("orchestrator_tokens", 200L).containsEntry("executor_tokens", 1800L)
                .containsEntry("executor_model", GEMINI_PRO_FREE).containsEntry("classification", "complex")
                .containsEntry("cost_savings_vs_all_paid", 0.90);
        assertThat((BigDecimal) m.get("orchestrator_cost")).isEqualByComparingTo("0.0006");
        assertThat((BigDecimal) m.get("total_cost")).isEqualByComparingTo("0.0006");
        assertThat((BigDecimal) m.get("executor_cost")).isEqualByComparingTo("0");
    }

    @Test
    void givenFailedValidation_whenEscalationAllowed_thenStrongerTierAnswersAndBothVerdictsArePaid() {
        claude.replies(CLASSIFY_COMPLEX_CODE, Usage.of(150, 50))
                .replies("{\"pass\": false, \"reasons\": [\"ignores the empty-list edge case\"]}", Usage.of(400, 30))
                .replies("{\"pass\": true, \"reasons\": []}", Usage.of(420, 10));
        llama70.replies("def avg(xs): return sum(xs)/len(xs)", Usage.of(100, 40));
        gemini.replies("def avg(xs): return sum(xs)/len(xs) if xs else 0.0", Usage.of(100, 60));
        MultiModelWorkflow wf = workflow().maxEscalations(1).build();

        MultiModelResponse r = wf.execute(MultiModelRequest.builder("Write a robust average function in Python")
                .addMessage(Message.user("Write a robust average function in Python, handling edge cases."))
                .validated().build(), ctx);

        assertThat(r.escalations()).singleElement().satisfies(e -> {
            assertThat(e.from()).isEqualTo(LLAMA_70B_FREE);
            assertThat(e.to()).isEqualTo(GEMINI_PRO_FREE);
            assertThat(e.toTier()).isGreaterThan(e.fromTier());
            assertThat(e.reasons()).containsExactly("ignores the empty-list edge case");
        });
        assertThat(r.executorModel()).isEqualTo(GEMINI_PRO_FREE);
        assertThat(r.content()).contains("if xs else");
        assertThat(r.validationPassed()).contains(true);
        assertThat(r.orchestratorUsage()).isEqualTo(Usage.of(970, 90));
        assertThat(r.executorUsage()).isEqualTo(Usage.of(200, 100));
        assertThat(ctx.records("escalated")).hasSize(1);
        assertThat(claude.requests().get(1).responseFormat()).isInstanceOf(ResponseFormat.JsonObject.class);
        assertThat(claude.requests().get(1).lastUserText()).contains("RUBRIC").contains("def avg(xs)");
    }

    @Test
    void givenAPaidAnswerFailingValidation_whenEscalated_thenItsRecordIsSupersededAndCountsAsWasted() {
        ChatModel mini = SimulatedChatModel.builder(catalog, GPT_4O_MINI).seed(1).build();
        ChatModel gpt4o = SimulatedChatModel.builder(catalog, GPT_4O).seed(2).build();
        claude.replies("{\"pass\": false, \"reasons\": [\"bad output\"]}", Usage.of(400, 30))
                .replies("{\"pass\": true, \"reasons\": []}", Usage.of(420, 10));
        MultiModelWorkflow wf = MultiModelWorkflow.builder(catalog, ExecutorRegistry.of(mini, gpt4o), claude)
                .maxEscalations(1).build();

        MultiModelResponse r = wf.execute(MultiModelRequest.builder(TASK).addMessage(Message.user(TASK))
                .executor(GPT_4O_MINI).validated().build(), ctx);

        assertThat(r.escalations()).extracting(Escalation::to).containsExactly(GPT_4O);
        List<CostRecord> records = CostRecords.of(ctx);
        assertThat(records).extracting(CostRecord::catalogModel, CostRecord::outcome)
                .containsExactly(tuple(GPT_4O_MINI, Outcome.SUPERSEDED), tuple(GPT_4O, Outcome.SUCCESS));
        assertThat(records).extracting(CostRecord::attempt).containsExactly(1, 2);
        CostRecord draft = records.getFirst();
        assertThat(draft.cost().isPositive()).isTrue();
        assertThat(draft.baselineCost()).isEqualTo(Money.ZERO);
        CostTotals totals = records.stream().reduce(CostTotals.EMPTY, CostTotals::plus, (a, b) -> a);
        assertThat(totals.wasted()).isEqualTo(draft.cost());
        assertThat(totals.successes()).isEqualTo(1);
    }

    @Test
    void givenAnEscalationThatFails_whenTheRunThrows_thenEveryAttemptIsInTheContextWithItsOutcome() {
        ChatModel mini = SimulatedChatModel.builder(catalog, GPT_4O_MINI).seed(1).build();
        ChatModel gpt4o = SimulatedChatModel.builder(catalog, GPT_4O).seed(2)
                .failure(dev.costwise.llm.sim.SimulatedFailure.SERVER_ERROR, 1.0).build();
        claude.replies("{\"pass\": false, \"reasons\": [\"bad output\"]}", Usage.of(400, 30));
        MultiModelWorkflow wf = MultiModelWorkflow.builder(catalog, ExecutorRegistry.of(mini, gpt4o), claude)
                .maxEscalations(1).maxChainLength(1).build();

        assertThatThrownBy(() -> wf.execute(MultiModelRequest.builder(TASK).addMessage(Message.user(TASK))
                .executor(GPT_4O_MINI).validated().build(), ctx)).isInstanceOf(AllExecutorsFailedException.class);

        assertThat(CostRecords.of(ctx)).extracting(CostRecord::catalogModel, CostRecord::outcome)
                .containsExactly(tuple(GPT_4O_MINI, Outcome.SUPERSEDED), tuple(GPT_4O, Outcome.FAILED));
    }

    @Test
    void givenFailedValidation_whenEscalationLimitIsZero_thenOutputIsReturnedWithTheFailingVerdict() {
        claude.replies(CLASSIFY_COMPLEX_CODE, Usage.of(150, 50))
                .replies("{\"pass\": false, \"reasons\": [\"wrong\"]}", Usage.of(400, 30));
        llama70.replies("def avg(xs): return 0", Usage.of(100, 40));
        MultiModelWorkflow wf = workflow().maxEscalations(0).build();

        MultiModelResponse r = wf.execute(codeTask(), ctx);

        assertThat(r.escalations()).isEmpty();
        assertThat(r.validationPassed()).contains(false);
        assertThat(r.validation()).contains(Validation.FAILED);
        assertThat(r.verdict().orElseThrow().reasons()).containsExactly("wrong");
        assertThat(r.content()).isEqualTo("def avg(xs): return 0");
        assertThat(ctx.records("escalation_limit")).hasSize(1);
    }

    @Test
    void givenMalformedVerdict_whenFailClosed_thenCountsAsFailAndEscalates() {
        claude.replies(CLASSIFY_COMPLEX_CODE, Usage.of(150, 50))
                .replies("Looks good to me!", Usage.of(400, 5))
                .replies("{\"pass\": true, \"reasons\": [\"handles empty input\"]}", Usage.of(400, 10));
        llama70.replies("v1", Usage.of(100, 40));
        gemini.replies("v2", Usage.of(100, 40));
        MultiModelWorkflow wf = workflow().malformedVerdictPolicy(MalformedVerdictPolicy.FAIL_CLOSED).build();

        MultiModelResponse r = wf.execute(codeTask(), ctx);

        assertThat(r.escalations()).singleElement().satisfies(e ->
                assertThat(e.reasons().get(0)).contains("malformed verdict (FAIL_CLOSED)")
                        .contains("no JSON object with a boolean 'pass'"));
        assertThat(r.content()).isEqualTo("v2");
        assertThat(ctx.records("validator_malformed")).singleElement()
                .satisfies(rec -> assertThat(rec.attributes()).containsEntry("countedAs", "fail"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"pass\": true}",
        "{\"pass\": true, \"reasons\": [\"fine\"], \"score\": 0.9}",
        "Here is my verdict: {\"pass\": true, \"reasons\": [\"fine\"]}",
        "```json\n{\"pass\": true, \"reasons\": [\"fine\"]}\n```",
        "The template was {\"pass\": true or false}. My verdict:\n```\n{\"pass\": true, \"reasons\": "
                + "[\"a {brace} in a \\\"string\\\"\"]}\n``` Done.",
        "{\"pass\": true, \"reasons\": []}"})
    void givenAVerdictThatSaysPassInAnotherShape_whenRead_thenItIsAPassAndNothingEscalates(String verdict) {
        claude.replies(CLASSIFY_COMPLEX_CODE, Usage.of(150, 50)).replies(verdict, Usage.of(400, 10));
        llama70.replies("v1", Usage.of(100, 40));

        MultiModelResponse r = workflow().build().execute(codeTask(), ctx);

        assertThat(r.content()).isEqualTo("v1");
        assertThat(r.escalations()).isEmpty();
        assertThat(r.validationPassed()).contains(true);
        assertThat(r.validation()).contains(Validation.PASSED);
        assertThat(r.verdict().orElseThrow().malformed()).isFalse();
        assertThat(ctx.records("validator_malformed")).isEmpty();
    }

    @Test
    void givenAFailingVerdictWithoutReasonsAfterADraftOne_whenRead_thenTheLastObjectIsTheVerdictAndItEscalates() {
        claude.replies(CLASSIFY_COMPLEX_CODE, Usage.of(150, 50))
                .replies("At first {\"pass\": true}, but on a second look: {\"pass\": false, \"score\": 2}",
                        Usage.of(400, 10))
                .replies("{\"pass\": true}", Usage.of(400, 10));
        llama70.replies("v1", Usage.of(100, 40));
        gemini.replies("v2", Usage.of(100, 40));

        MultiModelResponse r = workflow().build().execute(codeTask(), ctx);

        assertThat(r.escalations()).singleElement().satisfies(e -> assertThat(e.reasons()).isEmpty());
        assertThat(r.content()).isEqualTo("v2");
        assertThat(ctx.records("validator_malformed")).isEmpty();
    }

    @Test
    void givenMalformedVerdict_whenFailOpen_thenOutputIsKeptAndTheProblemRecorded() {
        claude.replies(CLASSIFY_COMPLEX_CODE, Usage.of(150, 50))
                .replies("{\"pass\": \"yes\"}", Usage.of(400, 5));
        llama70.replies("v1", Usage.of(100, 40));
        MultiModelWorkflow wf = workflow().malformedVerdictPolicy(MalformedVerdictPolicy.FAIL_OPEN).build();

        MultiModelResponse r = wf.execute(codeTask(), ctx);

        assertThat(r.content()).isEqualTo("v1");
        assertThat(r.escalations()).isEmpty();
        assertThat(r.validationPassed()).as("what fail-open made of it").contains(true);
        assertThat(r.validation()).contains(Validation.UNREADABLE);
        assertThat(r.verdict()).hasValueSatisfying(v -> {
            assertThat(v.malformed()).isTrue();
            assertThat(v.passed()).isTrue();
            assertThat(v.problem()).hasValueSatisfying(p -> assertThat(p).contains("'pass'"));
        });
        assertThat(ctx.records("validator_malformed")).singleElement()
                .satisfies(rec -> assertThat(rec.attributes()).containsEntry("countedAs", "pass"));
    }

    @Test
    void givenFreeExecutorsRateLimited_whenFixedChain_thenMovesGeminiDeepSeekClaudeAndPaysOnlyClaude() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.rateLimited();
        deepseek.rateLimited();
        claudeExecutor.replies("Claude's analysis", Usage.of(300, 1500));
        MultiModelWorkflow wf = workflow().fallbackChain(GEMINI_PRO_FREE, DEEPSEEK_R1_FREE, CLAUDE_SONNET).build();

        MultiModelResponse r = wf.execute(MultiModelRequest.of(TASK), ctx);

        assertThat(r.fallbacks()).extracting(FallbackStep::model).containsExactly(GEMINI_PRO_FREE, DEEPSEEK_R1_FREE);
        assertThat(r.fallbacks()).extracting(FallbackStep::errorKind).containsOnly("rate_limited");
        assertThat(r.executorModel()).isEqualTo(CLAUDE_SONNET);
        assertThat(r.executorCost()).isEqualTo(Money.of("0.0234"));
        assertThat(ctx.records("fallback")).hasSize(2);
    }

    @Test
    void givenRateLimitedGemini_whenChainIsDerivedFromCatalog_thenFreeModelsComeFirstAndPaidLast() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.rateLimited();
        deepseek.fails(new ProviderException.ProviderTimeout(ProviderException.Details.of("openrouter",
                DEEPSEEK_R1_FREE), "completion", Duration.ofSeconds(30)));
        llama70.rateLimited();
        claudeExecutor.replies("Claude's analysis", Usage.of(300, 1500));

        MultiModelResponse r = workflow().maxChainLength(4).build().execute(MultiModelRequest.of(TASK), ctx);

        assertThat(r.fallbacks()).extracting(FallbackStep::model, FallbackStep::errorKind)
                .as("every free model able to do a complex task (tier 3+), strongest first")
                .containsExactly(org.assertj.core.groups.Tuple.tuple(GEMINI_PRO_FREE, "rate_limited"),
                        org.assertj.core.groups.Tuple.tuple(DEEPSEEK_R1_FREE, "timeout"),
                        org.assertj.core.groups.Tuple.tuple(LLAMA_70B_FREE, "rate_limited"));
        assertThat(r.executorModel()).isEqualTo(CLAUDE_SONNET);
    }

    @Test
    void givenTheFreeExecutorRateLimitedOnASimpleTask_whenItFallsBack_thenTheCheapestCapableModelAnswersNotAStronger() {
        ScriptedChatModel mini = new ScriptedChatModel(GPT_4O_MINI, "openai", ticker);
        ScriptedChatModel gpt4o = new ScriptedChatModel(GPT_4O, "openai", ticker);
        llama70.rateLimited();
        mini.replies("12", Usage.of(20, 2));
        MultiModelWorkflow wf = MultiModelWorkflow.builder(catalog, ExecutorRegistry.of(llama70, mini, gpt4o), claude)
                .build();

        MultiModelResponse r = wf.execute(MultiModelRequest.builder("What is 6+6?")
                .addMessage(Message.user("What is 6+6?")).validated().build(), ctx);

        assertThat(r.fallbacks()).extracting(FallbackStep::model).containsExactly(LLAMA_70B_FREE);
        assertThat(r.executorModel()).as("tier 2 does a simple task; a rate limit is no reason for tier 3")
                .isEqualTo(GPT_4O_MINI);
        assertThat(gpt4o.requests()).isEmpty();
    }

    @Test
    void givenEveryExecutorFails_whenRun_thenErrorNamesEachAttempt() {
        claude.replies(CLASSIFY_COMPLEX_REASONING.replace("COMPLEX", "EXPERT"), Usage.of(150, 50));
        gemini.rateLimited();
        deepseek.rateLimited();
        claudeExecutor.fails(new ProviderException.Overloaded(ProviderException.Details.of("anthropic",
                CLAUDE_SONNET, 529), "overloaded_error", java.util.Optional.empty()));

        assertThatThrownBy(() -> workflow().build().execute(MultiModelRequest.of(TASK), ctx))
                .isInstanceOf(AllExecutorsFailedException.class)
                .hasMessageContaining(GEMINI_PRO_FREE + " (rate_limited) -> " + DEEPSEEK_R1_FREE
                        + " (rate_limited) -> " + CLAUDE_SONNET + " (overloaded)")
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(3));
    }

    @Test
    void givenCallersMistake_whenExecutorRejects_thenNoFallbackIsTried() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.fails(new ProviderException.InvalidRequest(ProviderException.Details.of("gemini", GEMINI_PRO_FREE,
                400), "temperature out of range"));

        assertThatThrownBy(() -> workflow().build().execute(MultiModelRequest.of(TASK), ctx))
                .isInstanceOf(ProviderException.InvalidRequest.class);
        assertThat(deepseek.requests()).isEmpty();
        assertThat(claudeExecutor.requests()).isEmpty();
    }

    @Test
    void givenCallersSettings_whenDelegated_thenEachExecutorAnswersWithinThemAndOnlyReasoningOnesGetTheReasoning() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.replies("Solar and wind together...", Usage.of(300, 700));
        ExecutorSettings settings = new ExecutorSettings(Optional.of(800), new ResponseFormat.Text(),
                Optional.of(Reasoning.effort(ReasoningEffort.HIGH)), Optional.of(ServiceTier.FLEX));

        workflow().build().execute(MultiModelRequest.builder(TASK).addMessage(Message.user(TASK))
                .settings(settings).build(), ctx);

        ChatRequest toGemini = gemini.requests().getFirst();
        assertThat(toGemini.maxTokens()).contains(800);
        assertThat(toGemini.reasoning()).contains(Reasoning.effort(ReasoningEffort.HIGH));
        assertThat(toGemini.serviceTier()).contains(ServiceTier.FLEX);
        assertThat(claude.requests()).as("the orchestrator's own calls run on the default tier")
                .allSatisfy(c -> assertThat(c.serviceTier()).isEmpty());

        llama8.replies("{\"capital\": \"Paris\"}", Usage.of(15, 6));
        ExecutorSettings json = new ExecutorSettings(Optional.of(50), new ResponseFormat.JsonObject(),
                Optional.of(Reasoning.effort(ReasoningEffort.HIGH)));
        MultiModelRequest simple = MultiModelRequest.builder("What is the capital of France?")
                .addMessage(Message.user("What is the capital of France? Answer in JSON.")).settings(json).build();

        MultiModelResponse r = workflow().build().execute(simple, ctx);

        assertThat(simple.preferences().requiredCapabilities()).contains(Capability.JSON);
        assertThat(r.executorModel()).isEqualTo(LLAMA_8B_FREE);
        ChatRequest toLlama = llama8.requests().getFirst();
        assertThat(toLlama.maxTokens()).contains(50);
        assertThat(toLlama.responseFormat()).isEqualTo(new ResponseFormat.JsonObject());
        assertThat(toLlama.reasoning()).as("llama 3.1 8B does not reason, and its provider would refuse it").isEmpty();
    }

    @Test
    void givenCallersRequest_whenDelegated_thenTheExecutorGetsItsToolsAndSamplingButTheOrchestratorDoesNot() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.replies("Solar and wind together...", Usage.of(300, 700));
        var nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        ChatRequest caller = ChatRequest.builder("auto").addMessage(Message.user(TASK))
                .tools(java.util.List.of(new Tool("get_weather", Optional.empty(), nodes.objectNode(), false)))
                .toolChoice(nodes.textNode("required")).temperature(0.2).topP(0.9).topK(40)
                .stop(java.util.List.of("END")).seed(7).parallelToolCalls(Optional.of(false)).maxTokens(900).build();

        workflow().build().execute(MultiModelRequest.builder(TASK).messages(caller.messages())
                .settings(ExecutorSettings.answering(caller)).build(), ctx);

        ChatRequest toGemini = gemini.requests().getFirst();
        assertThat(toGemini.model()).isEqualTo(GEMINI_PRO_FREE);
        assertThat(toGemini.tools()).extracting(Tool::name).containsExactly("get_weather");
        assertThat(toGemini.toolChoice()).contains(nodes.textNode("required"));
        assertThat(toGemini.temperature()).contains(0.2);
        assertThat(toGemini.topP()).contains(0.9);
        assertThat(toGemini.topK()).contains(40);
        assertThat(toGemini.stop()).containsExactly("END");
        assertThat(toGemini.seed()).contains(7L);
        assertThat(toGemini.parallelToolCalls()).contains(false);
        assertThat(toGemini.maxTokens()).contains(900);
        assertThat(claude.requests()).as("the classifier's call is the orchestrator's own").isNotEmpty()
                .allSatisfy(c -> {
                    assertThat(c.tools()).isEmpty();
                    assertThat(c.temperature()).isEmpty();
                    assertThat(c.stop()).isEmpty();
                });
    }

    @Test
    void givenSimpleTask_whenRun_thenOrchestrationIsSkippedAndCheapestCapableModelAnswers() {
        llama8.replies("Paris.", Usage.of(15, 3));

        MultiModelResponse r = workflow().build().execute(MultiModelRequest.builder("What is the capital of France?")
                .addMessage(Message.user("What is the capital of France?")).validated().build(), ctx);

        assertThat(r.orchestrated()).isFalse();
        assertThat(r.executorModel()).isEqualTo(LLAMA_8B_FREE);
        assertThat(claude.requests()).isEmpty();
        assertThat(r.orchestratorUsage()).isEqualTo(Usage.ZERO);
        assertThat(r.overheadCost()).isEqualTo(Money.ZERO);
        assertThat(r.overheadLatency()).isEqualTo(Duration.ZERO);
        assertThat(r.classification().reason()).startsWith("orchestration skipped");
        assertThat(r.validation()).as("a simple task is not validated").isEmpty();
        assertThat(ctx.records("orchestration_skipped")).hasSize(1);
    }

    @Test
    void givenOrchestratorLatency_whenRun_thenOverheadIsMeasuredOnTheTicker() {
        claude.repliesAfter(Duration.ofMillis(120), CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        gemini.repliesAfter(Duration.ofMillis(900), "analysis", Usage.of(300, 1500));

        MultiModelResponse r = workflow().build().execute(MultiModelRequest.of(TASK), ctx);

        assertThat(r.overheadLatency()).isEqualTo(Duration.ofMillis(120));
        assertThat(r.totalLatency()).isEqualTo(Duration.ofMillis(1020));
        assertThat(r.overheadCost()).isEqualTo(r.orchestratorCost());
    }

    @Test
    void givenPreferredFreeModelWithoutHeadroom_whenRun_thenAnotherFreeModelIsChosen() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));
        deepseek.replies("analysis", Usage.of(300, 1500));
        Headroom geminiNearlyExhausted = model -> model.equals(GEMINI_PRO_FREE) ? 0.02 : 0.9;
        MultiModelWorkflow wf = MultiModelWorkflow.builder(catalog, executors, claude)
                .classifier(LlmTaskClassifier.of(claude, RuleBasedTaskClassifier.builder(catalog)
                        .headroom(geminiNearlyExhausted).build()))
                .headroom(geminiNearlyExhausted).build();

        MultiModelResponse r = wf.execute(MultiModelRequest.of(TASK), ctx);

        assertThat(r.executorModel()).isEqualTo(DEEPSEEK_R1_FREE);
        assertThat(r.classification().reason()).contains("skipped " + GEMINI_PRO_FREE + " headroom 2% < 10%");
    }

    @Test
    void givenRequestNamingAnUnregisteredExecutor_whenRun_thenErrorListsRegisteredOnes() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50));

        assertThatThrownBy(() -> workflow().build().execute(MultiModelRequest.builder(TASK)
                .addMessage(Message.user(TASK)).executor(GPT_4O_MINI).build(), ctx))
                .isInstanceOf(UnknownExecutorException.class)
                .hasMessageContaining("no executor registered for 'gpt-4o-mini'")
                .hasMessageContaining(LLAMA_8B_FREE).hasMessageContaining(CLAUDE_SONNET);
    }

    @Test
    void givenMalformedClassifierJson_whenRun_thenRulesClassifyTheTaskStillRunsAndTheWastedTokensAreCounted() {
        claude.replies("{\"complexity\": \"COMPLEX\", \"task_type\": ", Usage.of(150, 8));
        gemini.alwaysReplies("analysis", Usage.of(300, 1500));
        deepseek.alwaysReplies("analysis", Usage.of(300, 1500));
        llama70.alwaysReplies("analysis", Usage.of(300, 1500));

        MultiModelResponse r = workflow().build().execute(MultiModelRequest.of(TASK), ctx);

        assertThat(r.classification().source()).isEqualTo("rules-fallback");
        assertThat(r.classification().reason()).startsWith("LLM classifier failed (malformed reply: not JSON");
        assertThat(r.orchestratorUsage()).isEqualTo(Usage.of(150, 8));
        assertThat(r.content()).isEqualTo("analysis");
        assertThat(ctx.records("llm_fallback")).hasSize(1);
    }

    @Test
    void givenFreeFrontierModelFailsValidation_whenNoHigherTierIsLeft_thenThePaidModelIsTheLastResort() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50))
                .replies("{\"pass\": false, \"reasons\": [\"no recommendation given\"]}", Usage.of(500, 20))
                .replies("{\"pass\": true, \"reasons\": [\"complete\"]}", Usage.of(500, 10));
        gemini.replies("Solar is nice.", Usage.of(300, 40));
        claudeExecutor.replies("Recommend 60% solar, 40% wind because...", Usage.of(300, 900));

        MultiModelResponse r = workflow().build().execute(MultiModelRequest.builder(TASK)
                .addMessage(Message.user(TASK)).executor(GEMINI_PRO_FREE).validated().build(), ctx);

        assertThat(r.escalations()).singleElement().satisfies(e -> {
            assertThat(e.from()).isEqualTo(GEMINI_PRO_FREE);
            assertThat(e.to()).isEqualTo(CLAUDE_SONNET);
            assertThat(e.toTier()).isEqualTo(e.fromTier());
        });
        assertThat(r.executorModel()).isEqualTo(CLAUDE_SONNET);
        assertThat(r.executorCost()).isEqualTo(Money.of("0.0144"));
    }

    @Test
    void givenEscalatedModelRateLimited_whenItFallsBack_thenModelsThatAlreadyFailedTheTaskAreNotRetried() {
        claude.replies(CLASSIFY_COMPLEX_REASONING, Usage.of(150, 50))
                .replies("{\"pass\": false, \"reasons\": [\"no recommendation\"]}", Usage.of(400, 30))
                .replies("{\"pass\": true, \"reasons\": []}", Usage.of(400, 10));
        gemini.replies("v1", Usage.of(100, 40));
        claudeExecutor.rateLimited();
        deepseek.replies("v2", Usage.of(100, 60));

        MultiModelResponse r = workflow().build().execute(MultiModelRequest.builder(TASK)
                .addMessage(Message.user(TASK)).executor(GEMINI_PRO_FREE).validated().build(), ctx);

        assertThat(r.escalations()).extracting(Escalation::to).containsExactly(CLAUDE_SONNET);
        assertThat(r.fallbacks()).extracting(FallbackStep::model).containsExactly(CLAUDE_SONNET);
        assertThat(r.executorModel()).isEqualTo(DEEPSEEK_R1_FREE);
        assertThat(gemini.requests()).as("gemini already failed validation").hasSize(1);
    }
}
