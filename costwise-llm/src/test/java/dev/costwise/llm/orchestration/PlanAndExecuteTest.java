package dev.costwise.llm.orchestration;

import static dev.costwise.llm.orchestration.TestCatalog.CLAUDE_SONNET;
import static dev.costwise.llm.orchestration.TestCatalog.DEEPSEEK_R1_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.GEMINI_PRO_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.GPT_4O;
import static dev.costwise.llm.orchestration.TestCatalog.LLAMA_70B_FREE;
import static dev.costwise.llm.orchestration.TestCatalog.LLAMA_8B_FREE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PlanAndExecuteTest {
    private static final String TASK = "Research renewable energy from 3 perspectives";
    private static final String THREE_STEP_PLAN = """
            {"subtasks": [
              {"id": "env", "description": "Environmental benefits",
                      "prompt": "Explain environmental benefits of renewables", "executor": "gemini-2.5-pro:free"},
              {"id": "econ", "description": "Economic impact", "prompt": "Analyze the economic impact of renewables",
                      "executor": "deepseek/deepseek-r1:free"},
              {"id": "tech", "description": "Technical challenges",
                      "prompt": "Describe technical challenges of renewables", "executor": "llama-3.3-70b-versatile"}
            ]}""";

    private final FakeTicker ticker = new FakeTicker();
    private final TestCatalog catalog = TestCatalog.standard();
    private final ScriptedChatModel claude = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final ScriptedChatModel gemini = new ScriptedChatModel(GEMINI_PRO_FREE, "gemini", ticker);
    private final ScriptedChatModel deepseek = new ScriptedChatModel(DEEPSEEK_R1_FREE, "openrouter", ticker);
    private final ScriptedChatModel llama70 = new ScriptedChatModel(LLAMA_70B_FREE, "groq", ticker);
    private final ScriptedChatModel claudeExecutor = new ScriptedChatModel(CLAUDE_SONNET, "anthropic", ticker);
    private final ScriptedChatModel llama8 = new ScriptedChatModel(LLAMA_8B_FREE, "groq", ticker);
    private final ScriptedChatModel gpt4o = new ScriptedChatModel(GPT_4O, "openai", ticker);
    private final ExecutorRegistry executors = ExecutorRegistry.of(gemini, deepseek, llama70, claudeExecutor);

    private PlanAndExecute.Builder workflow() {
        return PlanAndExecute.builder(catalog, executors, claude);
    }

    @Test
    void givenThreeStepPlan_whenRun_thenStepsRunInParallelOnTheirFreeExecutorsAndTheOrchestratorAggregates() {
        CountDownLatch allStarted = new CountDownLatch(3);
        Runnable gate = () -> {
            allStarted.countDown();
            try {
                // a safety bound, not a wait: it only elapses if the steps are (wrongly) run one after another
                assertThat(allStarted.await(5, TimeUnit.SECONDS)).as("all three steps in flight at once").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        claude.replies(THREE_STEP_PLAN, Usage.of(300, 200)).replies("Combined report", Usage.of(2000, 500));
        gemini.repliesWhen(gate, "Cleaner air...", Usage.of(50, 800));
        deepseek.repliesWhen(gate, "Jobs and costs...", Usage.of(50, 900));
        llama70.repliesWhen(gate, "Intermittency...", Usage.of(50, 700));
        WorkflowContext ctx = WorkflowContext.builder("pattern-a").ticker(ticker).build();

        PlanResult r = workflow().build().execute(TASK, ctx);

        assertThat(r.results()).extracting(res -> res.executorModel().orElseThrow())
                .containsExactly(GEMINI_PRO_FREE, DEEPSEEK_R1_FREE, LLAMA_70B_FREE);
        assertThat(r.results()).allMatch(res -> res.status() == SubTaskResult.Status.COMPLETED);
        assertThat(r.content()).isEqualTo("Combined report");
        assertThat(r.aggregated()).isTrue();
        assertThat(r.executorCost()).isEqualTo(Money.ZERO);
        assertThat(r.orchestratorUsage()).isEqualTo(Usage.of(2300, 700));
        assertThat(r.savingsRatio()).isGreaterThan(0.6);
        assertThat(claude.requests().get(1).lastUserText()).contains("Cleaner air").contains("Jobs and costs")
                .contains("Intermittency");
        assertThat(ctx.records("delegated")).extracting(rec -> rec.branch())
                .containsExactlyInAnyOrder("subtask-env", "subtask-econ", "subtask-tech");
    }

    @Test
    void givenStepThatHangs_whenDeadlinePasses_thenItIsCutOffAndTheFinishedStepIsKept() {
        String plan = """
                {"subtasks": [
                  {"id": "fast", "description": "Fast part", "prompt": "Explain the fast part",
                          "executor": "gemini-2.5-pro:free"},
                  {"id": "slow", "description": "Slow part", "prompt": "Explain the slow part",
                          "executor": "deepseek/deepseek-r1:free"}
                ]}""";
        claude.replies(plan, Usage.of(200, 100));
        CountDownLatch fastDone = new CountDownLatch(1);
        gemini.replies("fast answer", Usage.of(20, 200));
        deepseek.blocksUntilInterrupted(() -> {
            try {
                fastDone.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticker.advance(Duration.ofSeconds(31));
        });
        WorkflowContext ctx = WorkflowContext.builder("pattern-a").ticker(ticker).timeout(Duration.ofSeconds(30))
                .build();
        PlanAndExecute wf = workflow().listener(new PlanAndExecute.Listener() {
            @Override
            public void onSubTaskFinished(SubTaskResult result) {
                if (result.subTask().id().equals("fast")) {
                    fastDone.countDown();
                }
            }
        }).build();

        PlanResult r = wf.execute(TASK, ctx);

        assertThat(r.results()).extracting(SubTaskResult::status)
                .containsExactly(SubTaskResult.Status.COMPLETED, SubTaskResult.Status.CUT_OFF);
        assertThat(r.content()).contains("fast answer").contains("cut_off");
        assertThat(r.aggregated()).as("no time left to aggregate").isFalse();
        assertThat(ctx.records("subtask_cut_off")).hasSize(1);
        assertThat(ctx.records("aggregation_skipped")).hasSize(1);
        assertThat(claude.requests()).hasSize(1);
    }

    @Test
    void givenRateLimitedStep_whenRun_thenItFollowsItsOwnFallbackChain() {
        String plan = """
                {"subtasks": [{"id": "only", "description": "Environmental benefits",
                        "prompt": "Explain environmental benefits", "executor": "gemini-2.5-pro:free"}]}""";
        claude.replies(plan, Usage.of(200, 100)).replies("Final", Usage.of(500, 100));
        gemini.rateLimited();
        deepseek.replies("benefits", Usage.of(20, 400));
        WorkflowContext ctx = WorkflowContext.builder("pattern-a").ticker(ticker).build();

        PlanResult r = workflow().build().execute(TASK, ctx);

        SubTaskResult only = r.results().get(0);
        assertThat(only.executorModel()).contains(DEEPSEEK_R1_FREE);
        assertThat(only.fallbacks()).singleElement().satisfies(f -> {
            assertThat(f.model()).isEqualTo(GEMINI_PRO_FREE);
            assertThat(f.errorKind()).isEqualTo("rate_limited");
        });
        assertThat(ctx.records("fallback")).singleElement()
                .satisfies(rec -> assertThat(rec.branch()).isEqualTo("subtask-only"));
    }

    @Test
    void givenOnlyLowerTierFreeModelsLeft_whenTheStepsExecutorFails_thenALowerTierFreeModelAnswers() {
        llama8.replies("intermittency", Usage.of(20, 300));

        SubTaskResult r = stepOnFailingLlama70(PlanAndExecute.builder(catalog, ExecutorRegistry.of(llama70, llama8),
                claude));

        assertThat(r.status()).isEqualTo(SubTaskResult.Status.COMPLETED);
        assertThat(r.executorModel()).contains(LLAMA_8B_FREE);
        assertThat(r.fallbacks()).extracting(FallbackStep::model).containsExactly(LLAMA_70B_FREE);
        assertThat(r.cost()).isEqualTo(Money.ZERO);
    }

    @Test
    void givenLowerTierFreeAndPaidExecutors_whenTheStepsFail_thenTheFreeOneIsTriedBeforeThePaidLastResort() {
        llama8.rateLimited();
        gpt4o.replies("intermittency", Usage.of(20, 300));

        SubTaskResult r = stepOnFailingLlama70(PlanAndExecute.builder(catalog,
                ExecutorRegistry.of(llama70, llama8, gpt4o), claude));

        assertThat(r.executorModel()).contains(GPT_4O);
        assertThat(r.fallbacks()).extracting(FallbackStep::model).containsExactly(LLAMA_70B_FREE, LLAMA_8B_FREE);
    }

    @Test
    void givenAChainOfTwo_whenTheStepsExecutorFails_thenThePaidLastResortKeepsItsSlotOverALowerTierFreeModel() {
        gpt4o.replies("intermittency", Usage.of(20, 300));

        SubTaskResult r = stepOnFailingLlama70(PlanAndExecute.builder(catalog,
                ExecutorRegistry.of(llama70, llama8, gpt4o), claude).maxChainLength(2));

        assertThat(r.executorModel()).contains(GPT_4O);
        assertThat(llama8.requests()).isEmpty();
    }

    /** Runs a one-step plan hinted to the tier-3 free Llama 70B, which is rate limited. */
    private SubTaskResult stepOnFailingLlama70(PlanAndExecute.Builder workflow) {
        claude.replies("""
                {"subtasks": [{"id": "tech", "description": "Technical challenges",
                        "prompt": "Describe technical challenges", "executor": "llama-3.3-70b-versatile"}]}""",
                Usage.of(200, 100)).replies("Final", Usage.of(500, 100));
        llama70.rateLimited();
        return workflow.build().execute(TASK, WorkflowContext.builder("pattern-a").ticker(ticker).build()).results()
                .getFirst();
    }

    @Test
    void givenMalformedPlan_whenRun_thenTheTaskRunsAsOneStepAndTheProblemIsRecorded() {
        claude.replies("I would split this into three parts: environment, economy, technology.", Usage.of(200, 30))
                .replies("Final", Usage.of(500, 100));
        gemini.alwaysReplies("answer", Usage.of(20, 400));
        llama70.alwaysReplies("answer", Usage.of(20, 400));
        deepseek.alwaysReplies("answer", Usage.of(20, 400));
        WorkflowContext ctx = WorkflowContext.builder("pattern-a").ticker(ticker).build();

        PlanResult r = workflow().build().execute(TASK, ctx);

        assertThat(r.plan().source()).isEqualTo("single-step");
        assertThat(r.plan().subTasks()).singleElement().satisfies(s -> assertThat(s.prompt()).isEqualTo(TASK));
        assertThat(r.plan().planningUsage()).as("the malformed plan was still billed").isEqualTo(Usage.of(200, 30));
        assertThat(ctx.records("plan_malformed")).singleElement()
                .satisfies(rec -> assertThat(rec.attributes().get("problem").toString()).contains("not JSON"));
    }

    @Test
    void givenSeveralTasks_whenPlannedAsABatch_thenOneOrchestratorCallPlansThemAll() {
        claude.replies("""
                {"plans": [
                  {"task": 1, "subtasks": [{"id": "a", "prompt": "Summarize doc A",
                          "executor": "llama-3.3-70b-versatile"}]},
                  {"task": 2, "subtasks": [{"id": "b1", "prompt": "Translate B to French"}, {"id": "b2",
                          "prompt": "Translate B to German"}]}
                ]}""", Usage.of(400, 150));
        WorkflowContext ctx = WorkflowContext.builder("batch").ticker(ticker).build();

        BatchPlan batch = workflow().build().planBatch(List.of("Summarize doc A", "Translate doc B to French and "
                + "German"), ctx);

        assertThat(claude.requests()).hasSize(1);
        assertThat(batch.plans()).hasSize(2);
        assertThat(batch.plans().get(0).subTasks()).extracting(SubTask::executorHint)
                .containsExactly(java.util.Optional.of(LLAMA_70B_FREE));
        assertThat(batch.plans().get(1).subTasks()).extracting(SubTask::id).containsExactly("b1", "b2");
        assertThat(batch.plans()).allMatch(p -> p.source().equals("batch"));
        assertThat(batch.cost()).isEqualTo(Money.of("0.00345"));
    }

    @Test
    void givenBatchAnswerMissingATask_whenPlanned_thenThatTaskRunsAsOneStep() {
        claude.replies("{\"plans\": [{\"task\": 1, \"subtasks\": [{\"id\": \"a\", \"prompt\": \"do A\"}]}]}",
                Usage.of(300, 60));
        WorkflowContext ctx = WorkflowContext.builder("batch").ticker(ticker).build();

        BatchPlan batch = workflow().build().planBatch(List.of("task A", "task B"), ctx);

        assertThat(batch.plans()).extracting(Plan::source).containsExactly("batch", "single-step");
        assertThat(ctx.records("plan_malformed")).singleElement().satisfies(rec ->
                assertThat(rec.attributes().get("problem").toString()).contains("task 2 missing"));
    }
}
