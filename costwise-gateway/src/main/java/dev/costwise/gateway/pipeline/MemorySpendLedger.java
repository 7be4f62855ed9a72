package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.spi.SpendLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A spend ledger in memory: for tests and a gateway started without a database. Records are lost on exit.
 * Thread-safe; {@link #append} never blocks.
 */
public final class MemorySpendLedger implements SpendLedger {
    private final ConcurrentLinkedQueue<CostRecord> records = new ConcurrentLinkedQueue<>();

    @Override
    public void append(CostRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public Money totalCost(Map<String, String> match, Instant from, Instant to) {
        Money total = Money.ZERO;
        for (CostRecord r : records) {
            if (!r.at().isBefore(from) && r.at().isBefore(to) && matches(r, match)) {
                total = total.plus(r.cost());
            }
        }
        return total;
    }

    /** @return every record so far, in append order */
    public List<CostRecord> records() {
        return new ArrayList<>(records);
    }

    static boolean matches(CostRecord r, Map<String, String> match) {
        for (Map.Entry<String, String> e : match.entrySet()) {
            String v = e.getKey().equals("model") ? r.usedModel() : r.tags().get(e.getKey());
            if (!e.getValue().equals(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {}
}
