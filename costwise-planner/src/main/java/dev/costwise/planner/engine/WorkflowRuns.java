package dev.costwise.planner.engine;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.orchestration.AllExecutorsFailedException;
import dev.costwise.llm.orchestration.ExecutorRegistry;
import dev.costwise.llm.orchestration.MultiModelRequest;
import dev.costwise.llm.orchestration.MultiModelResponse;
import dev.costwise.llm.orchestration.MultiModelWorkflow;
import dev.costwise.llm.orchestration.NoCapableModelException;
import dev.costwise.llm.orchestration.UnknownExecutorException;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.planner.scenario.CallSite;
import dev.costwise.planner.scenario.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the gateway's multi-model workflow ({@link Target.Workflow}) for the planner: the library's
 * {@link MultiModelWorkflow} built as the gateway builds it (the rules classify, one escalation at most, simple tasks
 * skip the orchestrator, a malformed verdict counts as failed), each task built as the gateway builds it from a chat
 * request ({@link MultiModelRequest#answering}), every model a {@code sim} model:
 *
 * <ul>
 *   <li>an <b>executor</b> call is told the request's planned tokens, as any planner call is (its recorded, or
 *       estimated, prompt and answer), on the executor's configured tier, else the request's. It is sent the
 *       request's own {@code max_tokens} (else the model's output limit, which the gateway sends in its place), so
 *       the {@code sim} writes the words it writes at the gateway, which the orchestrator's verdict then reads. It
 *       fails for its context window as a routed call does ({@link WindowRule}: its planned prompt and answer), not
 *       for that output limit, which the gateway sends without checking it against the window;</li>
 *   <li>an <b>orchestrator</b> call (a verdict, or a classification by a model classifier) is answered as the
 *       gateway's {@code sim} provider answers it: its prompt counted from its text, which holds the answer it judges,
 *       its answer 100 to 400 tokens drawn from the request, on the orchestrator's configured tier. A simulated
 *       verdict is never the JSON a validator reads, so, as at the gateway on the {@code sim} provider, every
 *       validated answer fails and escalates once to a stronger executor when there is one: the most a validated
 *       workflow costs.</li>
 * </ul>
 *
 * <p>The simulated models use the {@code sim} provider's own seed and answer text, as the gateway's do, so a replay
 * bills what the gateway on the {@code sim} provider bills for the same requests. Not thread-safe.
 */
final class WorkflowRuns {

    /** The route of a workflow run, followed by its classification, as the gateway names it. */
    static final String ROUTE_PREFIX = "workflow:";

    private static final String PLANNED = "costwise.planner.request";
    private static final String CALLS = "costwise.planner.calls";

    private final CatalogPricer pricer;
    private final PlannedTokenEstimator estimator;
    private final Map<Target.Workflow, MultiModelWorkflow> workflows = new HashMap<>();
    private final Map<String, SimulatedChatModel> executorSims = new HashMap<>();
    private final Map<String, SimulatedChatModel> orchestratorSims = new HashMap<>();
    /**
     * The answer length of the executor call being made, which its sim draws as its length: set just before each
     * call (the runs are not concurrent), since the request keeps the caller's {@code max_tokens}.
     */
    private long plannedAnswer = 1;

    /** @param pricer prices every call, from the catalog the workflow ranks its models in */
    WorkflowRuns(CatalogPricer pricer) {
        this.pricer = Objects.requireNonNull(pricer, "pricer");
        this.estimator = new PlannedTokenEstimator(JtokkitTokenEstimator.of(pricer.catalog()));
    }

    /** Hears each model call of a run, failed ones included. */
    @FunctionalInterface
    interface Calls {
        /**
         * @param model the catalog model called
         * @param failure why it failed; empty if it answered
         * @param usage what it was billed for (nothing for a failed call)
         * @param cost what it cost
         */
        void call(String model, Optional<ProviderException> failure, Usage usage, Money cost);
    }

    /**
     * What one run did.
     *
     * @param response the workflow's answer, empty if it failed
     * @param failure why it failed, if it did
     */
    record Run(Optional<MultiModelResponse> response, Optional<String> failure) {}

    /**
     * How the workflow would run a request, calling nothing.
     *
     * @throws NoCapableModelException if no executor meets the task's needs
     * @throws UnknownExecutorException if the request names an executor that is not registered
     */
    MultiModelWorkflow.Preview preview(Target.Workflow w, PlannedRequest r) {
        return workflow(w).preview(task(w, r));
    }

    /** @return the rules' classification of a preview, as the gateway names its route ({@code workflow:<it>}) */
    static String complexity(MultiModelWorkflow.Preview p) {
        return p.classification().complexity().name().toLowerCase(Locale.ROOT);
    }

