package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.Pipeline;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.http.CostwiseObject;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.orchestration.AllExecutorsFailedException;
import dev.costwise.llm.orchestration.ExecutorRegistry;
import dev.costwise.llm.orchestration.Headroom;
import dev.costwise.llm.orchestration.MultiModelRequest;
import dev.costwise.llm.orchestration.MultiModelResponse;
import dev.costwise.llm.orchestration.MultiModelWorkflow;
import dev.costwise.llm.orchestration.NoCapableModelException;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.llm.wire.OpenAiRequest;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs the multi-model workflow (the spec's Pattern 5) for pipelines configured with {@code workflow: true}: the
 * routes' models are the executors, {@code default_route} is the orchestrator; the answer goes back as one OpenAI
 * chat completion with a {@code costwise} object (orchestrator, executor and billed failed calls' cost, baseline,
 * savings). Every model call is its own ledger row under the request id ({@link UpstreamChatModel}). Built once at
 * start; thread-safe.
 */
final class WorkflowRunner {
    /** The route a workflow run takes: {@code workflow:<complexity>}. */
    static final String ROUTE_PREFIX = "workflow:";

    /** Finds the workflow pipeline a name sent by a caller (the pipeline's own, or an alias of it) runs. */
    private final ModelDirectory directory;
    private final Map<String, MultiModelWorkflow> workflows;
    private final Map<String, Shape> shapes;
    /** Workflow pipelines whose orchestrator validates the executors' answers ({@code validate: true}). */
    private final Set<String> validated;
    private final OpenAiWire wire;
    private final Clock clock;
    private final Ticker ticker;
    private final ObjectMapper json;
    private final SpendLedger ledger;

    /**
     * What a run produced.
     *
     * @param body the chat completion JSON
     * @param cost orchestrator plus executor cost, and the failed calls their providers billed
     * @param tokens every token spent
     * @param modelUsed the executor that answered
     * @param route {@code workflow:<complexity>}
     * @param answered the configured model whose answer is returned
     * @param answerUsage that answer's tokens: a cache hit on it is measured against the baseline by them
     * @param costwise the body's {@code costwise} object: what the run cost, and saved
     * @param pipeline the workflow pipeline that ran
     * @param validation how its answer's validation went ({@code passed}, {@code failed}, {@code unreadable});
     *     empty when it was not validated
     */
    record Finished(byte[] body, Money cost, long tokens, String modelUsed, String route, String answered,
            Usage answerUsage, CostwiseObject costwise, String pipeline, Optional<String> validation) {}

    /**
     * @throws IllegalStateException if a workflow pipeline names a model the catalog does not know, or has no
     *     default_route
     */
    WorkflowRunner(ModelDirectory directory, Function<Model, Upstream> upstreams, UpstreamCircuits circuits,
            OpenAiWire wire, CostCalculator costs, SpendLedger ledger, Clock clock, Ticker ticker, ObjectMapper json,
            UpstreamHeadroom headroom) {
        this.directory = directory;
        this.wire = wire;
        this.clock = clock;
        this.ticker = ticker;
        this.json = json;
        this.ledger = ledger;
        Map<String, MultiModelWorkflow> flows = new HashMap<>();
        Map<String, Shape> shaped = new HashMap<>();
        ModelCatalog catalog = EmbeddedDefaults.catalog();
        directory.config().pipelines().forEach((name, p) -> {
            if (p.workflow()) {
                Model orchestrator = orchestrator(directory, name, p);
                Model baseline = p.baseline().flatMap(b -> directory.expand(b).stream().findFirst())
                        .orElse(orchestrator);
                List<Model> executors = p.routes().stream().flatMap(r -> directory.expand(r.model()).stream())
                        .distinct().toList();
                // the workflow ranks by catalog names; every call it prices is priced as the gateway prices it
                Map<String, Model> byCatalogName = new HashMap<>();
                for (Model m : concat(executors, List.of(orchestrator, baseline))) {
                    byCatalogName.put(catalogName(m, name), m);
                }
                // a name outside the workflow's models is unpriced: the selector then never ranks it as free
                Pricer pricer = (catalogName, usage) -> Optional.ofNullable(byCatalogName.get(catalogName))
                        .map(m -> costs.price(m, usage)).orElse(new Pricer.Priced(Money.ZERO, PriceStatus.UNPRICED));
                Function<Model, ChatModel> asChatModel = m -> new UpstreamChatModel(m, baseline,
                        catalogName(m, name), upstreams.apply(m), wire, costs, ledger, clock, ticker,
                        p.timeout(), circuits.of(m.name()), directory.reasoningCap(m));
                // the selector skips a free executor low on rate-limit headroom, and its reason states the figure
                Headroom byCatalog = headroom.byCatalogName(c -> Optional.ofNullable(byCatalogName.get(c))
                        .map(Model::name));
                flows.put(name, build(catalog, name, executors, orchestrator, catalogName(baseline, name), pricer,
                        asChatModel, byCatalog));
                shaped.put(name, new Shape(executors, orchestrator, baseline, byCatalogName));
            }
        });
        this.workflows = Map.copyOf(flows);
        this.shapes = Map.copyOf(shaped);
        this.validated = directory.config().pipelines().entrySet().stream()
                .filter(e -> e.getValue().workflow() && e.getValue().validate()).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** A workflow's configured models, and which of them each catalog name the workflow uses stands for. */
    private record Shape(List<Model> executors, Model orchestrator, Model baseline,
            Map<String, Model> byCatalogName) {}

    private static List<Model> concat(List<Model> a, List<Model> b) {
        List<Model> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The default route's model: it classifies and validates, and the savings are measured against it. */
    private static Model orchestrator(ModelDirectory directory, String name, Pipeline p) {
        return p.defaultRoute().flatMap(d -> directory.expand(d).stream().findFirst())
                .orElseThrow(() -> new IllegalStateException("pipeline '" + name + "' runs the workflow and needs "
                        + "default_route: the orchestrator model"));
    }

    private static MultiModelWorkflow build(ModelCatalog catalog, String name, List<Model> executorModels,
            Model orchestrator, String baseline, Pricer pricer, Function<Model, ChatModel> asChatModel,
            Headroom headroom) {
        ExecutorRegistry.Builder executors = ExecutorRegistry.builder();
        for (Model m : executorModels) {
            executors.register(catalogName(m, name), asChatModel.apply(m));
        }
        return MultiModelWorkflow.builder(catalog, executors.build(), asChatModel.apply(orchestrator))
                .baselineModel(baseline).pricer(pricer).headroom(headroom).build();
    }

    /** @throws IllegalStateException if the catalog knows the model by neither name (the config check reports it) */
    private static String catalogName(Model m, String pipeline) {
        return EmbeddedDefaults.workflowEntry(m.name(), m.upstreamModel()).map(i -> i.name())
                .orElseThrow(() -> new IllegalStateException("pipeline '" + pipeline + "': the workflow ranks "
                        + "models by the catalog's tiers, and the catalog has no '" + m.name() + "'"));
    }

    /**
     * How the workflow would run a request, calling nothing: the classification and executor it would pick, and every
     * model call it may be billed for (a budget reserves their worst case).
     *
     * @param requested a name that {@link #runs} the workflow
     * @param body the validated chat request
     * @return the preview
     * @throws GatewayException.UpstreamFailed if no executor meets the task's needs
     */
    WorkflowPreview preview(String requested, ObjectNode body) {
        String pipeline = entry(requested);
        MultiModelWorkflow.Preview p;
        try {
            p = workflows.get(pipeline).preview(request(pipeline, body));
        } catch (NoCapableModelException e) {
            throw noExecutor(pipeline, e);
        }
        Shape shape = shapes.get(pipeline);
        return new WorkflowPreview(p.classification().complexity().name().toLowerCase(Locale.ROOT),
                p.classification().reason(), p.orchestrated(), shape.byCatalogName().get(p.executor()),
                shape.executors(), shape.orchestrator(), p.rounds(), p.validated(), p.verdictPrompt(),
                p.verdictMaxTokens());
    }

    /**
     * @param requested a name that {@link #runs} the workflow
     * @return the model its savings are measured against: its {@code baseline}, else its orchestrator
     */
    Model baseline(String requested) {
        return shapes.get(entry(requested)).baseline();
    }

    /**
     * A cached workflow answer as a cache hit returns it: its {@code costwise} object says what the hit cost
     * (nothing) and saved, not what the run that filled the cache cost.
     *
     * @param body a workflow answer's chat completion JSON
     * @param baseline what the answer would have cost on the baseline model: all of it is saved
     * @return the body to return: the stored bytes with the hit's object in place of the run's, neither read into a
     *     tree nor copied (a long answer is shared by every hit at once)
     */
    AnswerBody asHit(byte[] body, Money baseline) {
        try {
            AnswerBody stored = AnswerBody.of(body);
            Optional<AnswerBody.Range> at = AnswerBody.find(body, CostwiseObject.FIELD);
            if (at.isEmpty()) {
                return stored;
            }
            Optional<CostwiseObject> hit = runHitCosts(json.readTree(body, at.get().from(), at.get().length()),
                    baseline);
            return hit.map(h -> stored.replacing(at.get(), h.toJson().getBytes(StandardCharsets.UTF_8)))
                    .orElse(stored);
        } catch (IOException e) {
            throw new IllegalStateException("a cached workflow answer is the JSON the gateway wrote", e);
        }
    }

    /**
     * What a cache hit on a workflow answer cost: nothing, saving all of its baseline; the run's complexity and
     * escalations and validation are the answer's own.
     *
     * @param answer a workflow answer's chat completion
     * @param baseline what the answer would have cost on the baseline model
     * @return the hit's {@code costwise} object; empty if the answer carries none
     */
    Optional<CostwiseObject> hitCosts(JsonNode answer, Money baseline) {
        return runHitCosts(answer.path(CostwiseObject.FIELD), baseline);
    }

    /** @param run a workflow answer's {@code costwise} object, as the run wrote it */
    private static Optional<CostwiseObject> runHitCosts(JsonNode run, Money baseline) {
        if (!run.isObject()) {
            return Optional.empty();
        }
        return Optional.of(CostwiseObject.ofRun(Money.ZERO, new CostwiseObject.RunCosts(Money.ZERO, Money.ZERO,
                Money.ZERO, baseline, run.path("complexity").asText(), run.path("escalations").asInt(),
                Optional.ofNullable(run.get("validation")).map(JsonNode::asText))));
    }

    /** @return the workflow pipelines whose answers are validated ({@code validate: true}) */
    Set<String> validatedPipelines() {
        return validated;
    }

    /** @return {@code true} if requests for that name (a workflow pipeline, or an alias of one) run the workflow */
    boolean runs(String requested) {
        return workflows.containsKey(entry(requested));
    }

    /** @return the pipeline entry a requested name runs: its own, else its alias target's */
    private String entry(String requested) {
        return directory.entryOf(requested).orElse(requested);
    }

    /**
     * Runs one task.
     *
     * @param requested the name the caller sent: a workflow pipeline, or an alias of one
     * @param body the validated chat request
     * @param requestId the request id (the ledger rows' group)
     * @param tags the caller's tags
     * @param remaining time left before the request's deadline
     * @param rows where the run's calls are held until it ends (and what they cost by model, which a run that
     *     fails part-way still charges its budgets with); flushed to the ledger before this returns
     * @return the answer
     * @throws GatewayException.UpstreamFailed if no executor could answer
     */
    Finished run(String requested, ObjectNode body, String requestId, Map<String, String> tags, Duration remaining,
            WorkflowRows rows) {
        String pipeline = entry(requested);
        MultiModelRequest mm = request(pipeline, body);
        Map<String, String> withRequested = new HashMap<>(tags);
        withRequested.put(UpstreamChatModel.REQUESTED, requested);
        WorkflowContext ctx = WorkflowContext.builder("costwise-" + pipeline).correlationId(requestId)
                .tags(withRequested).ticker(ticker).clock(clock).timeout(remaining).build();
        ctx.metadata().put(UpstreamChatModel.ROWS, rows);
        MultiModelResponse out = null;
        Money baseline;
        try {
            out = workflows.get(pipeline).execute(mm, ctx);
        } catch (ProviderException e) {
            throw new GatewayException.UpstreamFailed(List.of(e));
        } catch (AllExecutorsFailedException e) {
            throw e.outOfTime().isEmpty() ? noExecutor(pipeline, e) : outOfTime(pipeline, e);
        } catch (NoCapableModelException e) {
            throw noExecutor(pipeline, e);
        } finally {
            // the request's baseline is what its answer would have cost on the baseline model: the orchestrator's
            // calls and superseded or failed attempts are what the workflow spent on top
            baseline = rows.flush(ledger, Optional.ofNullable(out).map(MultiModelResponse::answer),
                    ctx.records("escalated").stream().flatMap(r -> r.attribute(MultiModelWorkflow.SUPERSEDED_ANSWER,
                            ChatResponse.class).stream()).toList());
        }
        Usage usage = out.executorUsage().plus(out.orchestratorUsage());
        String complexity = out.classification().complexity().name().toLowerCase(Locale.ROOT);
        // the executor's whole answer (text, tool calls, reasoning) and why it stopped, as the executor said
        ObjectNode root = wire.writeResponse(out.answer(), clock.millis() / 1000);
        root.put("id", "chatcmpl-" + requestId).put("model", out.executorModel());
        root.set("usage", wire.writeUsage(usage));
        // what the run cost, as its ledger rows and budgets say: the calls that answered and the failed calls their
        // providers billed, which the workflow's own costs leave out
        Money cost = out.totalCost().plus(rows.failedCost());
        Optional<String> validation = out.validation().map(v -> v.name().toLowerCase(Locale.ROOT));
        CostwiseObject costwise = CostwiseObject.ofRun(cost, new CostwiseObject.RunCosts(out.orchestratorCost(),
                out.executorCost(), rows.failedCost(), baseline, complexity, out.escalations().size(), validation));
        costwise.writeTo(root);
        try {
            return new Finished(json.writeValueAsBytes(root), cost, usage.totalTokens(),
                    out.executorModel(), ROUTE_PREFIX + complexity, out.answer().model(), out.answer().usage(),
                    costwise, pipeline, validation);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** The task the workflow gets for a chat request: its last user message, answered as the caller asked. */
    private MultiModelRequest request(String pipeline, ObjectNode body) {
        OpenAiRequest request;
        try {
            request = wire.readRequest(body);
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.getMessage().split(":")[0], e.getMessage());
        }
        // the executor answers as the caller asked: within max_tokens (what the budget reserved), in its format,
        // thinking as much as its reasoning setting (capped by the pipeline, and per call by the model's own
        // pipeline) allows, on the tier asked for, with the caller's tools, tool_choice and sampling fields; the
        // orchestrator's calls take none of them
        MultiModelRequest.Builder mmb = MultiModelRequest.answering(request.chat(), PromptTokens.lastUserText(body));
        if (validated.contains(pipeline)) {
            mmb.validated();
        }
        return mmb.build();
    }

    /**
     * A run whose deadline passed before every executor was tried fails as a plain pipeline's does (a 504): the calls
     * made, and the executors left uncalled for lack of time.
     */
    private GatewayException.UpstreamFailed outOfTime(String pipeline, AllExecutorsFailedException e) {
        List<ProviderException> causes = Arrays.stream(e.getSuppressed()).filter(ProviderException.class::isInstance)
                .map(ProviderException.class::cast).toList();
        Map<String, Model> byCatalogName = shapes.get(pipeline).byCatalogName();
        List<String> uncalled = e.outOfTime().stream()
                .map(n -> Optional.ofNullable(byCatalogName.get(n)).map(Model::name).orElse(n)).toList();
        return new GatewayException.UpstreamFailed(causes, List.of(), Optional.of(new GatewayException.OutOfTime(
                directory.config().server().requestTimeout(), uncalled)));
    }

    private static GatewayException.UpstreamFailed noExecutor(String pipeline, RuntimeException e) {
        return new GatewayException.UpstreamFailed(List.of(new ProviderException.ServerError(
                ProviderException.Details.of("costwise", pipeline), e.getMessage())));
    }
}
