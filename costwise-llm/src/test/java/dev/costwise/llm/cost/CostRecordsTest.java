package dev.costwise.llm.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CostRecordsTest {

    @Test
    void givenRecordsInContextAndBranch_whenReadBack_thenAllAreReturnedInOrderWithTheirTotal() {
        WorkflowContext ctx = WorkflowContext.of("t");
        CostRecord first = record(ctx, 1, "0.01", Outcome.FAILED);
        CostRecords.record(ctx, "gpt-4o", first);
        ctx.record("cache", "cache_miss");
        WorkflowContext branch = ctx.fork("b");
        CostRecord second = record(ctx, 2, "0.002", Outcome.SUCCESS);
        CostRecords.record(branch, second);
        ctx.merge(branch);

        assertThat(CostRecords.of(ctx)).containsExactly(first, second);
        assertThat(CostRecords.total(ctx)).isEqualTo(Money.of("0.012"));
        assertThat(CostRecords.nextAttempt(ctx)).isEqualTo(3);
        assertThat(ctx.records(CostRecords.EVENT).get(0).primitive()).isEqualTo("gpt-4o");
    }

    private static CostRecord record(WorkflowContext ctx, int attempt, String cost, Outcome outcome) {
        return new CostRecord(ctx.correlationId(), attempt, Instant.EPOCH, "gpt-4o", "gpt-4o", "openai",
                Usage.of(1, 1), Money.of(cost), Money.of(cost), PriceStatus.PRICED, outcome, Optional.empty(),
                Optional.empty(), Duration.ZERO, Map.of());
    }
}
