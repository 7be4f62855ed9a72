package dev.costwise.core.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.testing.Transient;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThrottleTest {

    @Test
    void givenLimitReached_whenAnotherCallArrives_thenRejectedNamingTheLimit() {
        Throttle throttle = Throttle.of("openai", 1);
        AtomicReference<Primitive<String, String>> self = new AtomicReference<>();
        AtomicReference<Throwable> nested = new AtomicReference<>();
        Primitive<String, String> p = throttle.wrap((in, ctx) -> {
            if (in.equals("outer")) {
                try {
                    self.get().execute("inner", ctx);
                } catch (BulkheadFullException e) {
                    nested.set(e);
                }
            }
            return in;
        });
        self.set(p);
        WorkflowContext ctx = WorkflowContext.of("t");

        assertThat(p.execute("outer", ctx)).isEqualTo("outer");

        assertThat(nested.get()).isInstanceOf(BulkheadFullException.class)
                .hasMessage("throttle 'openai' is full: maxConcurrent=1 calls in flight, waited PT0S");
        assertThat(ctx.records("throttle_rejected")).hasSize(1);
        assertThat(throttle.availableSlots()).isEqualTo(1);
    }

    @Test
    void givenFailingCall_whenItFails_thenItsSlotIsReleased() {
        Throttle throttle = Throttle.of("t", 1);
        Primitive<String, String> p = throttle.wrap((in, ctx) -> {
            throw new Transient("x");
        });

        assertThatThrownBy(() -> p.execute("x", WorkflowContext.of("t"))).isInstanceOf(Transient.class);
        assertThat(throttle.availableSlots()).isEqualTo(1);
    }

    @Test
    void givenSlotHeldElsewhere_whenWaitingUpToMaxWait_thenRejectedAfterWaiting() throws InterruptedException {
        Throttle throttle = Throttle.builder("openai").maxConcurrent(1).maxWait(java.time.Duration.ofMillis(50)).build();
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Primitive<String, String> hold = throttle.wrap((in, ctx) -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return in;
        });
        Thread holder = Thread.ofVirtual().start(() -> hold.execute("x", WorkflowContext.of("t")));
        holding.await();
        try {
            assertThatThrownBy(() -> throttle.wrap((String in, WorkflowContext c) -> in).execute("y", WorkflowContext.of("t")))
                    .isInstanceOf(BulkheadFullException.class)
                    .hasMessage("throttle 'openai' is full: maxConcurrent=1 calls in flight, waited PT0.05S");
        } finally {
            release.countDown();
            holder.join();
        }
        assertThat(throttle.availableSlots()).isEqualTo(1);
    }

    @Test
    void givenZeroLimit_whenBuilding_thenFailsNamingParameterAndValue() {
        assertThatThrownBy(() -> Throttle.builder("t").maxConcurrent(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrent must be >= 1, was 0");
    }
}
