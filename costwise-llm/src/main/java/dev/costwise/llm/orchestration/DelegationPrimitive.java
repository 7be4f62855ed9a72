package dev.costwise.llm.orchestration;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a task on the executor it names (the spec's {@code DelegationPrimitive}) and reports executor, tokens, cost and
 * latency.
 *
 * <p>Records {@code delegated} (or {@code delegation_failed}) in the context under the name
 * {@code delegation}. Thread-safe.
 *
 * <pre>{@code
 * DelegationPrimitive delegation = DelegationPrimitive.of(ExecutorRegistry.of(geminiFree, groqLlama));
 * DelegationResponse r = delegation.execute(
 *     DelegationRequest.of("Summarize article", "gemini-2.5-pro:free", List.of(Message.user("Summarize: ..."))), ctx);
 * }</pre>
 */
public final class DelegationPrimitive implements Primitive<DelegationRequest, DelegationResponse> {
    private final ExecutorRegistry executors;
    private final Optional<Pricer> pricer;

    private DelegationPrimitive(ExecutorRegistry executors, Optional<Pricer> pricer) {
        this.executors = Objects.requireNonNull(executors, "executors");
        this.pricer = pricer;
    }

    /**
     * Delegation that reports the cost each executor's response carries.
     *
     * @param executors the registered executors
     * @return the primitive
     */
    public static DelegationPrimitive of(ExecutorRegistry executors) {
        return new DelegationPrimitive(executors, Optional.empty());
    }

    /**
     * Delegation that prices each response's usage with {@code pricer}, so every cost in a workflow is priced alike.
     *
     * @param executors the registered executors
     * @param pricer the pricer
     * @return the primitive
     */
    public static DelegationPrimitive of(ExecutorRegistry executors, Pricer pricer) {
        return new DelegationPrimitive(executors, Optional.of(Objects.requireNonNull(pricer, "pricer")));
    }

    /** @return the registered executors */
    public ExecutorRegistry executors() {
        return executors;
    }

    /**
     * @throws UnknownExecutorException if no executor is registered under the request's name
     * @throws ProviderException if the executor fails
     */
    @Override
    public DelegationResponse execute(DelegationRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        var model = executors.require(request.executorModel());
        // the caller's tools, tool choice and sampling fields, if it passed its request; the task's own settings win
        ChatRequest.Builder asked = request.caller().map(ChatRequest::toBuilder)
                .orElseGet(() -> ChatRequest.builder(request.executorModel()));
        ChatRequest chat = asked.model(request.executorModel()).messages(request.messages())
                .responseFormat(request.responseFormat()).maxTokens(request.maxTokens())
                .reasoning(request.reasoning()).serviceTier(request.serviceTier()).build();
        long start = context.ticker().read();
        ChatResponse response;
        try {
            response = model.execute(chat, context);
        } catch (ProviderException e) {
            context.record("delegation", "delegation_failed", Map.of("executor", request.executorModel(),
                    "errorKind", e.kind()));
            throw e;
        }
        Duration latency = Duration.ofNanos(Math.max(0, context.ticker().read() - start));
        Pricer.Priced priced = pricer.map(p -> p.priceCall(request.executorModel(), response.usage()))
                .orElse(new Pricer.Priced(response.cost(), response.priceStatus()));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("executor", request.executorModel());
        attrs.put("inputTokens", response.usage().inputTokens());
        attrs.put("outputTokens", response.usage().outputTokens());
        attrs.put("cost", priced.cost());
        attrs.put("latencyMs", latency.toMillis());
        context.record("delegation", "delegated", attrs);
        return new DelegationResponse(request.executorModel(), response.text(), response.usage(), priced.cost(),
                priced.status(), latency, response);
    }
}
