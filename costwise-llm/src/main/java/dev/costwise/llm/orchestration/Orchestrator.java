package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.Pricer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The orchestrator model as the workflows call it: one JSON-mode call, timed on the context's ticker, priced. */
final class Orchestrator {
    private final ChatModel model;
    private final Pricer pricer;

    Orchestrator(ChatModel model, Pricer pricer) {
        this.model = Objects.requireNonNull(model, "orchestrator");
        this.pricer = Objects.requireNonNull(pricer, "pricer");
    }

    String name() {
        return model.name();
    }

    /** One orchestrator call's answer and what it cost. */
    record Reply(String text, Usage usage, Money cost, Duration latency) {}

    /**
     * Asks the orchestrator.
     *
     * @throws dev.costwise.llm.provider.ProviderException if the call fails
     */
    Reply ask(String purpose, List<Message> messages, boolean json, WorkflowContext context) {
        return ask(purpose, messages, json, Optional.empty(), context);
    }

    /**
     * Asks the orchestrator for a short answer: at most {@code maxTokens} of output, so what the call can cost is
     * known before it is made (a budget can hold it).
     *
     * @throws dev.costwise.llm.provider.ProviderException if the call fails
     */
    Reply ask(String purpose, List<Message> messages, boolean json, int maxTokens, WorkflowContext context) {
        return ask(purpose, messages, json, Optional.of(maxTokens), context);
    }

    private Reply ask(String purpose, List<Message> messages, boolean json, Optional<Integer> maxTokens,
            WorkflowContext context) {
        ChatRequest request = ChatRequest.builder(model.name()).messages(messages).maxTokens(maxTokens)
                .responseFormat(json ? new ResponseFormat.JsonObject() : new ResponseFormat.Text()).build();
        long start = context.ticker().read();
        ChatResponse response = model.execute(request, context);
        Duration latency = Duration.ofNanos(Math.max(0, context.ticker().read() - start));
        Money cost = pricer.priceCall(model.name(), response.usage()).cost();
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("purpose", purpose);
        attrs.put("model", model.name());
        attrs.put("inputTokens", response.usage().inputTokens());
        attrs.put("outputTokens", response.usage().outputTokens());
        attrs.put("cost", cost);
        attrs.put("latencyMs", latency.toMillis());
        context.record("orchestrator", "orchestrator_call", attrs);
        return new Reply(response.text(), response.usage(), cost, latency);
    }

    Money price(Usage usage) {
        return pricer.priceCall(model.name(), usage).cost();
    }
}
