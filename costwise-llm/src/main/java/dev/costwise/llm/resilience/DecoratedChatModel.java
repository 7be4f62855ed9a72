package dev.costwise.llm.resilience;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import java.util.Set;

/**
 * A model decorated on its calls and its streams: it keeps the model's name and provider, and runs calls through the
 * core decorator's {@code wrap} of the model, so that calls behave exactly as the core decorator makes them behave.
 * The subclass decorates {@link #stream}.
 */
abstract class DecoratedChatModel implements ChatModel {

    private final ChatModel model;
    private final Primitive<ChatRequest, ChatResponse> calls;

    /**
     * @param model the decorated model
     * @param calls the model's calls as the decorator wraps them
     */
    DecoratedChatModel(ChatModel model, Primitive<ChatRequest, ChatResponse> calls) {
        this.model = model;
        this.calls = calls;
    }

    /** @return the decorated model */
    final ChatModel model() {
        return model;
    }

    /** @return the decorated model's name */
    @Override
    public final String name() {
        return model.name();
    }

    /** @return the decorated model's models */
    @Override
    public final Set<String> models() {
        return model.models();
    }

    /** @return the decorated model's provider */
    @Override
    public final String provider() {
        return model.provider();
    }

    @Override
    public final ChatResponse execute(ChatRequest request, WorkflowContext context) {
        return calls.execute(request, context);
    }
}
