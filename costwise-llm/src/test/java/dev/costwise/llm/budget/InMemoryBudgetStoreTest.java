package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore.Bucket;
import dev.costwise.llm.spi.BudgetStore.BucketState;
import dev.costwise.llm.spi.BudgetStore.Claim;
import dev.costwise.llm.spi.BudgetStore.Grant;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryBudgetStoreTest {

    private final InMemoryBudgetStore store = new InMemoryBudgetStore();
    private final Bucket day1 = new Bucket("daily", Instant.parse("2026-11-27T00:00:00Z"));
    private final Bucket day2 = new Bucket("daily", Instant.parse("2026-11-28T00:00:00Z"));

    @Test
    void givenRoomForLessThanTheMaximum_whenReserving_thenReservesWhatIsLeftIfAtLeastTheMinimum() {
        store.restore(day1, Money.of("0.70"));

        assertThat(store.reserve(List.of(new Claim(day1, Money.of("1"))), Money.of("0.10"), Money.of("0.50")))
                .map(Grant::amount).contains(Money.of("0.30"));
        assertThat(store.reserve(List.of(new Claim(day1, Money.of("1"))), Money.of("0.01"), Money.of("0.50")))
                .isEmpty();
        assertThat(store.state(day1)).isEqualTo(new BucketState(Money.of("0.70"), Money.of("0.30")));
        assertThatThrownBy(() -> store.reserve(List.of(new Claim(day1, Money.of("1"))), Money.of("2"), Money.of("1")))
                .hasMessageContaining("minimum (2) cannot exceed maximum (1)");
    }

    @Test
    void givenANewWindow_whenItIsFirstUsed_thenTheOldWindowIsForgottenOnlyOnceItsReservationsAreSettled() {
        Claim first = new Claim(day1, Money.of("1"));
        Grant running = store.reserve(List.of(first), Money.of("0.5"), Money.of("0.5")).orElseThrow();

        Grant next = store.reserve(List.of(new Claim(day2, Money.of("1"))), Money.of("0.1"), Money.of("0.1"))
                .orElseThrow();
        assertThat(store.state(day1).reserved()).isEqualTo(Money.of("0.5")); // still held by a running call
        store.settle(running, Money.of("0.4"));
        assertThat(store.state(day1)).isEqualTo(new BucketState(Money.of("0.4"), Money.ZERO));
        store.release(next, Money.of("0.1"));
        store.reserve(List.of(new Claim(new Bucket("daily", Instant.parse("2026-11-29T00:00:00Z")), Money.of("1"))),
                Money.of("0.1"), Money.of("0.1"));

        assertThat(store.state(day1)).isEqualTo(BucketState.EMPTY);
        assertThat(store.state(day2)).isEqualTo(BucketState.EMPTY);
    }

    @Test
    void givenAGrant_whenPartlyReleased_thenWhatIsLeftIsHeldAndSettlesOnce() {
        Grant granted = store.reserve(List.of(new Claim(day1, Money.of("1"))), Money.of("0.1"), Money.of("0.6"))
                .orElseThrow();

        Grant left = store.release(granted, Money.of("0.25"));

        assertThat(left).isEqualTo(new Grant(List.of(day1), Money.of("0.35"), store));
        assertThat(store.state(day1)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.35")));
        store.settle(left, Money.of("0.30"));
        assertThat(store.state(day1)).isEqualTo(new BucketState(Money.of("0.30"), Money.ZERO));
        assertThatThrownBy(() -> store.release(left, Money.of("0.36")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot release 0.36 of a reservation of 0.35");
    }

    @Test
    void givenAGrantOfAnotherStore_whenSettled_thenItIsRefusedAndNothingChanges() {
        InMemoryBudgetStore other = new InMemoryBudgetStore();
        Grant foreign = other.reserve(List.of(new Claim(day1, Money.of("1"))), Money.of("0.2"), Money.of("0.2"))
                .orElseThrow();
        store.reserve(List.of(new Claim(day1, Money.of("1"))), Money.of("0.2"), Money.of("0.2"));

        assertThatThrownBy(() -> store.settle(foreign, Money.of("0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was made by another budget store");
        assertThat(store.state(day1)).isEqualTo(new BucketState(Money.ZERO, Money.of("0.2")));
    }
}
