package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A call's worst-case cost held in every budget that applies to it, until the call ends. Settle it to the real cost
 * when the call was billed, or release it when it was not; only the first of the two counts.
 *
 * <p>A call to a model that may bill several ({@link dev.costwise.llm.chat.ChatModel#models()}) holds different
 * amounts in different budgets: a budget on one model holds that model's worst case, any other budget the dearest
 * model's ({@link BudgetGuard}). Its {@link BudgetedChatModel} then charges each budget on a model only what the call
 * was billed at that model.
 *
 * <p>A budget counting a model the catalog prices free holds nothing for it, as there is no price to hold, but it is
 * still charged what the call's provider reported billing at that model ({@link Unheld}), so budgets count what the
 * cost records carry.
 *
 * <p>Thread-safe.
 */
public final class Reservation {

    private final BudgetGuard guard;
    private final List<Held> held;
    private final List<Unheld> unheld;
    private final AtomicBoolean done = new AtomicBoolean();

    Reservation(BudgetGuard guard, List<Held> held, List<Unheld> unheld) {
        this.guard = guard;
        this.held = List.copyOf(held);
        this.unheld = List.copyOf(unheld);
    }

    /**
     * One amount held in some budgets, all charged alike.
     *
     * @param budgets the budgets
     * @param grant what the store granted in each of them
     * @param model the model whose spend alone they are charged (their scope's); empty: the call's whole cost
     */
    record Held(List<Budget> budgets, BudgetStore.Grant grant, Optional<String> model) {
        Held {
            budgets = List.copyOf(budgets);
        }
    }

    /**
     * Budgets counting a call to a model the catalog prices free: nothing is held in them, and they are charged only
     * what the call's provider reports billing (OpenRouter's {@code usage.cost} for a {@code :free} model).
     *
     * @param budgets the budgets
     * @param model the free model whose spend alone they are charged (their scope's); empty: the call's whole cost
     */
    record Unheld(List<Budget> budgets, Optional<String> model) {
        Unheld {
            budgets = List.copyOf(budgets);
        }
    }

    /** @return the most held in any one budget: the call's worst case at the dearest model it may bill */
    public Money amount() {
        return held.stream().map(h -> h.grant().amount()).reduce(Money.ZERO, Money::max);
    }

    /** @return the budgets it is held in (not those of a free model, which hold nothing) */
    public List<Budget> budgets() {
        return held.stream().flatMap(h -> h.budgets().stream()).toList();
    }

    /**
     * Turns the reservation into spend of {@code actual} in every budget it is held in, as for a call billed at the
     * one model it was admitted for. An {@code actual} above the reservation is still counted, and reported as an
     * overrun.
     *
     * @param actual what the call cost
     * @return {@code true} if this call settled it, {@code false} if it was already settled or released
     */
    public boolean settle(Money actual) {
        return settle(Spend.unattributed(Objects.requireNonNull(actual, "actual")));
    }

    /** Settles each budget to its share of {@code spent}: a budget on one model to what was billed at it. */
    boolean settle(Spend spent) {
        Objects.requireNonNull(spent, "spent");
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        guard.settled(held, unheld, spent);
        return true;
    }

    /**
     * Settles each budget to what it holds: a call that may have been billed its worst case left no record. A free
     * model's budgets hold nothing, and no record says it billed anything.
     */
    boolean settleAtWorstCase() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        held.forEach(h -> guard.settled(List.of(h), List.of(), Spend.unattributed(h.grant().amount())));
        return true;
    }

    /**
     * Gives the whole reservation back: the call was not billed (a free model's budgets, holding nothing, stay as
     * they are).
     *
     * @return {@code true} if this call released it, {@code false} if it was already settled or released
     */
    public boolean release() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        held.forEach(h -> guard.released(h.grant()));
        return true;
    }

    @Override
    public String toString() {
        return "Reservation" + held.stream().map(h -> h.grant().amount().format() + " in "
                + h.budgets().stream().map(Budget::name).toList()).toList();
    }
}
