package dev.costwise.planner.replay;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.routing.RouteConditions;
import dev.costwise.llm.sim.SimulatedProvider;
import dev.costwise.planner.engine.Caller;
import dev.costwise.planner.engine.ModelResolver;
import dev.costwise.planner.engine.PipelineRunner;
import dev.costwise.planner.engine.PlannedRequest;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.engine.RunStats;
import dev.costwise.planner.engine.Savings;
import dev.costwise.planner.engine.SimFleet;
import dev.costwise.planner.engine.TokenPlan;
import dev.costwise.planner.report.PlanReport;
import dev.costwise.planner.report.ReplayReports;
import dev.costwise.planner.scenario.BudgetSpec;
import dev.costwise.planner.scenario.CallSite;
import dev.costwise.planner.scenario.ModelSettings;
import dev.costwise.planner.scenario.PipelineSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

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
 *       that the report labels as such. The sample is spread evenly over the requests a model answered
 *       ({@link SpreadSample}), picked as the replay runs.</li>
 * </ul>
 *
 * <p>A trace is streamed: a first pass ({@link TraceReader#scan}) finds what must be known before the first request
 * runs (how many there are, the earliest timestamp), the second runs each request as its line is read and adds up
 * the figures as it goes. Nothing held grows with the number of lines but the budget windows (one per day or month)
 * and the cache's entries (up to its maximum size).
 */
public final class Replayer {
    /** What a replay assumes of routes that read a model's rate-limit headroom. */
    static final String HEADROOM_NOTE = "Rate-limit headroom: a trace carries no provider rate-limit headers, so"
            + " every model's headroom is unknown and counted as full, as the gateway counts a model it has no report"
            + " of: a route with rate_limit_headroom_above took every request its other conditions matched. At the"
            + " gateway, requests move on to the next route while its model's provider reports the limit nearly spent.";

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
     * Replays a trace file in two passes that each hold one line at a time: a first pass counts the requests and
     * finds the earliest timestamp and the bad lines ({@link TraceReader#scan}), the second replays each request as
     * it is read. A trace that can be read only once ({@code /dev/stdin}, a named pipe) is first copied to a
     * temporary file ({@link TraceFile}).
     *
     * @param trace the JSONL file
     * @param pipeline the pipeline
     * @param options the options
     * @return the result
     * @throws java.io.UncheckedIOException if the trace cannot be read, or changes between the passes
     */
    public ReplayResult replay(Path trace, PipelineSpec pipeline, ReplayOptions options) {
        try (TraceFile file = TraceFile.open(trace)) {
            return replay(file.source(), pipeline, options);
        }
    }

    /**
     * Replays a trace read twice from {@code source}, as {@link #replay(Path, PipelineSpec, ReplayOptions)} does.
     *
     * @param source the trace
     * @param pipeline the pipeline
     * @param options the options
     * @return the result
     * @throws java.io.UncheckedIOException if the trace cannot be read, or changes between the passes
     */
    public ReplayResult replay(TraceSource source, PipelineSpec pipeline, ReplayOptions options) {
        TraceReader reader = new TraceReader(catalog, pipeline.maxReasoningEffort());
        TraceScan scan = reader.scan(source);
        Run run = new Run(scan, pipeline, options);
        AtomicLong seen = new AtomicLong();
        long lines = reader.forEachEntry(source, e -> {
            if (seen.incrementAndGet() > scan.entries()) { // more than the first pass found: stop before running it
                throw changed(source, scan, -1, seen.get());
            }
            run.replay(e);
        });
        if (lines != scan.lines() || seen.get() != scan.entries()) {
            throw changed(source, scan, lines, seen.get());
        }
        return run.result();
    }

    /** @param lines the lines of the second pass, -1 if it was stopped */
    private static UncheckedIOException changed(TraceSource source, TraceScan scan, long lines, long requests) {
        return new UncheckedIOException("cannot read trace " + source.describe() + ": it changed while it was"
                + " replayed: the first pass read " + scan.entries() + " requests in " + scan.lines() + " lines, the"
                + " second " + (lines < 0 ? "more" : requests + " in " + lines),
                new IOException("the trace changed between the replay's two passes"));
    }

    /**
     * @param trace a trace read whole, keyed for {@code pipeline}: by a {@link TraceReader} given its
     *     {@link PipelineSpec#maxReasoningEffort()}
     * @param pipeline the pipeline
     * @param options the options
     * @return the result
     */
    public ReplayResult replay(TraceReader.Trace trace, PipelineSpec pipeline, ReplayOptions options) {
        Run run = new Run(TraceScan.of(trace), pipeline, options);
        trace.entries().forEach(run::replay);
        return run.result();
    }

    /**
     * One replay, fed one request at a time: it adds up the before cost and the savings as it goes and keeps only
     * bounded state (the first outcomes and dry-run rows, the judge's spread sample).
     */
    private final class Run {
        private final TraceScan scan;
        private final ReplayOptions options;
        private final PipelineRunner.Run after;
        private final Savings.Tally savings = new Savings.Tally();
        private final SpreadSample<Judged> sample;
        private final List<ReplayReports.Listed> listed = new ArrayList<>();
        private final ReplayReports.Callers callers;
        /** Whether a route of the pipeline sets {@code rate_limit_headroom_above}, which a trace cannot inform. */
        private final boolean headroomRoutes;
        private Money before = Money.ZERO;
        private long estimated;
        private long replayed;

        Run(TraceScan scan, PipelineSpec pipeline, ReplayOptions options) {
            this.scan = scan;
            this.options = options;
            SimFleet fleet = new SimFleet(catalog, options.seed(), name -> ModelSettings.DEFAULT);
            // arrival times are counted from the first timestamp, so budget windows are the gateway's calendar ones
            this.after = new PipelineRunner(pipeline, fleet, pricer, name -> ModelSettings.DEFAULT,
                    options.dryRun(), scan.first().orElse(Instant.EPOCH))
                    .start(scan.entries(), options.progress(), ReplayReports.MAX_ROUTE_ROWS);
            this.sample = new SpreadSample<>(judging() ? options.sample() : 0);
            this.callers = new ReplayReports.Callers(pipeline.budgets().stream().map(BudgetSpec::scope)
                    .filter(s -> s != BudgetSpec.Scope.GLOBAL && s != BudgetSpec.Scope.MODEL).distinct().sorted()
                    .toList(), pipeline.keyRequired());
            this.headroomRoutes = pipeline.router().stream().flatMap(r -> r.rules().stream())
                    .anyMatch(r -> r.gateway().flatMap(RouteConditions::headroomAbove).isPresent());
        }

        private boolean judging() {
            return options.judgeModel().isPresent() && !options.dryRun();
        }

        void replay(TraceEntry e) {
            ChatRequest request = e.request();
            String model = catalog.require(request.model()).name();
            long input = e.recorded().map(Usage::inputTokens)
                    .orElseGet(() -> estimator.estimateInput(model, request).tokens());
            // without a recorded usage, each of the request's choices is an answer of the assumed length
            long output = e.recorded().map(Usage::outputTokens).orElseGet(() -> e.choices() * Math.min(
                    request.maxTokens().map(Integer::longValue).orElse(Long.MAX_VALUE), options.assumedOutputTokens()));
            if (e.recorded().isEmpty()) {
                estimated++;
            }
            Money beforeCost = pricer.price(model, e.recorded().orElse(Usage.of(input, output)
                    .withServiceTier(request.serviceTier().orElse(ServiceTier.STANDARD)))).cost();
            long at = e.timestamp().isPresent() && scan.first().isPresent()
                    ? e.timestamp().get().toEpochMilli() - scan.first().get().toEpochMilli()
                    : replayed * options.spacing().toMillis();
            Caller caller = new Caller(e.key(), request.user());
            callers.add(caller);
            RequestOutcome outcome = after.handle(new PlannedRequest("line " + e.line(), at, Optional.empty(),
                    request, e.cacheKey(), tokens(e, input, Math.max(1, output)), e.text(), caller));
            replayed++;
            before = before.plus(beforeCost);
            savings.add(beforeCost, outcome);
            outcome.model().ifPresent(chosen -> sample.offer(new Judged(request, chosen)));
            if (options.dryRun() && listed.size() < ReplayReports.MAX_ROUTE_ROWS) {
                listed.add(new ReplayReports.Listed(e.line(), request.model()));
            }
        }

        ReplayResult result() {
            RunStats stats = after.finish();
            Optional<JudgeSummary> judged = judging() ? Optional.of(judge(sample.picks(), options))
                    : Optional.empty();
            Savings saved = savings.savings();
            PlanReport report = ReplayReports.of(scan, before, estimated, stats, saved, judged, listed,
                    options.dryRun(), callers);
            if (headroomRoutes) {
                report = report.withNote(HEADROOM_NOTE);
            }
            return new ReplayResult(Math.toIntExact(scan.lines()), scan.errors(), scan.badLines(), before,
                    estimated, stats, saved, judged, report);
        }
    }

    /** The tokens of a replayed request at each call site: its recorded (or estimated) ones. */
    private TokenPlan tokens(TraceEntry e, long in, long out) {
        long cached = e.recorded().map(Usage::cachedInputTokens).orElse(0L);
        String provider = catalog.require(e.request().model()).provider();
        return new TokenPlan() {
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
            public long choices() {
                return e.choices();
            }

            @Override
            public long cachedInputTokens(CallSite site) {
                // a prompt cache is the provider's: a model of the same provider warms its own on the same
                // repeated prompts; another provider's is cold, and caches in a way of its own
                return catalog.require(site.model()).provider().equals(provider) ? cached : 0;
            }
        };
    }

    /** A sampled request and the model the pipeline chose for it. */
    private record Judged(ChatRequest request, String chosen) {}

    private JudgeSummary judge(List<Judged> picks, ReplayOptions options) {
        ModelResolver resolver = options.models().orElseGet(() -> {
            SimulatedProvider sim = SimulatedProvider.of(catalog, options.seed());
            return sim::model;
        });
        Judge judge = options.models().isPresent()
                ? new ModelJudge(resolver.model(options.judgeModel().get()))
                : new SimulatedJudge(catalog, options.seed());
        Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
        for (Judged pick : picks) {
            ChatRequest request = pick.request();
            String chosen = pick.chosen();
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
