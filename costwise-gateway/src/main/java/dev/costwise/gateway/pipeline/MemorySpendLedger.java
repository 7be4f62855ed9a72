package dev.costwise.gateway.pipeline;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.ReportDimension;
import dev.costwise.store.SpendRow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * Spend and savings per group in {@code [from, to)}, counted as the database ledger's reports count them: a
     * request under the group of its first attempt, days in UTC, days in order, other groups most expensive first.
     *
     * @param by what to group by
     * @param from inclusive start
     * @param to exclusive end
     * @return one row per group
     */
    public List<SpendRow> spendBy(ReportDimension by, Instant from, Instant to) {
        Map<String, SpendRow> rows = new TreeMap<>();
        for (CostRecord r : records) {
            if (r.at().isBefore(from) || !r.at().isBefore(to)) {
                continue;
            }
            String group = groupOf(by, r);
            // attempts are calls made to providers, as the database ledger counts them: a hit or a refusal made none
            boolean called = r.outcome() != Outcome.CACHE_HIT && r.outcome() != Outcome.REJECTED;
            SpendRow row = new SpendRow(group, r.attempt() == 1 ? 1 : 0, called ? 1 : 0, r.usage().inputTokens(),
                    r.usage().cachedInputTokens(), r.usage().cacheWriteTokens(), r.usage().outputTokens(),
                    r.usage().reasoningTokens(), r.cost(), r.baselineCost());
            rows.merge(group, row, SpendRow::plus);
        }
        Comparator<SpendRow> order = by == ReportDimension.DAY ? Comparator.comparing(SpendRow::group)
                : Comparator.comparing(SpendRow::cost).reversed().thenComparing(SpendRow::group);
        return rows.values().stream().sorted(order).toList();
    }

    private static String groupOf(ReportDimension by, CostRecord r) {
        return switch (by) {
            case DAY -> r.at().atZone(ZoneOffset.UTC).toLocalDate().toString();
            case MODEL -> r.usedModel();
            case PROVIDER -> r.provider();
            case KEY, USER, TEAM, FEATURE -> r.tags().getOrDefault(by.name().toLowerCase(Locale.ROOT), "");
            case SERVICE_TIER -> r.usage().serviceTier().wireName();
        };
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
