package dev.costwise.llm.budget;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ServiceTier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A {@link ChatModel} that holds hard budgets around another: every call reserves its worst case with a
 * {@link BudgetGuard} first, and settles to the real cost after (a stream when it ends or is closed).
 *
 * <p>When a budget has no room, the call is rejected with {@link BudgetExceededException}, or, when every refusing
 * budget says {@link Budget.Action#DOWNGRADE}, answered by the configured free model; either way the context's
 * metadata gets {@value #BUDGET_EXCEEDED} = {@code true} and a {@value #BUDGET_EXCEEDED} record naming the budget.
 * The free model must cost $0 by the guard's catalog, which {@link #of(ChatModel, BudgetGuard, ChatModel)} checks,
 * and its calls go through the guard too: they reserve nothing and pass, and a model the catalog prices above $0 by
 * then is refused, so spend never passes a hard limit.
 *
 * <p>The model priced is the one the wrapped model bills, whatever model the request names: a provider adapter
 * sends and bills its own model. Around a model that may call several ({@link ChatModel#models()}: a
 * {@code ChatRouter}'s routes, a {@code FallbackChatModel}'s targets, through any decorator), every budget the call may
 * be charged to holds the worst case it could charge that budget: a budget on one of those models holds that model's
 * worst case, any other budget (global, key, user, team, feature) the dearest model's. So a request naming a cheap
 * model that is routed or falls back to a dear one stays within the limits, and so does a budget on the cheap model
 * while a dearer one is reachable ({@link BudgetGuard}). A wrapped model that may call a model the guard's catalog does
 * not know fails each call a budget applies to with {@link IllegalStateException} (a stack whose own
 * {@code ChatModel} does not list the models it calls in {@code models()}): budget each route's model instead.
 * The real cost is the sum of the cost records the wrapped model appended to the context during the call (so a
 * retry stack below is charged for every attempt), or the response's cost when it appended none. A budget on one model
 * is charged the records of that model only (by their {@code catalogModel}); without records, which model billed is
 * unknown, and every budget held is charged the response's cost. A failed call is charged what it recorded, or
 * released. The call runs on its own {@linkplain WorkflowContext#scope() scope} of the context, so calls running at
 * the same time on one context are each charged their own records only.
 *
 * <p>A request that names no {@linkplain ChatRequest#serviceTier() service tier} is held at the tier the wrapped
 * model's last answer to such a request ran on, so an OpenAI project whose default tier is priority is held at
 * priority's prices from its first such answer on.
 *
 * <p>Order: place it below retries and fallbacks, {@code Retry(BudgetedChatModel(model))}, so every attempt reserves
 * its own worst case; above a retry stack, several attempts would share one reservation and could overrun it.
 * Thread-safe.
 */
public final class BudgetedChatModel implements ChatModel {

    /** Metadata key and record event set when a budget refused a call. */
    public static final String BUDGET_EXCEEDED = "budget_exceeded";

    private final ChatModel delegate;
    private final BudgetGuard guard;
    private final Optional<ChatModel> downgradeTo;
    private final String name;
    /**
     * The tier the wrapped model's account served the last request that named none on: an OpenAI project whose
     * default tier is priority bills such calls at up to twice the standard price, so later ones are held at it.
     */
    private final AtomicReference<ServiceTier> untieredServedOn = new AtomicReference<>(ServiceTier.STANDARD);

    private BudgetedChatModel(ChatModel delegate, BudgetGuard guard, Optional<ChatModel> downgradeTo) {
        this.delegate = delegate;
        this.guard = guard;
        this.downgradeTo = downgradeTo;
        this.name = "budget(" + delegate.name() + ")";
    }

    /**
     * Wraps {@code delegate}; budgets that say {@link Budget.Action#DOWNGRADE} reject too, since there is no model to
     * downgrade to.
     *
     * @param delegate the model to call
     * @param guard the guard holding the budgets
     * @return the budgeted model
     */
    public static BudgetedChatModel of(ChatModel delegate, BudgetGuard guard) {
        return new BudgetedChatModel(Objects.requireNonNull(delegate, "delegate"),
                Objects.requireNonNull(guard, "guard"), Optional.empty());
    }

    /**
     * Wraps {@code delegate}, sending calls that downgrading budgets refuse to {@code freeModel}.
     *
     * @param delegate the model to call
     * @param guard the guard holding the budgets
     * @param freeModel the $0 model that answers when a downgrading budget is exhausted; its {@link ChatModel#name()}
     *     must be a model the guard's catalog prices at $0
     * @return the budgeted model
     * @throws IllegalArgumentException if the guard's catalog does not know {@code freeModel}, or prices it above $0
     *     (the message names the model and its price)
     */
    public static BudgetedChatModel of(ChatModel delegate, BudgetGuard guard, ChatModel freeModel) {
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(freeModel, "freeModel");
        guard.requireFree("freeModel", freeModel.name());
        return new BudgetedChatModel(delegate, guard, Optional.of(freeModel));
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String provider() {
        return delegate.provider();
    }

    /** @return the wrapped model's models, and the free model's */
    @Override
    public Set<String> models() {
        List<ChatModel> all = new ArrayList<>();
        all.add(delegate);
        downgradeTo.ifPresent(all::add);
        return ChatModel.modelsOf(all);
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        Call call = admit(request, context);
        if (call.reservation().isEmpty()) {
            return call.model().execute(call.request(), context);
        }
        Reservation reservation = call.reservation().get();
        CallCosts costs = CallCosts.start(context);
        ChatResponse response = held(reservation, costs, () -> call.model().execute(call.request(), costs.context()));
        reservation.settle(costs.spend().orElseGet(() -> Spend.unattributed(response.cost())));
        served(call, request, response);
        return response;
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        Call call = admit(request, context);
        if (call.reservation().isEmpty()) {
            return call.model().stream(call.request(), context);
        }
        Reservation reservation = call.reservation().get();
        CallCosts costs = CallCosts.start(context);
        ChatStream stream = held(reservation, costs, () -> call.model().stream(call.request(), costs.context()));
        return new SettlingChatStream(stream, reservation, costs, r -> served(call, request, r));
    }

    /** Runs a call that holds {@code reservation}; when it fails, settles what it recorded, or releases it. */
    private static <T> T held(Reservation reservation, CallCosts costs, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException | Error e) {
            costs.spend().ifPresentOrElse(reservation::settle, reservation::release);
            throw e;
        }
    }

    /**
     * A call the budgets let through: the model to call, the request to send it and what is reserved for it.
     *
     * @param reservation empty when no budget applies (for a free model, one that holds nothing)
     */
    private record Call(ChatModel model, ChatRequest request, Optional<Reservation> reservation) {

        static Call of(ChatModel model, BudgetGuard.Admission admission) {
            return switch (admission) {
                case BudgetGuard.Admission.Unbudgeted u -> new Call(model, u.request(), Optional.empty());
                case BudgetGuard.Admission.Admitted a -> new Call(model, a.request(), Optional.of(a.reservation()));
                case BudgetGuard.Admission.Refused r -> throw new IllegalStateException("a refused call is not made");
            };
        }
    }

    /**
     * Admits the call to the wrapped model or, when downgrading budgets refuse it, to the free model, whose call is
     * held to the budgets too: a free model reserves nothing and passes, any other is refused.
     *
     * @throws BudgetExceededException if the budgets refuse the call and do not downgrade it, or refuse the downgrade
     */
    private Call admit(ChatRequest request, WorkflowContext context) {
        Set<String> billed = delegate.models();
        BudgetGuard.Admission admission = billed.size() == 1
                ? guard.admit(billed.iterator().next(), request, holdAt(request), context)
                : guard.admit(delegate.name(), billed, request, holdAt(request), context);
        if (!(admission instanceof BudgetGuard.Admission.Refused refusedCall)) {
            return Call.of(delegate, admission);
        }
        ChatModel down = refused(refusedCall, downgradeTo, context);
        ChatRequest downgraded = request.withModel(down.name());
        BudgetGuard.Admission downAdmission = guard.admit(down.name(), downgraded, context);
        if (downAdmission instanceof BudgetGuard.Admission.Refused refusedDowngrade) {
            refused(refusedDowngrade, Optional.empty(), context); // throws: nothing cheaper to go to
        }
        return Call.of(down, downAdmission);
    }

    /**
     * Records the refusal; returns the model to downgrade to, or throws the first budget's exception when a refusing
     * budget rejects or there is no model to downgrade to.
     */
    private ChatModel refused(BudgetGuard.Admission.Refused refused, Optional<ChatModel> downgradeTo,
            WorkflowContext context) {
        BudgetExceededException first = refused.failures().getFirst();
        boolean downgrade = refused.action() == Budget.Action.DOWNGRADE && downgradeTo.isPresent();
        context.metadata().put(BUDGET_EXCEEDED, Boolean.TRUE);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("budget", first.budget());
        attributes.put("scope", first.scope().toString());
        attributes.put("limit", first.limit());
        attributes.put("spent", first.spent());
        attributes.put("resets_at", first.resetsAt());
        attributes.put("action", downgrade ? "downgrade" : "reject");
        downgradeTo.filter(m -> downgrade).ifPresent(m -> attributes.put("model", m.name()));
        context.record(name, BUDGET_EXCEEDED, attributes);
        if (!downgrade) {
            for (int i = 1; i < refused.failures().size(); i++) {
                first.addSuppressed(refused.failures().get(i));
            }
            throw first;
        }
        return downgradeTo.get();
    }

    /** The tier a call is held at: the one it asks for, else the one the account served the last that asked none. */
    private ServiceTier holdAt(ChatRequest request) {
        return request.serviceTier().orElseGet(untieredServedOn::get);
    }

    /** Remembers the tier the wrapped model's answer to a request that named none ran on: its account's default. */
    private void served(Call call, ChatRequest request, ChatResponse response) {
        if (call.model() == delegate && request.serviceTier().isEmpty()) {
            untieredServedOn.set(response.usage().serviceTier());
        }
    }
}
