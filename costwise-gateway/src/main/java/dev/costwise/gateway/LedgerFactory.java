package dev.costwise.gateway;

import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.SpendLedgers;
import java.time.Duration;
import java.util.Optional;

/** Opens the durable spend ledger a JDBC URL names (SQLite file or PostgreSQL), from {@code costwise-store}. */
final class LedgerFactory {
    private LedgerFactory() {}

    /** @param retention how long records are kept before they are rolled up; empty keeps them forever */
    static SpendLedger open(String url, Optional<Duration> retention) {
        LedgerOptions.Builder options = LedgerOptions.builder();
        retention.ifPresent(options::retention);
        return SpendLedgers.open(url, options.build());
    }
}
