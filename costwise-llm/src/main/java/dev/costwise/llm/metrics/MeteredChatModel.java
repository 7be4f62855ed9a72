package dev.costwise.llm.metrics;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import java.util.Set;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts every cost record a model (or a whole workflow) writes during a call into {@link CostMetrics} under one
 * name, so {@code metrics.snapshot("llm_workflow")} gives cost, savings and tokens, by model and provider. Failed
 * calls are counted too (their attempts were billed, or at least tried). The call runs on its own
 * {@linkplain WorkflowContext#scope() scope} of the context, so calls running at the same time on one context each
 * count their own records only. Thread-safe.
 */
public final class MeteredChatModel implements ChatModel {

    private final String name;
    private final ChatModel delegate;
    private final CostMetrics metrics;

    private MeteredChatModel(String name, ChatModel delegate, CostMetrics metrics) {
        this.name = Objects.requireNonNull(name, "name");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Wraps {@code delegate}.
     *
     * @param name the name totals are kept under (the spec's {@code llm_workflow})
     * @param delegate the model or workflow
     * @param metrics where totals go
     * @return the metered model
     */
    public static MeteredChatModel of(String name, ChatModel delegate, CostMetrics metrics) {
        return new MeteredChatModel(name, delegate, metrics);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the wrapped model's models */
    @Override
    public Set<String> models() {
        return delegate.models();
    }

    @Override
    public String provider() {
        return delegate.provider();
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        WorkflowContext call = context.scope();
        int before = CostRecords.of(call).size();
        try {
            return delegate.execute(request, call);
        } finally {
            countSince(call, before);
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        WorkflowContext call = context.scope();
        int before = CostRecords.of(call).size();
        ChatStream inner;
        try {
            inner = delegate.stream(request, call);
        } catch (RuntimeException e) {
            countSince(call, before);
            throw e;
        }
        return new ChatStream() {
            private boolean counted;

            @Override
            public boolean hasNext() {
                try {
                    boolean more = inner.hasNext();
                    if (!more) {
                        countOnce();
                    }
                    return more;
                } catch (RuntimeException e) {
                    countOnce();
                    throw e;
                }
            }

            @Override
            public ChatChunk next() {
                return inner.next();
            }

            @Override
            public ChatResponse response() {
                return inner.response();
            }

            @Override
            public Optional<Usage> usageSoFar() {
                return inner.usageSoFar();
            }

            @Override
            public void onKeepAlive(Runnable listener) {
                inner.onKeepAlive(listener);
            }

            @Override
            public void close() {
                inner.close();
                countOnce();
            }

            private void countOnce() {
                if (!counted) {
                    counted = true;
                    countSince(call, before);
                }
            }
        };
    }

    private void countSince(WorkflowContext context, int before) {
        List<CostRecord> all = CostRecords.of(context);
        for (CostRecord r : all.subList(Math.min(before, all.size()), all.size())) {
            metrics.record(name, r);
        }
    }
}
