package dev.costwise.planner.engine;

import dev.costwise.llm.chat.ChatRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * One request the planner runs through a pipeline.
 *
 * @param id an id for reports (a trace line number or a synthetic index)
 * @param atMillis arrival time since the start of the run, for cache TTLs
 * @param className the synthetic complexity class, if any
 * @param request the chat request (its model is the one the caller asked for)
 * @param cacheKey what a response cache keys on
 * @param tokens the tokens at each call site
 * @param text the text a router reads
 * @param caller who sent it (key, team and user budgets hold it by that)
 */
public record PlannedRequest(String id, long atMillis, Optional<String> className, ChatRequest request,
        String cacheKey, TokenPlan tokens, PromptText text, Caller caller) {

    public PlannedRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(cacheKey, "cacheKey");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(caller, "caller");
    }

    /**
     * A request of no particular caller; the components as above.
     */
    public PlannedRequest(String id, long atMillis, Optional<String> className, ChatRequest request,
            String cacheKey, TokenPlan tokens, PromptText text) {
        this(id, atMillis, className, request, cacheKey, tokens, text, Caller.NOBODY);
    }

    /**
     * A request whose router text is read from its messages ({@link PromptText#of(ChatRequest)}).
     *
     * @param id an id for reports
     * @param atMillis arrival time since the start of the run
     * @param className the synthetic complexity class, if any
     * @param request the chat request
     * @param cacheKey what a response cache keys on
     * @param tokens the tokens at each call site
     */
    public PlannedRequest(String id, long atMillis, Optional<String> className, ChatRequest request, String cacheKey,
            TokenPlan tokens) {
        this(id, atMillis, className, request, cacheKey, tokens, PromptText.of(request));
    }
}
