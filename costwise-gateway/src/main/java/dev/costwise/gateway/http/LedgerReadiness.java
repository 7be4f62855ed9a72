package dev.costwise.gateway.http;

import dev.costwise.llm.spi.SpendLedger;
import dev.costwise.store.JdbcSpendLedger;

/**
 * What the ledger says about a replica's readiness. A database outage alone keeps it ready: rows wait in memory and
 * are written when the database is back, and every replica of a fleet on that database would otherwise leave the
 * load balancer at once. A replica is not ready once the rows waiting fill most of the buffer, before rows would be
 * refused (and only logged), or once the writer has stopped.
 *
 * @param ready whether the ledger lets the replica take traffic
 * @param state what {@code /ready} shows as {@code ledger}
 */
record LedgerReadiness(boolean ready, String state) {

    /** Tenths of the buffer that may fill before the replica stops being ready. */
    static final int READY_TENTHS = 9;

    static LedgerReadiness of(SpendLedger ledger) {
        if (!(ledger instanceof JdbcSpendLedger jdbc)) {
            return new LedgerReadiness(true, "ok (in memory)");
        }
        if (!jdbc.isAccepting()) {
            return new LedgerReadiness(false, "stopped: the writer accepts no records (see the log)");
        }
        long waiting = jdbc.pendingRecords();
        long capacity = jdbc.queueCapacity();
        String backlog = waiting + " records waiting of " + capacity;
        if (waiting >= capacity * READY_TENTHS / 10) {
            return new LedgerReadiness(false, (jdbc.isWritable() ? "behind: " : "not writable: ") + backlog
                    + ", buffer nearly full");
        }
        return jdbc.isWritable() ? new LedgerReadiness(true, "ok")
                : new LedgerReadiness(true, "degraded: not writable, " + backlog + " buffered");
    }
}
