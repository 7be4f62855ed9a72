package dev.costwise.llm.ratelimit;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.TokenEstimator;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves traffic from a preferred model to an alternate before the preferred one hits its rate limit: the spec's
 * Gemini Pro → Flash switch, made explicit instead of left to the provider's silent downgrade.
 *
 * <p>Models are tried in the order given: the first one the {@link UsageTracker} does not say to throttle, and that
 * it admits ({@link UsageTracker#tryAcquire}, with the estimated prompt plus {@code max_tokens} when an estimator is
 * set), takes the call; when none does, the one with the most headroom takes it. Each call records a {@code route}
 * step ({@code model}, {@code reason}: {@code preferred} or {@code rate_limit_headroom}) and its actual usage is
 * reconciled into the tracker when it ends. Thread-safe.
 */
public final class RateLimitAwareRouter implements ChatModel {

    private final String name;
    private final List<ChatModel> models;
    private final UsageTracker tracker;
    private final Optional<TokenEstimator> estimator;

    private RateLimitAwareRouter(String name, List<ChatModel> models, UsageTracker tracker,
            Optional<TokenEstimator> estimator) {
        this.name = name;
        this.models = models;
        this.tracker = tracker;
        this.estimator = estimator;
    }

    /**
     * A router over models in order of preference, counting requests only (no token estimate before the call).
     *
     * @param name names the router in records
     * @param tracker the usage tracker
     * @param preferred the model to use while it has headroom
     * @param alternates where traffic goes, in order, when it does not
     * @return the router
     */
    public static RateLimitAwareRouter of(String name, UsageTracker tracker, ChatModel preferred,
            ChatModel... alternates) {
        return of(name, tracker, Optional.empty(), preferred, alternates);
    }

    /**
     * A router that also reserves estimated tokens before each call.
     *
     * @param name names the router in records
     * @param tracker the usage tracker
     * @param estimator counts prompt tokens; empty to count requests only
     * @param preferred the model to use while it has headroom
     * @param alternates where traffic goes, in order, when it does not
     * @return the router
     * @throws IllegalArgumentException if there is no alternate
     */
    public static RateLimitAwareRouter of(String name, UsageTracker tracker, Optional<TokenEstimator> estimator,
            ChatModel preferred, ChatModel... alternates) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(estimator, "estimator");
        if (alternates.length == 0) {
            throw new IllegalArgumentException("router '" + name + "' needs at least one alternate model, was none");
        }
        List<ChatModel> all = new ArrayList<>();
        all.add(Objects.requireNonNull(preferred, "preferred"));
        all.addAll(List.of(alternates));
        return new RateLimitAwareRouter(name, List.copyOf(all), tracker, estimator);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the models of every model it may call */
    @Override
    public Set<String> models() {
        return ChatModel.modelsOf(models);
    }

    @Override
    public String provider() {
        return "router";
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Choice choice = choose(request, context);
        ChatResponse response;
        try {
            response = choice.model().execute(request.withModel(choice.model().name()), context);
        } catch (RuntimeException e) {
            choice.permit().reconcile(0);
            throw e;
        }
        choice.permit().reconcile(response.usage().totalTokens());
        return response;
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        Choice choice = choose(request, context);
        ChatStream stream;
        try {
            stream = choice.model().stream(request.withModel(choice.model().name()), context);
        } catch (RuntimeException e) {
            choice.permit().reconcile(0);
            throw e;
        }
        return new CompletingChatStream(stream,
                response -> choice.permit().reconcile(response.map(r -> r.usage().totalTokens()).orElse(0L)));
    }

    private Choice choose(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        for (int i = 0; i < models.size(); i++) {
            ChatModel m = models.get(i);
            if (tracker.shouldThrottle(m.name())) {
                continue;
            }
            Optional<UsagePermit> permit = tracker.tryAcquire(m.name(), m.provider(), estimate(m, request));
            if (permit.isPresent()) {
                record(context, m, i == 0 ? "preferred" : "rate_limit_headroom");
                return new Choice(m, permit.get());
            }
        }
        ChatModel best = models.getFirst();
        for (ChatModel m : models) {
            if (tracker.headroom(m.name()) > tracker.headroom(best.name())) {
                best = m;
            }
        }
        record(context, best, "all_throttled");
        ChatModel chosen = best;
        UsagePermit counted = actual -> tracker.record(chosen.name(), chosen.provider(),
                dev.costwise.llm.chat.Usage.of(actual, 0));
        return new Choice(chosen, counted);
    }

    private long estimate(ChatModel model, ChatRequest request) {
        return estimator.map(e -> e.estimateInput(model.name(), request).tokens()
                + request.maxTokens().orElse(0)).orElse(0L);
    }

    private void record(WorkflowContext context, ChatModel model, String reason) {
        context.record(name, "route", Map.of("model", model.name(), "reason", reason,
                "headroom", tracker.headroom(model.name())));
    }

    private record Choice(ChatModel model, UsagePermit permit) {}
}
