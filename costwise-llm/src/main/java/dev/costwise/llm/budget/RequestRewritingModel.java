package dev.costwise.llm.budget;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import java.util.Set;
import java.util.Objects;

/**
 * A model that changes each request (calls and streams alike) before its delegate sees it, under the delegate's name
 * and provider: what {@link ReasoningCap} and {@link OnServiceTier} share. Immutable and thread-safe if the delegate
 * and {@link #rewrite} are.
 */
abstract class RequestRewritingModel implements ChatModel {

    private final ChatModel delegate;

    RequestRewritingModel(ChatModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * @param request the caller's request
     * @return the request the delegate gets
     */
    abstract ChatRequest rewrite(ChatRequest request);

    @Override
    public final ChatResponse execute(ChatRequest request, WorkflowContext context) {
        return delegate.execute(rewrite(request), context);
    }

    @Override
    public final ChatStream stream(ChatRequest request, WorkflowContext context) {
        return delegate.stream(rewrite(request), context);
    }

    @Override
    public final String name() {
        return delegate.name();
    }

    @Override
    public final Set<String> models() {
        return delegate.models();
    }

    @Override
    public final String provider() {
        return delegate.provider();
    }
}
