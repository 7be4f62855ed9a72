package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.pipeline.Caller;
import dev.costwise.gateway.pipeline.ChatService;
import dev.costwise.gateway.pipeline.ModelDirectory;
import dev.costwise.gateway.pipeline.Plan;
import dev.costwise.gateway.pipeline.WorkflowPreview;
import dev.costwise.llm.routing.PromptClassifier;
import dev.costwise.llm.spi.SpendLedger;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** {@code GET /v1/models}, {@code /health}, {@code /ready}, {@code /metrics} and {@code POST /v1/route/explain}. */
public final class InfoEndpoints {
    private static final HeaderName ANTHROPIC_VERSION = HeaderNames.create("anthropic-version");
    private static final byte[] HEALTHY = HttpExchange.utf8("{\"status\":\"ok\"}");

    private final HttpExchange http;
    private final Authenticator auth;
    private final ModelDirectory directory;
    private final ChatService service;
    private final SpendLedger ledger;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json;
    private final BooleanSupplier draining;

    /** The endpoints' collaborators. */
    public InfoEndpoints(HttpExchange http, Authenticator auth, ModelDirectory directory, ChatService service,
            SpendLedger ledger, PrometheusMeterRegistry registry, ObjectMapper json, BooleanSupplier draining) {
        this.http = http;
        this.auth = auth;
        this.directory = directory;
        this.service = service;
        this.ledger = ledger;
        this.registry = registry;
        this.json = json;
        this.draining = draining;
    }

