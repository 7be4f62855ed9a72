package dev.costwise.llm.spi;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import java.time.Instant;
import java.util.Map;

/**
 * The durable record of every billed attempt, and the source of truth for spend. Implemented by
 * {@code costwise-store} (SQLite, PostgreSQL); in-memory for tests and the library's default.
 *
 * <p>Implementations are thread-safe. {@link #append} must not block a request on I/O: it may buffer, and
 * {@link #flush()} makes everything appended so far durable.
 */
public interface SpendLedger extends AutoCloseable {

    /**
     * Records one attempt. Never loses an accepted record short of a crash; see the implementation for how much a
     * crash may lose.
     *
     * @param record the attempt
     */
    void append(CostRecord record);

    /** Makes every record appended so far durable; blocks until it is. */
    void flush();

    /**
     * Sum of the cost of records in {@code [from, to)} whose tags (and model, under the key {@code "model"}: the
     * model called, by its catalog name, {@link CostRecord#catalogModel()}) match every entry of {@code match}. Budgets
     * rebuild their window's spend from this at start.
     *
     * @param match tag values to match; empty for all records
     * @param from inclusive start
     * @param to exclusive end
     * @return the exact total
     */
    Money totalCost(Map<String, String> match, Instant from, Instant to);

    /** Flushes and releases resources. */
    @Override
    void close();
}
