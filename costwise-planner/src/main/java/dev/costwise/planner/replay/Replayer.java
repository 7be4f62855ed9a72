package dev.costwise.planner.replay;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cache.ChatCacheKey;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.sim.SimulatedProvider;
import dev.costwise.planner.engine.ModelResolver;
import dev.costwise.planner.engine.PipelineRunner;
import dev.costwise.planner.engine.PlannedRequest;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.engine.Savings;
import dev.costwise.planner.engine.SimFleet;
import dev.costwise.planner.engine.TokenPlan;
import dev.costwise.planner.report.ReplayReports;
import dev.costwise.planner.scenario.CallSite;
import dev.costwise.planner.scenario.ModelSettings;
import dev.costwise.planner.scenario.PipelineSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays a trace through a pipeline.
 *
 * <ul>
 *   <li><b>Before</b>: each request on the model it asked for, priced from its recorded usage, or estimated (prompt
 *       counted with jtokkit, answer = {@code max_tokens} capped at the assumed length) when no usage was logged.</li>
 *   <li><b>After</b>: the pipeline runs against the {@code sim} provider, each call using the request's recorded (or
 *       estimated) prompt and answer tokens, priced at the answering model's catalog price. The recorded prompt-cache
 *       reads ({@code cached_tokens}) are kept on a model of the requested model's provider and dropped on another
 *       provider's, whose cache is cold. Requests arrive at their logged times (or one per {@code spacing}) for cache
 *       TTLs.</li>
 *   <li><b>Dry run</b>: routes only, no model is called; each call is priced from the planned tokens.</li>
 *   <li><b>Judge</b>: a sample of requests is answered by the pipeline's chosen model and by the baseline model and a
 *       judge compares them; with real models ({@link ReplayOptions#models()}) a real judge, offline a simulated one
 *       that the report labels as such.</li>
 * </ul>
 */
public final class Replayer {

    private final ModelCatalog catalog;
    private final CatalogPricer pricer;
    private final TokenEstimator estimator;

    /**
     * @param catalog the catalog that prices every model
     */
    public Replayer(ModelCatalog catalog) {
        this.catalog = catalog;
        this.pricer = CatalogPricer.builder(catalog).allowUnpricedModels().build();
        this.estimator = JtokkitTokenEstimator.of(catalog);
    }

    /**
     * @param trace the JSONL file
     * @param pipeline the pipeline
     * @param options the options
     * @return the result
     */
    public ReplayResult replay(Path trace, PipelineSpec pipeline, ReplayOptions options) {
        return replay(new TraceReader(catalog).read(trace), pipeline, options);
    }

    /**
     * @param trace a read trace
     * @param pipeline the pipeline
     * @param options the options
     * @return the result
     */
    public ReplayResult replay(TraceReader.Trace trace, PipelineSpec pipeline, ReplayOptions options) {
        List<TraceEntry> entries = trace.entries();
        Optional<Instant> first = entries.stream().flatMap(e -> e.timestamp().stream()).min(Instant::compareTo);
        List<PlannedRequest> planned = new ArrayList<>();
        List<Money> beforeCosts = new ArrayList<>();
        long estimated = 0;
        for (int i = 0; i < entries.size(); i++) {
            TraceEntry e = entries.get(i);
            ChatRequest request = e.request();
            String model = catalog.require(request.model()).name();
            long input = e.recorded().map(Usage::inputTokens)
                    .orElseGet(() -> estimator.estimateInput(model, request).tokens());
            long output = e.recorded().map(Usage::outputTokens).orElseGet(() -> Math.min(
                    request.maxTokens().map(Integer::longValue).orElse(Long.MAX_VALUE), options.assumedOutputTokens()));
            if (e.recorded().isEmpty()) {
                estimated++;
            }
            beforeCosts.add(pricer.price(model, e.recorded().orElse(Usage.of(input, output)
                    .withServiceTier(request.serviceTier().orElse(ServiceTier.STANDARD)))).cost());
            long at = e.timestamp().isPresent() && first.isPresent()
                    ? e.timestamp().get().toEpochMilli() - first.get().toEpochMilli()
                    : i * options.spacing().toMillis();
            long in = input;
            long out = Math.max(1, output);
            long cached = e.recorded().map(Usage::cachedInputTokens).orElse(0L);
            String provider = catalog.require(model).provider();
            TokenPlan tokens = new TokenPlan() {
                @Override
                public long inputTokens(CallSite site) {
                    return in;
                }

                @Override
                public long outputTokens(CallSite site) {
                    return out;
                }

                @Override
                public long estimatedInputTokens(CallSite site) {
                    return e.estimatedPromptTokens();
                }

                @Override
                public long cachedInputTokens(CallSite site) {
                    // a prompt cache is the provider's: a model of the same provider warms its own on the same
                    // repeated prompts; another provider's is cold, and caches in a way of its own
                    return catalog.require(site.model()).provider().equals(provider) ? cached : 0;
                }
            };
            planned.add(new PlannedRequest("line " + e.line(), at, Optional.empty(), request,
                    ChatCacheKey.of(request), tokens, e.text()));
        }
        SimFleet fleet = new SimFleet(catalog, options.seed(), name -> ModelSettings.DEFAULT);
        // arrival times are counted from the first timestamp, so budget windows are the gateway's calendar ones
        RunStats after = new PipelineRunner(pipeline, fleet, pricer, name -> ModelSettings.DEFAULT, options.dryRun(),
                first.orElse(Instant.EPOCH)).run(planned, options.progress());
        Optional<JudgeSummary> judged = options.judgeModel().isPresent() && !options.dryRun()
                ? Optional.of(judge(entries, after.outcomes(), options)) : Optional.empty();
        Money before = beforeCosts.stream().reduce(Money.ZERO, Money::plus);
        Savings savings = Savings.of(beforeCosts, after.outcomes());
        return new ReplayResult(trace.lines(), trace.errors(), before, estimated, after, savings, judged,
                ReplayReports.of(trace, before, estimated, after, savings, judged, entries, options.dryRun()));
    }

    private JudgeSummary judge(List<TraceEntry> entries, List<RequestOutcome> outcomes, ReplayOptions options) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).model().isPresent()) {
                candidates.add(i);
            }
        }
        int n = Math.min(options.sample(), candidates.size());
        ModelResolver resolver = options.models().orElseGet(() -> {
            SimulatedProvider sim = SimulatedProvider.of(catalog, options.seed());
            return sim::model;
        });
        Judge judge = options.models().isPresent()
                ? new ModelJudge(resolver.model(options.judgeModel().get()))
                : new SimulatedJudge(catalog, options.seed());
        Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
        for (int k = 0; k < n; k++) {
            int index = candidates.get((int) ((long) k * candidates.size() / n));
            ChatRequest request = entries.get(index).request();
            String chosen = outcomes.get(index).model().get();
            String baselineModel = options.baselineModel().orElse(request.model());
            Verdict v;
            try {
                ChatResponse candidate = resolver.model(chosen).execute(request.withModel(chosen),
                        WorkflowContext.of("planner-judge"));
                ChatResponse baseline = resolver.model(baselineModel).execute(request.withModel(baselineModel),
                        WorkflowContext.of("planner-judge"));
                v = judge.compare(request, baseline, candidate);
            } catch (ProviderException e) {
                v = Verdict.UNPARSABLE;
            }
            counts.merge(v, 1L, Long::sum);
        }
        return new JudgeSummary(judge.describe(), counts);
    }

}
