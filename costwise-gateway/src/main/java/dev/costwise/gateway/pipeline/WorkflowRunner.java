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
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.orchestration.AllExecutorsFailedException;
import dev.costwise.llm.orchestration.ExecutorRegistry;
import dev.costwise.llm.orchestration.ExecutorSettings;
import dev.costwise.llm.orchestration.MultiModelRequest;
import dev.costwise.llm.orchestration.MultiModelResponse;
import dev.costwise.llm.orchestration.MultiModelWorkflow;
import dev.costwise.llm.orchestration.NoCapableModelException;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.llm.wire.OpenAiRequest;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.WireFormatException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs the multi-model workflow (the spec's Pattern 5) for pipelines configured with {@code workflow: true}: the
 * routes' models are the executors, {@code default_route} is the orchestrator; the answer goes back as one OpenAI
 * chat completion with a {@code costwise} object (orchestrator and executor cost, baseline, savings). Every model
 * call is its own ledger row under the request id ({@link UpstreamChatModel}). Built once at start; thread-safe.
 */
final class WorkflowRunner {
    private final Map<String, MultiModelWorkflow> workflows;
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
     * @param cost orchestrator plus executor cost
     * @param tokens every token spent
     * @param modelUsed the executor that answered
     * @param route {@code workflow:<complexity>}
     */
    record Finished(byte[] body, Money cost, long tokens, String modelUsed, String route) {}

    /**
     * @throws IllegalStateException if a workflow pipeline names a model the catalog does not know, or has no
     *     default_route
     */
    WorkflowRunner(ModelDirectory directory, Function<Model, Upstream> upstreams, UpstreamCircuits circuits,
            OpenAiWire wire, CostCalculator costs, SpendLedger ledger, Clock clock, Ticker ticker, ObjectMapper json) {
        this.wire = wire;
        this.clock = clock;
        this.ticker = ticker;
        this.json = json;
        this.ledger = ledger;
        Map<String, MultiModelWorkflow> flows = new HashMap<>();
        ModelCatalog catalog = EmbeddedDefaults.catalog();
        directory.config().pipelines().forEach((name, p) -> {
            if (p.workflow()) {
                Model orchestrator = orchestrator(directory, name, p);
                Model baseline = p.baseline().flatMap(b -> directory.expand(b).stream().findFirst())
                        .orElse(orchestrator);
                Function<Model, ChatModel> asChatModel = m -> new UpstreamChatModel(m, baseline,
                        catalogName(catalog, m, name), upstreams.apply(m), wire, costs, ledger, clock, ticker,
                        p.timeout(), circuits.of(m.name()));
                flows.put(name, build(directory, catalog, name, p, orchestrator, catalogName(catalog, baseline, name),
                        asChatModel));
            }
        });
        this.workflows = Map.copyOf(flows);
        this.validated = directory.config().pipelines().entrySet().stream()
                .filter(e -> e.getValue().workflow() && e.getValue().validate()).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The default route's model: it classifies and validates, and the savings are measured against it. */
    private static Model orchestrator(ModelDirectory directory, String name, Pipeline p) {
        return p.defaultRoute().flatMap(d -> directory.expand(d).stream().findFirst())
                .orElseThrow(() -> new IllegalStateException("pipeline '" + name + "' runs the workflow and needs "
                        + "default_route: the orchestrator model"));
    }

    private static MultiModelWorkflow build(ModelDirectory directory, ModelCatalog catalog, String name, Pipeline p,
            Model orchestrator, String baseline, Function<Model, ChatModel> asChatModel) {
        ExecutorRegistry.Builder executors = ExecutorRegistry.builder();
        for (GatewayConfig.RouteRule rule : p.routes()) {
            for (Model m : directory.expand(rule.model())) {
                executors.register(catalogName(catalog, m, name), asChatModel.apply(m));
            }
        }
        return MultiModelWorkflow.builder(catalog, executors.build(), asChatModel.apply(orchestrator))
                .baselineModel(baseline).build();
    }

    private static String catalogName(ModelCatalog catalog, Model m, String pipeline) {
        return catalog.find(m.name()).or(() -> catalog.find(m.upstreamModel())).map(i -> i.name())
                .orElseThrow(() -> new IllegalStateException("pipeline '" + pipeline + "': the workflow prices and "
                        + "ranks models from the catalog, which has no '" + m.name() + "'"));
    }

    /** @return {@code true} if requests for that name run the workflow */
    boolean runs(String pipeline) {
        return workflows.containsKey(pipeline);
    }

    /**
     * Runs one task.
     *
     * @param pipeline the requested name
     * @param body the validated chat request
     * @param requestId the request id (the ledger rows' group)
     * @param tags the caller's tags
     * @param remaining time left before the request's deadline
     * @param billed added to with every call's cost as it is ledgered, so a run that fails part-way still charges
     *     its budgets with what its earlier calls cost
     * @return the answer
     * @throws GatewayException.UpstreamFailed if no executor could answer
     */
    Finished run(String pipeline, ObjectNode body, String requestId, Map<String, String> tags, Duration remaining,
            AtomicReference<Money> billed) {
        OpenAiRequest request;
        try {
            request = wire.readRequest(body);
        } catch (WireFormatException e) {
            throw new GatewayException.InvalidField(e.getMessage().split(":")[0], e.getMessage());
        }
        String task = lastUserText(body);
        ChatRequest chat = request.chat();
        // the executor answers as the caller asked: within max_tokens (what the budget reserved), in its format,
        // thinking as much as its reasoning setting (already capped by the pipeline) allows, on the tier asked for,
        // with the caller's tools, tool_choice and sampling fields; the orchestrator's calls take none of them
        MultiModelRequest.Builder mmb = MultiModelRequest.builder(task.length() > 200 ? task.substring(0, 200)
                : task).messages(chat.messages()).settings(ExecutorSettings.answering(chat));
        if (validated.contains(pipeline)) {
            mmb.validated();
        }
        MultiModelRequest mm = mmb.build();
        Map<String, String> withRequested = new HashMap<>(tags);
        withRequested.put(UpstreamChatModel.REQUESTED, pipeline);
        WorkflowContext ctx = WorkflowContext.builder("costwise-" + pipeline).correlationId(requestId)
                .tags(withRequested).ticker(ticker).clock(clock).timeout(remaining).build();
        ctx.metadata().put(UpstreamChatModel.BILLED, billed);
        WorkflowRows rows = new WorkflowRows();
        ctx.metadata().put(UpstreamChatModel.ROWS, rows);
        MultiModelResponse out = null;
        Money baseline;
        try {
            out = workflows.get(pipeline).execute(mm, ctx);
        } catch (ProviderException e) {
            throw new GatewayException.UpstreamFailed(List.of(e));
        } catch (AllExecutorsFailedException | NoCapableModelException e) {
            throw new GatewayException.UpstreamFailed(List.of(new ProviderException.ServerError(
                    ProviderException.Details.of("costwise", pipeline), e.getMessage())));
        } finally {
            // the request's baseline is what its answer would have cost on the baseline model: the orchestrator's
            // calls and superseded or failed attempts are what the workflow spent on top
            baseline = rows.flush(ledger, Optional.ofNullable(out).map(MultiModelResponse::answer));
        }
        Usage usage = out.executorUsage().plus(out.orchestratorUsage());
        String complexity = out.classification().complexity().name().toLowerCase(Locale.ROOT);
        // the executor's whole answer (text, tool calls, reasoning) and why it stopped, as the executor said
        ObjectNode root = wire.writeResponse(out.answer(), clock.millis() / 1000);
        root.put("id", "chatcmpl-" + requestId).put("model", out.executorModel());
        root.set("usage", wire.writeUsage(usage));
        root.putObject("costwise").put("cost", out.totalCost().toString())
                .put("orchestrator_cost", out.orchestratorCost().toString())
                .put("executor_cost", out.executorCost().toString())
                .put("baseline_cost", baseline.toString()).put("savings", baseline.minus(out.totalCost()).toString())
                .put("complexity", complexity).put("escalations", out.escalations().size());
        try {
            return new Finished(json.writeValueAsBytes(root), out.totalCost(), usage.totalTokens(),
                    out.executorModel(), "workflow:" + complexity);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static String lastUserText(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                JsonNode content = m.path("content");
                if (content.isTextual()) {
                    return content.asText();
                }
                StringBuilder sb = new StringBuilder();
                content.forEach(part -> sb.append(part.path("text").asText("")));
                return sb.toString();
            }
        }
        return "";
    }
}