    /**
     * {@code GET /v1/models}: models, groups, aliases and pipelines in OpenAI's list format, or in Anthropic's
     * (https://docs.claude.com/en/api/models-list) for a request that sends {@code anthropic-version} as Anthropic's
     * SDKs do; for a virtual key, only the names it may use.
     */
    public void models(ServerRequest req, ServerResponse res) {
        http.requestId(req, res);
        boolean anthropic = req.headers().contains(ANTHROPIC_VERSION);
        Caller caller;
        try {
            caller = auth.authenticate(Authenticator.credential(req));
        } catch (GatewayException e) {
            sendError(res, e, "", anthropic);
            return;
        }
        ObjectNode root = json.createObjectNode();
        if (!anthropic) {
            root.put("object", "list");
        }
        ArrayNode data = root.putArray("data");
        for (String name : directory.callableNames()) {
            if (visibleTo(caller, name)) {
                ObjectNode m = data.addObject();
                if (anthropic) {
                    describeForAnthropic(m, name);
                } else {
                    describeModel(m, name);
                }
            }
        }
        if (anthropic) {
            root.put("has_more", false);
            root.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText());
            root.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asText());
        }
        http.sendJson(res, 200, root);
    }

    /**
     * {@code GET /v1/models/{id}}: one model, group, alias or pipeline, as in the list; 404 for a name the gateway
     * does not serve or the caller's key may not use.
     */
    public void model(ServerRequest req, ServerResponse res) {
        http.requestId(req, res);
        boolean anthropic = req.headers().contains(ANTHROPIC_VERSION);
        String name = req.path().pathParameters().get("id");
        try {
            Caller caller = auth.authenticate(Authenticator.credential(req));
            if (directory.pipeline(name).isEmpty() || !visibleTo(caller, name)) {
                throw new GatewayException.NotFound("model_not_found", "the model '" + name
                        + "' does not exist or this key may not use it");
            }
        } catch (GatewayException e) {
            sendError(res, e, name, anthropic);
            return;
        }
        ObjectNode m = json.createObjectNode();
        http.sendJson(res, 200, anthropic ? describeForAnthropic(m, name) : describeModel(m, name));
    }

    /** Sends an error in OpenAI's shape, or Anthropic's for a request from an Anthropic client. */
    private void sendError(ServerResponse res, GatewayException e, String model, boolean anthropic) {
        http.sendError(res, ErrorResponses.of(e), model, anthropic ? MessagesAnswer::errorBody : ErrorResponses::body);
    }

    /** A model as Anthropic lists one; the gateway knows no release date, so the epoch stands for it. */
    private static ObjectNode describeForAnthropic(ObjectNode m, String name) {
        return m.put("type", "model").put("id", name).put("display_name", name)
                .put("created_at", "1970-01-01T00:00:00Z");
    }

    private static boolean visibleTo(Caller caller, String name) {
        return caller.mayUse(name);
    }

    private ObjectNode describeModel(ObjectNode m, String name) {
        m.put("id", name).put("object", "model").put("created", 0);
        Model model = directory.model(name).orElse(null);
        m.put("owned_by", model != null ? model.provider() : "costwise");
        if (model == null) {
            ArrayNode serves = m.putArray("costwise_targets");
            directory.reachable(name).forEach(t -> serves.add(t.name()));
        }
        return m;
    }

    /** {@code GET /health}: the process is alive. */
    public void health(ServerRequest req, ServerResponse res) {
        HttpExchange.send(res, 200, HEALTHY);
    }

    /**
     * {@code GET /ready}: providers configured, the ledger taking rows and not draining; 503 otherwise. A ledger
     * database that is down leaves the replica ready, the ledger reported degraded, while its rows fit in memory
     * ({@link LedgerReadiness}). Reports the Redis state when replicas share it; a replica serving on local state
     * while Redis is down is still ready.
     */
    public void ready(ServerRequest req, ServerResponse res) {
        ObjectNode root = json.createObjectNode();
        boolean providers = !directory.models().isEmpty();
        LedgerReadiness ledgerReadiness = LedgerReadiness.of(ledger);
        boolean ledgerOk = ledgerReadiness.ready();
        String ledgerState = ledgerReadiness.state();
        boolean ok = providers && ledgerOk && !draining.getAsBoolean();
        root.put("status", ok ? "ready" : "not_ready");
        root.put("models", directory.models().size());
        root.put("simulated", directory.config().simulated());
        root.put("ledger", ledgerState);
        root.put("draining", draining.getAsBoolean());
        service.redisStatus().ifPresent(r -> root.put("redis", r)); // degraded Redis still serves: ready
        http.sendJson(res, ok ? 200 : 503, root);
    }

    /** {@code GET /metrics}: Prometheus text; for the master key or the metrics key when the config says so. */
    public void metrics(ServerRequest req, ServerResponse res) {
        try {
            auth.metricsReader(Authenticator.credential(req));
        } catch (GatewayException e) {
            http.sendError(res, ErrorResponses.of(e));
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /v1/route/explain}: the plan a chat request would get, without calling a model. */
    public void explain(ServerRequest req, ServerResponse res) {
        http.requestId(req, res);
        try {
            Caller caller = auth.authenticate(Authenticator.credential(req));
            ObjectNode body = RequestValidator.chat(http.readJson(req));
            ObjectNode asked = reasoningOf(body); // the plan may lower it (max_reasoning_effort)
            // a budget's downgrade and refusal included, decided as for a request; nothing reserved
            ChatService.BudgetedPlan budgeted = service.planWithBudgets(caller, body);
            Plan plan = budgeted.plan();
            service.requireAllowed(caller, plan);
            ObjectNode root = json.createObjectNode();
            root.put("model_requested", plan.requested());
            root.put("route", plan.route().name());
            root.put("model", plan.primary().name());
            root.put("provider", plan.primary().provider());
            ArrayNode candidates = root.putArray("candidates");
            plan.candidates().forEach(c -> candidates.add(c.name()));
            // A candidate whose circuit is open is skipped: the model that answers may not be the first one.
            ObjectNode circuits = root.putObject("circuits");
            plan.candidates().forEach(c -> service.circuitState(c.name()).ifPresent(st -> circuits.put(c.name(), st)));
            Optional<WorkflowPreview> workflow = service.workflowOf(plan);
            // a workflow classifies for itself; route conditions do not apply to it
            PromptClassifier.Classification c = workflow.isPresent() ? plan.route().classification()
                    : service.classify(body);
            workflow.ifPresent(w -> {
                ObjectNode wf = root.putObject("workflow");
                wf.put("orchestrator", w.orchestrator().name());
                wf.put("executor", w.executor().name());
                ArrayNode executors = wf.putArray("executors");
                w.executors().forEach(m -> executors.add(m.name()));
                wf.put("orchestrated", w.orchestrated());
                wf.put("validated", w.validated());
                wf.put("max_rounds", w.rounds());
                wf.put("verdict_max_tokens", w.validated() ? w.verdictMaxTokens() : 0);
            });
            // the upstream rate-limit headroom the route conditions (or the workflow's executor choice) read
            java.util.Map<String, Optional<Double>> headroom = service.headroomUsed(plan);
            if (!headroom.isEmpty()) {
                ObjectNode used = root.putObject("rate_limit_headroom");
                headroom.forEach((m, h) -> h.ifPresentOrElse(v -> used.put(m, v), () -> used.put(m, "unknown")));
            }
            ObjectNode cls = root.putObject("classification");
            cls.put("complexity", c.complexity());
            cls.put("chars", c.chars());
            cls.put("reason", c.reason());
            root.put("estimated_input_tokens", plan.estimatedInputTokens());
            root.put("max_output_tokens", plan.maxOutputTokens());
            root.put("estimated_max_cost", plan.worstCase().toString());
            // a prompt that does not fit the primary's window goes, uncalled, to the context-window fallback
            service.contextWindowSkip(plan).ifPresent(skip -> {
                root.put("model", skip.models().getFirst().name());
                root.put("provider", skip.models().getFirst().provider());
                ArrayNode tried = root.putArray("candidates");
                skip.models().forEach(m -> tried.add(m.name()));
                root.putObject("context_window").put("skipped", plan.primary().name())
                        .put("window", plan.primary().contextWindow());
                root.put("max_output_tokens", plan.outputLimitOn(skip.models().getFirst()));
                root.put("estimated_max_cost", skip.worstCase().toString());
            });
            // what the request itself gets instead of an answer: the 429 of a budget without room for it
            budgeted.refusal().ifPresent(refusal -> root.set("refused", refusalOf(refusal)));
            root.put("cache", plan.pipeline().cache().enabled() ? plan.pipeline().cache().scope().name()
                    .toLowerCase(java.util.Locale.ROOT) : "off");
            // what the model that answers is sent: its own pipeline's reasoning cap holds by any name (group, alias)
            Model answering = service.contextWindowSkip(plan).map(skip -> skip.models().getFirst())
                    .orElse(plan.primary());
            ObjectNode sent = reasoningOf(service.bodyFor(plan, answering));
            if (!sent.isEmpty()) {
                root.set("reasoning", sent);
                if (!sent.equals(asked)) {
                    root.set("reasoning_asked", asked);
                }
            }
            http.sendJson(res, 200, root);
        } catch (GatewayException e) {
            http.sendError(res, ErrorResponses.of(e));
        }
    }

    /** @return the error a refused request gets, as the {@code error} object of its answer, with its status */
    private ObjectNode refusalOf(GatewayException refusal) {
        ApiError error = ErrorResponses.of(refusal);
        try {
            ObjectNode out = json.createObjectNode().put("status", error.status());
            out.setAll((ObjectNode) json.readTree(ErrorResponses.body(error)).get("error"));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("our own error JSON did not parse", e);
        }
    }

    /** @return the body's reasoning fields, copied: {@code reasoning_effort} and OpenRouter's {@code reasoning} */
    private ObjectNode reasoningOf(ObjectNode body) {
        ObjectNode out = json.createObjectNode();
        for (String field : new String[] {"reasoning_effort", "reasoning"}) {
            if (body.hasNonNull(field)) {
                out.set(field, body.get(field).deepCopy());
            }
        }
        return out;
    }
}
