package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Deadline;
import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec's Pattern A: the orchestrator plans a task as independent sub-tasks with executor hints, the sub-tasks run
 * in parallel on virtual threads (free models first), and the orchestrator aggregates their answers.
 *
 * <p>Order of work: <b>plan</b> (one JSON-mode orchestrator call; a malformed plan or a failed call makes the task one
 * step, recorded as {@code plan_malformed}); <b>execute</b> every sub-task on its own virtual thread and its own
 * {@linkplain WorkflowContext#fork(String) fork} of the context, each along its own fallback chain (below);
 * <b>wait</b> until all finish or the context's {@linkplain WorkflowContext#deadline() deadline} passes, then
 * interrupt the unfinished ones and mark them cut off; <b>merge</b> the forks' records back; <b>aggregate</b> with
 * the orchestrator (skipped when the deadline has passed or nothing completed; a failed aggregation joins the answers
 * instead).
 *
 * <p>A sub-task's fallback chain, at most {@link Builder#maxChainLength(int)} executors long, moved along when an
 * executor fails: the hinted executor when registered, else the rules' choice; then the other registered free models
 * of at least its tier, strongest first; then the cheapest capable paid executor of at least its tier as the last
 * resort (the spec's Gemini → DeepSeek → Claude). Free models of a lower tier then fill the slots left, before that
 * paid one and strongest first, but never push it out of the chain: a weaker free answer gives the aggregation more
 * than a missing part, at no cost. A sub-task fails only when every executor in its chain has failed.
 *
 * <p>{@link #planBatch(List, WorkflowContext)} plans several tasks in one orchestrator call; {@link #run(Plan,
 * WorkflowContext)} runs a plan made earlier. Thread-safe.
 */
public final class PlanAndExecute implements Primitive<String, PlanResult> {
    private static final Logger LOG = LoggerFactory.getLogger(PlanAndExecute.class);
    private static final String NAME = "plan-and-execute";
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Hears about each sub-task as it finishes. Must be fast and thread-safe; its exceptions are logged and dropped. */
    public interface Listener {
        /** A listener that does nothing. */
        Listener NONE = new Listener() {};

        /**
         * Called on the sub-task's thread once its result is final (completed or failed; not for cut-off ones).
         *
         * @param result the result
         */
        default void onSubTaskFinished(SubTaskResult result) {}
    }

    private final ExecutorRegistry executors;
    private final ModelCatalog catalog;
    private final Orchestrator orchestrator;
    private final Pricer pricer;
    private final ModelSelector selector;
    private final RuleBasedTaskClassifier rules;
    private final FallbackRunner runner;
    private final TaskPreferences preferences;
    private final int maxChainLength;
    private final String baselineModel;
    private final Listener listener;

    private PlanAndExecute(Builder b) {
        this.catalog = b.catalog;
        this.executors = b.executors;
        this.pricer = b.pricer != null ? b.pricer : CatalogPricer.of(b.catalog);
        this.orchestrator = new Orchestrator(b.orchestrator, pricer);
        this.selector = ModelSelector.builder(b.catalog).pricer(pricer).headroom(b.headroom)
                .onlyModels(m -> b.executors.contains(m.name())).build();
        this.rules = RuleBasedTaskClassifier.builder(selector).build();
        this.runner = new FallbackRunner(DelegationPrimitive.of(b.executors, pricer),
                FallbackRunner.reasoningIn(b.catalog));
        this.preferences = b.preferences;
        this.maxChainLength = b.maxChainLength;
        this.baselineModel = b.baselineModel != null ? b.baselineModel : b.orchestrator.name();
        this.listener = b.listener;
    }

    /**
     * Starts a plan-and-execute workflow.
     *
     * @param catalog the models, with prices and tiers
     * @param executors the executor models sub-tasks may run on
     * @param orchestrator the model that plans and aggregates
     * @return a builder
     */
    public static Builder builder(ModelCatalog catalog, ExecutorRegistry executors, ChatModel orchestrator) {
        return new Builder(catalog, executors, orchestrator);
    }

    /**
     * Plans {@code task}, runs the sub-tasks in parallel within the deadline and aggregates.
     *
     * @param task what to do
     * @param context the request's context; its deadline bounds the sub-tasks
     * @return the result
     */
    @Override
    public PlanResult execute(String task, WorkflowContext context) {
        return run(plan(task, context), context);
    }

    /**
     * Asks the orchestrator for a plan of {@code task}.
     *
     * @param task what to do
     * @param context the request's context
     * @return the plan; a single-step plan when the orchestrator's answer was malformed or the call failed
     */
    public Plan plan(String task, WorkflowContext context) {
        Objects.requireNonNull(task, "task");
        String prompt = "Split the TASK into 1 to 6 independent sub-tasks that can run in parallel. Reply with only a "
                + "JSON object: {\"subtasks\": [{\"id\": \"short-id\", \"description\": \"...\", \"prompt\": \"the "
                + "full instruction for the executor\", \"executor\": \"one of: " + String.join(", ",
                executors.names()) + "\"}]}.\n\nTASK:\n" + task;
        Orchestrator.Reply reply;
        try {
            reply = orchestrator.ask("plan", List.of(Message.user(prompt)), true, context);
        } catch (ProviderException e) {
            return singleStep(task, context, "planning call failed: " + e.kind(), Usage.ZERO, Money.ZERO);
        }
        try {
            List<SubTask> steps = subTasks(JsonReply.object(reply.text()));
            context.record(NAME, "planned", Map.of("subTasks", steps.size()));
            return new Plan(task, steps, "orchestrator", reply.usage(), reply.cost());
        } catch (JsonReply.Invalid e) {
            return singleStep(task, context, e.getMessage(), reply.usage(), reply.cost());
        }
    }

    /**
     * Plans several tasks in one orchestrator call, so the planning overhead is paid once.
     *
     * @param tasks the tasks, at least one
     * @param context the request's context
     * @return one plan per task, in order, and the call's cost; tasks the answer left out or garbled run as one step
     * @throws IllegalArgumentException if {@code tasks} is empty
     */
    public BatchPlan planBatch(List<String> tasks, WorkflowContext context) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("planBatch needs at least one task, was none");
        }
        StringBuilder prompt = new StringBuilder("Plan each numbered TASK below as 1 to 6 independent sub-tasks. Reply "
                + "with only a JSON object: {\"plans\": [{\"task\": 1, \"subtasks\": [{\"id\": \"...\", "
                + "\"description\": \"...\", \"prompt\": \"...\", \"executor\": \"one of: "
                + String.join(", ", executors.names()) + "\"}]}]}, one entry per task.\n");
        for (int i = 0; i < tasks.size(); i++) {
            prompt.append("\nTASK ").append(i + 1).append(":\n").append(tasks.get(i)).append('\n');
        }
        Orchestrator.Reply reply;
        try {
            reply = orchestrator.ask("plan_batch", List.of(Message.user(prompt.toString())), true, context);
        } catch (ProviderException e) {
            List<Plan> plans = tasks.stream().map(t -> singleStep(t, context, "batch planning call failed: "
                    + e.kind(), Usage.ZERO, Money.ZERO)).toList();
            return new BatchPlan(plans, Usage.ZERO, Money.ZERO);
        }
        Map<Integer, List<SubTask>> byTask = new LinkedHashMap<>();
        String problem = "";
        try {
            JsonNode plansNode = JsonReply.object(reply.text()).get("plans");
            if (plansNode == null || !plansNode.isArray()) {
                throw new JsonReply.Invalid("field 'plans' must be an array, was " + plansNode);
            }
            for (JsonNode p : plansNode) {
                JsonNode index = p.get("task");
                if (index == null || !index.canConvertToInt() || index.asInt() < 1 || index.asInt() > tasks.size()) {
                    throw new JsonReply.Invalid("field 'task' must be a task number from 1 to " + tasks.size()
                            + ", was " + index);
                }
                byTask.put(index.asInt(), subTasks(p));
            }
        } catch (JsonReply.Invalid e) {
            problem = e.getMessage();
        }
        List<Plan> plans = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            List<SubTask> steps = problem.isEmpty() ? byTask.get(i + 1) : null;
            plans.add(steps != null ? new Plan(tasks.get(i), steps, "batch", Usage.ZERO, Money.ZERO)
                    : singleStep(tasks.get(i), context, problem.isEmpty() ? "task " + (i + 1)
                            + " missing from the batch plan" : problem, Usage.ZERO, Money.ZERO));
        }
        context.record(NAME, "planned_batch", Map.of("tasks", tasks.size()));
        return new BatchPlan(plans, reply.usage(), reply.cost());
    }

    /**
     * Runs {@code plan}'s sub-tasks in parallel within the context's deadline and aggregates their answers.
     *
     * @param plan the plan
     * @param context the request's context
     * @return the result
     */
    public PlanResult run(Plan plan, WorkflowContext context) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(context, "context");
        List<SubTask> steps = plan.subTasks();
        ConcurrentMap<String, SubTaskResult> results = new ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(steps.size());
        Map<String, Future<?>> running = new LinkedHashMap<>();
        List<WorkflowContext> forks = new ArrayList<>();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (SubTask step : steps) {
                WorkflowContext fork = context.fork("subtask-" + step.id());
                forks.add(fork);
                running.put(step.id(), threads.submit(() -> {
                    try {
                        SubTaskResult r = runOne(step, fork);
                        if (results.putIfAbsent(step.id(), r) == null) {
                            notifyListener(r);
                        }
                    } finally {
                        finished.countDown();
                    }
                }));
            }
            awaitWithinDeadline(finished, context);
        } finally {
            for (SubTask step : steps) {
                if (results.putIfAbsent(step.id(), SubTaskResult.cutOff(step)) == null) {
                    context.record(NAME, "subtask_cut_off", Map.of("subTask", step.id()));
                    Future<?> f = running.get(step.id());
                    if (f != null) {
                        f.cancel(true);
                    }
                }
            }
            threads.shutdownNow();
        }
        forks.forEach(context::merge);

        List<SubTaskResult> ordered = steps.stream().map(s -> results.get(s.id())).toList();
        Usage executorUsage = Usage.ZERO;
        Money executorCost = Money.ZERO;
        for (SubTaskResult r : ordered) {
            executorUsage = executorUsage.plus(r.usage());
            executorCost = executorCost.plus(r.cost());
        }
        Usage orchestratorUsage = plan.planningUsage();
        Money orchestratorCost = plan.planningCost();
        String content;
        boolean aggregated = false;
        boolean anyCompleted = ordered.stream().anyMatch(r -> r.status() == SubTaskResult.Status.COMPLETED);
        boolean expired = context.deadline().map(Deadline::isExpired).orElse(false);
        if (!anyCompleted || expired) {
            context.record(NAME, "aggregation_skipped", Map.of("why", expired ? "deadline passed"
                    : "no sub-task completed"));
            content = joined(ordered);
        } else {
            try {
                Orchestrator.Reply reply = orchestrator.ask("aggregate", List.of(Message.user(aggregationPrompt(
                        plan.task(), ordered))), false, context);
                orchestratorUsage = orchestratorUsage.plus(reply.usage());
                orchestratorCost = orchestratorCost.plus(reply.cost());
                content = reply.text();
                aggregated = true;
            } catch (ProviderException e) {
                context.record(NAME, "aggregation_failed", Map.of("errorKind", e.kind()));
                content = joined(ordered);
            }
        }
        Money baselineCost = pricer.price(baselineModel, orchestratorUsage.plus(executorUsage)).cost();
        return new PlanResult(plan, ordered, content, aggregated, orchestratorUsage, orchestratorCost, executorUsage,
                executorCost, baselineModel, baselineCost);
    }

    private SubTaskResult runOne(SubTask step, WorkflowContext fork) {
        List<String> chain = chainFor(step);
        DelegationRequest request = new DelegationRequest(step.description(), chain.get(0),
                List.of(Message.user(step.prompt())), Optional.empty(), new ResponseFormat.Text());
        try {
            FallbackRunner.Outcome o = runner.run(request, chain, fork, NAME);
            DelegationResponse r = o.response();
            return new SubTaskResult(step, SubTaskResult.Status.COMPLETED, Optional.of(r.executorModel()),
                    Optional.of(r.content()), r.usage(), r.cost(), o.fallbacks(), Optional.empty());
        } catch (AllExecutorsFailedException e) {
            return new SubTaskResult(step, SubTaskResult.Status.FAILED, Optional.empty(), Optional.empty(),
                    Usage.ZERO, Money.ZERO, e.attempts(), Optional.of(e.getMessage()));
        } catch (ProviderException e) {
            return new SubTaskResult(step, SubTaskResult.Status.FAILED, Optional.empty(), Optional.empty(),
                    Usage.ZERO, Money.ZERO, List.of(), Optional.of(e.getMessage()));
        }
    }

    private List<String> chainFor(SubTask step) {
        String primary = step.executorHint().filter(executors::contains).orElseGet(() ->
                rules.classify(new TaskClassificationRequest(step.description(), List.of(Message.user(step.prompt())),
                        preferences)).recommendedModel());
        ModelInfo info = catalog.require(primary);
        List<ModelInfo> full = selector.fallbackChain(info, preferences, 0, 0);
        List<ModelInfo> chain = new ArrayList<>(full.subList(0, Math.min(full.size(), maxChainLength)));
        // A weaker free answer beats a missing part of the aggregate: lower-tier free models fill the slots the chain
        // leaves, before its paid last resort, which they never push out.
        int at = chain.size() > 1 && !chain.getLast().isFree() ? chain.size() - 1 : chain.size();
        for (ModelInfo m : selector.lowerTierFreeFallbacks(info, preferences, 0, 0)) {
            if (chain.size() >= maxChainLength) {
                break;
            }
            chain.add(at++, m);
        }
        return chain.stream().map(ModelInfo::name).toList();
    }

    private static void awaitWithinDeadline(CountDownLatch finished, WorkflowContext context) {
        try {
            Optional<Deadline> deadline = context.deadline();
            if (deadline.isEmpty()) {
                finished.await();
                return;
            }
            while (!deadline.get().isExpired()) {
                long wait = Math.max(1, Math.min(POLL_NANOS, deadline.get().remaining().toNanos()));
                if (finished.await(wait, TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<SubTask> subTasks(JsonNode node) throws JsonReply.Invalid {
        JsonNode list = node.get("subtasks");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new JsonReply.Invalid("field 'subtasks' must be a non-empty array, was " + list);
        }
        List<SubTask> steps = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int n = 0;
        for (JsonNode s : list) {
            n++;
            if (!s.isObject()) {
                throw new JsonReply.Invalid("sub-task " + n + " must be an object, was " + s);
            }
            String id = s.hasNonNull("id") ? s.get("id").asText() : "step-" + n;
            if (!ids.add(id)) {
                throw new JsonReply.Invalid("sub-task id '" + id + "' appears twice");
            }
            String prompt = JsonReply.requiredText(s, "prompt");
            String description = s.hasNonNull("description") ? s.get("description").asText() : prompt;
            Optional<String> hint = s.hasNonNull("executor") ? Optional.of(s.get("executor").asText())
                    : Optional.empty();
            steps.add(new SubTask(id, description, prompt, hint));
        }
        return steps;
    }

    private Plan singleStep(String task, WorkflowContext context, String problem, Usage usage, Money cost) {
        context.record(NAME, "plan_malformed", Map.of("problem", problem));
        return new Plan(task, List.of(new SubTask("whole-task", task, task, Optional.empty())), "single-step", usage,
                cost);
    }

    private void notifyListener(SubTaskResult r) {
        try {
            listener.onSubTaskFinished(r);
        } catch (RuntimeException e) {
            LOG.warn("plan-and-execute listener failed on sub-task {}", r.subTask().id(), e);
        }
    }

    private static String aggregationPrompt(String task, List<SubTaskResult> results) {
        StringBuilder sb = new StringBuilder("Combine the sub-task answers below into one complete, consistent answer "
                + "to the TASK. Note any part that is missing.\n\nTASK:\n").append(task).append('\n');
        for (SubTaskResult r : results) {
            sb.append("\n## ").append(r.subTask().description()).append(" [").append(r.status()).append("]\n")
                    .append(r.content().orElse(r.error().orElse(""))).append('\n');
        }
        return sb.toString();
    }

    private static String joined(List<SubTaskResult> results) {
        StringBuilder sb = new StringBuilder();
        for (SubTaskResult r : results) {
            sb.append(sb.isEmpty() ? "" : "\n\n").append("## ").append(r.subTask().description()).append('\n')
                    .append(r.content().orElse("(" + r.status().name().toLowerCase(java.util.Locale.ROOT) + ": "
                            + r.error().orElse("") + ")"));
        }
        return sb.toString();
    }

    /** Builds a {@link PlanAndExecute}. Not thread-safe. */
    public static final class Builder {
        private final ModelCatalog catalog;
        private final ExecutorRegistry executors;
        private final ChatModel orchestrator;
        private Pricer pricer;
        private Headroom headroom = Headroom.UNKNOWN;
        private TaskPreferences preferences = TaskPreferences.DEFAULT;
        private int maxChainLength = 3;
        private String baselineModel;
        private Listener listener = Listener.NONE;

        private Builder(ModelCatalog catalog, ExecutorRegistry executors, ChatModel orchestrator) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            this.executors = Objects.requireNonNull(executors, "executors");
            this.orchestrator = Objects.requireNonNull(orchestrator, "orchestrator");
        }

        /** @param value how usage is priced; default the catalog's prices; @return this builder */
        public Builder pricer(Pricer value) {
            this.pricer = Objects.requireNonNull(value, "pricer");
            return this;
        }

        /** @param value the rate-limit headroom source; default {@link Headroom#UNKNOWN}; @return this builder */
        public Builder headroom(Headroom value) {
            this.headroom = Objects.requireNonNull(value, "headroom");
            return this;
        }

        /** @param value preferences for every sub-task; default {@link TaskPreferences#DEFAULT}; @return this builder */
        public Builder preferences(TaskPreferences value) {
            this.preferences = Objects.requireNonNull(value, "preferences");
            return this;
        }

        /**
         * Sets how many executors one sub-task may try, the first included. Default: 3.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxChainLength(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxChainLength must be >= 1, was " + value);
            }
            this.maxChainLength = value;
            return this;
        }

        /** @param model the premium baseline model; default the orchestrator's; @return this builder */
        public Builder baselineModel(String model) {
            this.baselineModel = Objects.requireNonNull(model, "baselineModel");
            return this;
        }

        /** @param value hears about finished sub-tasks; default {@link Listener#NONE}; @return this builder */
        public Builder listener(Listener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * @return the workflow
         * @throws IllegalStateException if no executor is registered or the orchestrator is not in the catalog
         */
        public PlanAndExecute build() {
            if (executors.names().isEmpty()) {
                throw new IllegalStateException("plan-and-execute needs at least one registered executor");
            }
            if (catalog.find(orchestrator.name()).isEmpty()) {
                throw new IllegalStateException("orchestrator model '" + orchestrator.name()
                        + "' is not in the catalog, so its cost cannot be priced");
            }
            return new PlanAndExecute(this);
        }
    }
}
