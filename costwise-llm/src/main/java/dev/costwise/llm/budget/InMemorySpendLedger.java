package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link SpendLedger} kept in memory: for tests, examples and a library used without a database. Nothing survives
 * the process.
 *
 * <p>Thread-safe; {@link #append} never blocks on I/O and {@link #flush()} has nothing to do.
 */
public final class InMemorySpendLedger implements SpendLedger {

    /** The {@link #totalCost} match key that compares against {@link CostRecord#catalogModel()}. */
    public static final String MODEL_KEY = "model";

    private final ConcurrentLinkedQueue<CostRecord> records = new ConcurrentLinkedQueue<>();

    @Override
    public void append(CostRecord record) {
        records.add(Objects.requireNonNull(record, "record"));
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public Money totalCost(Map<String, String> match, Instant from, Instant to) {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Money total = Money.ZERO;
        for (CostRecord r : records) {
            if (!r.at().isBefore(from) && r.at().isBefore(to) && matches(r, match)) {
                total = total.plus(r.cost());
            }
        }
        return total;
    }

    /** @return every record appended so far, in order */
    public List<CostRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        // nothing to release
    }

    private static boolean matches(CostRecord r, Map<String, String> match) {
        for (Map.Entry<String, String> e : match.entrySet()) {
            String actual = MODEL_KEY.equals(e.getKey()) ? r.catalogModel() : r.tags().get(e.getKey());
            if (!e.getValue().equals(actual)) {
                return false;
            }
        }
        return true;
    }
}
