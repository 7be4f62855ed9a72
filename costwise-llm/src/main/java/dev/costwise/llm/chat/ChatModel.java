package dev.costwise.llm.chat;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;

/**
 * A model that answers chat requests: a provider adapter, a simulated model, or a decorated stack of them.
 *
 * <p>As a {@link Primitive} it composes with every core decorator; a core decorator's {@code wrap} returns a plain
 * {@code Primitive}, without {@link #stream}, while the decorators of {@code dev.costwise.llm.resilience} keep the
 * model a {@code ChatModel} and protect its streams too. Each call records its cost in the {@link WorkflowContext}
 * (event {@code cost}, attribute {@code record}).
 */
public interface ChatModel extends Primitive<ChatRequest, ChatResponse> {

    /** @return this model's name as callers address it, such as {@code gpt-4o-mini} */
    String name();

    /** @return the provider id, such as {@code openai} */
    String provider();

    /**
     * Streams a completion.
     *
     * @param request the request
     * @param context the request's context
     * @return the open stream; the caller must close it
     * @throws dev.costwise.llm.provider.ProviderException if the request fails before the first chunk
     */
    ChatStream stream(ChatRequest request, WorkflowContext context);
}
