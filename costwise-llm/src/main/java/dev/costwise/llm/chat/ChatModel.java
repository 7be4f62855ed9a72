package dev.costwise.llm.chat;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

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
     * The catalog names of the models a call to this model may be sent to and billed at: its own {@link #name()} for
     * a provider adapter (the default), every route's models for a router, every target's for a fallback, the wrapped
     * model's for a decorator. A budget around this model holds each call at the dearest of them, and a budget on one
     * of them at that one's worst case, so that a router that sends a request naming a cheap model to a dear one stays
     * within every limit. A model that calls others under a name of its own must override it.
     *
     * @return the names; never empty
     */
    default Set<String> models() {
        return Set.of(name());
    }

    /**
     * The {@link #models()} of several models, for a model that calls them (a router's routes, a fallback's targets).
     *
     * @param models the models called
     * @return every name any of them may bill, in order
     */
    static Set<String> modelsOf(Collection<? extends ChatModel> models) {
        Set<String> all = new LinkedHashSet<>();
        models.forEach(m -> all.addAll(m.models()));
        return Collections.unmodifiableSet(all);
    }

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
