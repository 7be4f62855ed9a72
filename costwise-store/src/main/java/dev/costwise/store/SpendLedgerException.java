package dev.costwise.store;

import dev.costwise.core.CostwiseException;

/**
 * The spend ledger could not do what was asked: its database could not be opened or migrated, a query failed, or a
 * record was not accepted because the write queue stayed full (the database has been unwritable for a while).
 *
 * <p>Messages name the database kind and the numbers involved, never a password.
 */
public final class SpendLedgerException extends CostwiseException {

    /**
     * @param message what failed
     */
    public SpendLedgerException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause the underlying failure
     */
    public SpendLedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
