package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.wire.OpenAiWire;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * How a config's workflow pipelines would run a prompt, from the config alone and calling nothing: the same preview
 * route explain ({@code POST /v1/route/explain}) shows and a request's plan is made from, for {@code costwise config
 * check}'s routing tests. Built once per config; thread-safe.
 */
public final class WorkflowPreviews {
    private static final Upstream NO_UPSTREAM = new Upstream() {
        @Override
        public Reply complete(Call call) {
            throw new IllegalStateException("a workflow preview calls no model");
        }

        @Override
        public Events stream(Call call) {
            throw new IllegalStateException("a workflow preview calls no model");
        }

        @Override
        public Reply embed(Call call) {
            throw new IllegalStateException("a workflow preview calls no model");
        }
    };

    private final WorkflowRunner runner;
    private final ObjectMapper json = new ObjectMapper();

    /** @param config a loaded config */
    public WorkflowPreviews(GatewayConfig config) {
        Objects.requireNonNull(config, "config");
        Ticker ticker = Ticker.systemTicker();
        // a preview calls no upstream, opens no circuit and writes no ledger row
        this.runner = new WorkflowRunner(new ModelDirectory(config), model -> NO_UPSTREAM,
                new UpstreamCircuits(List.of(), ticker, new SimpleMeterRegistry()), new OpenAiWire(json),
                new CostCalculator(config.models()), new MemorySpendLedger(), Clock.systemUTC(), ticker, json,
                new UpstreamHeadroom(Clock.systemUTC())); // no answer seen: every model's headroom unknown (full)
    }

    /**
     * @param pipeline a pipeline's name (or an alias of one)
     * @return {@code true} if requests for it run the workflow ({@code workflow: true})
     */
    public boolean runs(String pipeline) {
        return runner.runs(pipeline);
    }

    /**
     * @param pipeline a name that {@link #runs} the workflow
     * @param prompt a user message
     * @return how the workflow would run a chat request of that one message: its classification and executor
     * @throws dev.costwise.gateway.http.GatewayException.UpstreamFailed if no executor meets the task's needs
     */
    public WorkflowPreview preview(String pipeline, String prompt) {
        ObjectNode body = json.createObjectNode().put("model", pipeline);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        return runner.preview(pipeline, body);
    }

    /**
     * @param p a preview
     * @return the route the gateway names for it ({@code workflow:<complexity>}), as its {@code x-costwise-route}
     */
    public static String routeOf(WorkflowPreview p) {
        return WorkflowRunner.ROUTE_PREFIX + p.complexity();
    }
}
