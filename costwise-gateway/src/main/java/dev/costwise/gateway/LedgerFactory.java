package dev.costwise.gateway;

import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.SpendLedgers;

/** Opens the durable spend ledger a JDBC URL names (SQLite file or PostgreSQL), from {@code costwise-store}. */
final class LedgerFactory {
    private LedgerFactory() {}

    static SpendLedger open(String url) {
        return SpendLedgers.open(url, LedgerOptions.ofDefaults());
    }
}
