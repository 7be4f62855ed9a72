package dev.costwise.gateway.keys;

import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual key's public record: what it may do, never its secret.
 *
 * @param id the public id (part of the key; shown in reports and the admin API)
 * @param name a human label
 * @param models models the key may call; empty for every model
 * @param budgetLimit the key's spend limit per {@code budgetWindow}, if any
 * @param budgetWindow the window of that limit
 * @param rpm requests per minute, if limited
 * @param tpm tokens per minute, if limited
 * @param tags recorded on every ledger row of the key's requests
 * @param createdAt when it was created (kept by rotation)
 * @param expiresAt when it stops working, if it does (kept by rotation)
 * @param revoked {@code true} once revoked
 * @param rotatedAt when its secret was last replaced, if ever
 * @param budgetGeneration which count of its own budget's spend is in force: 0 for the one it was created with, else
 *     the key's version when a change last added the budget back or changed its window (a new limit alone keeps
 *     the count). A new count is rebuilt from the ledger, so the spend made while the budget was absent, or counted
 *     in another window, is in it
 */
public record VirtualKey(String id, String name, List<String> models, Optional<Money> budgetLimit,
        BudgetWindow budgetWindow, Optional<Integer> rpm, Optional<Integer> tpm, Map<String, String> tags,
        Instant createdAt, Optional<Instant> expiresAt, boolean revoked, Optional<Instant> rotatedAt,
        long budgetGeneration) {

    /**
     * The longest name a key may have, in characters (Unicode code points): what the shared key table's column holds
     * on PostgreSQL, refused alike on every store so a key behaves the same on SQLite.
     */
    public static final int MAX_NAME_LENGTH = 200;

    public VirtualKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        models = List.copyOf(models);
        Objects.requireNonNull(budgetLimit, "budgetLimit");
        Objects.requireNonNull(budgetWindow, "budgetWindow");
        Objects.requireNonNull(rpm, "rpm");
        Objects.requireNonNull(tpm, "tpm");
        tags = Map.copyOf(tags);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(rotatedAt, "rotatedAt");
    }

    /** A key whose own budget, if any, is still counted as it was created ({@code budgetGeneration} 0). */
    public VirtualKey(String id, String name, List<String> models, Optional<Money> budgetLimit,
            BudgetWindow budgetWindow, Optional<Integer> rpm, Optional<Integer> tpm, Map<String, String> tags,
            Instant createdAt, Optional<Instant> expiresAt, boolean revoked, Optional<Instant> rotatedAt) {
        this(id, name, models, budgetLimit, budgetWindow, rpm, tpm, tags, createdAt, expiresAt, revoked, rotatedAt,
                0);
    }

    /**
     * @param before the key before a change, this being the key after it
     * @return whether the change starts a new count of the key's own budget: the budget added back, or its window
     *     changed; in both, spend was made that the old count does not hold
     */
    public boolean startsNewBudgetCount(VirtualKey before) {
        return budgetLimit.isPresent() && (before.budgetLimit.isEmpty() || before.budgetWindow != budgetWindow);
    }

    /** @return {@code true} if the key has an expiry and {@code now} is at or past it */
    public boolean expiredAt(Instant now) {
        return expiresAt.isPresent() && !now.isBefore(expiresAt.get());
    }

    /** @return {@code true} if the key may call {@code model} */
    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** @return this key, revoked */
    public VirtualKey revokedCopy() {
        return new VirtualKey(id, name, models, budgetLimit, budgetWindow, rpm, tpm, tags, createdAt, expiresAt,
                true, rotatedAt, budgetGeneration);
    }

    /** @return this key, rotated at {@code at} (its creation time stays) */
    public VirtualKey rotatedCopy(Instant at) {
        return new VirtualKey(id, name, models, budgetLimit, budgetWindow, rpm, tpm, tags, createdAt, expiresAt,
                revoked, Optional.of(at), budgetGeneration);
    }
}