    /**
     * Runs the workflow on one request.
     *
     * @param w the workflow
     * @param r the request
     * @param calls hears each model call
     * @return what the run did
     */
    Run run(Target.Workflow w, PlannedRequest r, Calls calls) {
        WorkflowContext context = WorkflowContext.of("planner-workflow");
        context.metadata().put(PLANNED, r);
        context.metadata().put(CALLS, calls);
        try {
            return new Run(Optional.of(workflow(w).execute(task(w, r), context)), Optional.empty());
        } catch (ProviderException e) {
            return new Run(Optional.empty(), Optional.of(e.kind() + ": " + e.getMessage()));
        } catch (AllExecutorsFailedException | NoCapableModelException | UnknownExecutorException e) {
            return new Run(Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    /** The task the gateway's workflow gets for a chat request, validated when the pipeline validates. */
    private static MultiModelRequest task(Target.Workflow w, PlannedRequest r) {
        MultiModelRequest.Builder b = MultiModelRequest.answering(r.request(), r.text().lastUser());
        if (w.validate()) {
            b.validated();
        }
        return b.build();
    }

    private MultiModelWorkflow workflow(Target.Workflow w) {
        return workflows.computeIfAbsent(w, k -> {
            ExecutorRegistry.Builder executors = ExecutorRegistry.builder();
            k.executors().forEach(site -> executors.register(site.model(), new Executor(site)));
            return MultiModelWorkflow.builder(pricer.catalog(), executors.build(), new Orchestrator(k.orchestrator()))
                    .baselineModel(k.baseline()).pricer(pricer).build();
        });
    }

    private SimulatedChatModel sim(Map<String, SimulatedChatModel> sims, String model, boolean told) {
        return sims.computeIfAbsent(model, name -> {
            // an executor's sim is told the output limit the gateway sends, which WindowRule does not check
            ModelCatalog catalog = told ? ModelCatalogs.of(List.of(unboundedWindow(pricer.catalog().require(name))))
                    : pricer.catalog();
            SimulatedChatModel.Builder b = SimulatedChatModel.builder(catalog, name).pricer(pricer)
                    .tokenEstimator(estimator).promptCacheReads(estimator).sleeper(duration -> { });
            if (told) { // the answer is as long as planned (within max_tokens)
                b.outputLength(random -> plannedAnswer);
            }
            return b.build();
        });
    }

    /** @return {@code m} with a window no call exceeds */
    private static ModelInfo unboundedWindow(ModelInfo m) {
        return new ModelInfo(m.name(), m.provider(), m.upstreamModel(), m.kind(), m.pricing(), Integer.MAX_VALUE,
                m.maxOutputTokens(), m.capabilities(), m.freeTier(), m.tier(), m.aliases(), m.priceSource(),
                m.priceAsOf(), m.retiresOn());
    }

    /** A model of the workflow: calls its sim model and tells the run's listener what the call cost. */
    private abstract class Called implements ChatModel {
        final CallSite site;

        Called(CallSite site) {
            this.site = site;
        }

        @Override
        public String name() {
            return site.model();
        }

        @Override
        public String provider() {
            return SimulatedChatModel.PROVIDER;
        }

        /** @return the request as the sim is to get it */
        abstract ChatRequest told(ChatRequest request, PlannedRequest planned);

        abstract SimulatedChatModel model();

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            Calls calls = (Calls) context.metadata().get(CALLS);
            try {
                ChatResponse response = model().execute(told(request, (PlannedRequest) context.metadata()
                        .get(PLANNED)), context);
                calls.call(site.model(), Optional.empty(), response.usage(), response.cost());
                return response;
            } catch (ProviderException e) {
                calls.call(site.model(), Optional.of(e), Usage.ZERO, Money.ZERO);
                throw e;
            }
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            throw new UnsupportedOperationException("the planner's workflow models answer whole");
        }
    }

    /** An executor: told the request's planned prompt and answer, on its own tier, else the caller's. */
    private final class Executor extends Called {
        Executor(CallSite site) {
            super(site);
        }

        @Override
        ChatRequest told(ChatRequest request, PlannedRequest planned) {
            long input = planned.tokens().inputTokens(site);
            long cached = Math.min(input, planned.tokens().cachedInputTokens(site));
            plannedAnswer = Math.max(1, planned.tokens().outputTokens(site));
            WindowRule.check(pricer.catalog().require(site.model()), input, plannedAnswer);
            // the sim's words depend on max_tokens: the request's own, else the limit the gateway sends instead
            int limit = request.maxTokens().orElse(pricer.catalog().require(site.model()).maxOutputTokens());
            return PipelineRunner.plannedRequest(request, site.model(), input, cached, plannedAnswer).toBuilder()
                    .maxTokens(Math.max(1, limit)).serviceTier(PipelineRunner.tierOf(site, request)).build();
        }

        @Override
        SimulatedChatModel model() {
            return sim(executorSims, site.model(), true);
        }
    }

    /** The orchestrator: answered as the gateway's sim provider answers, on its own configured tier if any. */
    private final class Orchestrator extends Called {
        Orchestrator(CallSite site) {
            super(site);
        }

        @Override
        ChatRequest told(ChatRequest request, PlannedRequest planned) {
            return site.serviceTier().isEmpty() ? request
                    : request.toBuilder().serviceTier(site.serviceTier()).build();
        }

        @Override
        SimulatedChatModel model() {
            return sim(orchestratorSims, site.model(), false);
        }
    }
}
