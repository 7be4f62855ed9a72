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
 * Counts every call of a model (or a whole workflow) as one request, with every cost record it writes, into
 * {@link CostMetrics} under one name, so {@code metrics.snapshot("llm_workflow")} gives cost, savings, tokens and the
 * spec's per-request error rate, by model and provider. Failed calls are counted too (their attempts were billed, or
 * at least tried); a stream counts as failed when reading it fails, as answered when it ends or its caller closes
 * it. The call runs on its own {@linkplain WorkflowContext#scope() scope} of the context, so calls running at the same
 * time on one context each count their own records only. Thread-safe.
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
        boolean answered = false;
        try {
            ChatResponse response = delegate.execute(request, call);
            answered = true;
            return response;
        } finally {
            countSince(call, before, answered);
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
            countSince(call, before, false);
            throw e;
        }
        return new ChatStream() {
            private boolean counted;

            @Override
            public boolean hasNext() {
                try {
                    boolean more = inner.hasNext();
                    if (!more) {
                        countOnce(true);
                    }
                    return more;
                } catch (RuntimeException e) {
                    countOnce(false);
                    throw e;
                }
            }

            @Override
            public ChatChunk next() {
                try {
                    return inner.next();
                } catch (RuntimeException e) {
                    countOnce(false);
                    throw e;
                }
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
                countOnce(true); // closed by its caller: what it read is what it wanted
            }

            private void countOnce(boolean answered) {
                if (!counted) {
                    counted = true;
                    countSince(call, before, answered);
                }
            }
        };
    }

    /** Counts the call as one request, with the attempts it recorded since {@code before}. */
    private void countSince(WorkflowContext context, int before, boolean answered) {
        List<CostRecord> all = CostRecords.of(context);
        metrics.recordRequest(name, all.subList(Math.min(before, all.size()), all.size()), answered);
    }
}
