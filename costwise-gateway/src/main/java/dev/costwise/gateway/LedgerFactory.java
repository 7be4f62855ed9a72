package dev.costwise.gateway;

import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.SpendLedgerException;
import dev.costwise.store.SpendLedgers;
import java.time.Duration;
import java.util.Optional;

/** Opens the durable spend ledger a JDBC URL names (SQLite file or PostgreSQL), from {@code costwise-store}. */
final class LedgerFactory {
    private LedgerFactory() {}

    /**
     * @param retention how long records are kept before they are rolled up; empty keeps them forever
     * @throws GatewayStartException if the ledger cannot be opened (a folder or another file where the database
     *     belongs, a database that cannot be reached), saying why in one line
     */
    static SpendLedger open(String url, Optional<Duration> retention) {
        LedgerOptions.Builder options = LedgerOptions.builder();
        retention.ifPresent(options::retention);
        try {
            return SpendLedgers.open(url, options.build());
        } catch (SpendLedgerException | IllegalArgumentException e) {
            throw new GatewayStartException("ledger.url: " + e.getMessage());
        }
    }
}
