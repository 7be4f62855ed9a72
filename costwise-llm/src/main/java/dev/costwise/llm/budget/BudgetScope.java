package dev.costwise.llm.budget;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which calls a budget counts: all of them, or those of one API key, user, team, feature or model.
 *
 * <p>Keys, users, teams and features are read from the request's {@link dev.costwise.core.WorkflowContext} tags
 * ({@value #TAG_KEY}, {@code user}, {@code team}, {@code feature}); the model is the catalog name of the model called.
 *
 * @param kind what the scope selects on
 * @param value the key, user, team, feature or model name; empty for {@link Kind#GLOBAL}
 */
public record BudgetScope(Kind kind, Optional<String> value) {

    /** The context tag that names the (virtual) API key a request came with. */
    public static final String TAG_KEY = "key";

    /** What a scope selects calls by. */
    public enum Kind {
        /** Every call. */
        GLOBAL,
        /** Calls tagged with one API key. */
        KEY,
        /** Calls tagged with one end user. */
        USER,
        /** Calls tagged with one team. */
        TEAM,
        /** Calls tagged with one feature. */
        FEATURE,
        /** Calls to one model. */
        MODEL;

        /** @return the tag (or ledger match key) this kind reads: {@code key}, {@code user}… {@code model} */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public BudgetScope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if (kind == Kind.GLOBAL && value.isPresent()) {
            throw new IllegalArgumentException("a global scope takes no value, was '" + value.get() + "'");
        }
        if (kind != Kind.GLOBAL && value.map(String::isBlank).orElse(true)) {
            throw new IllegalArgumentException("a " + kind.tag() + " scope needs a non-blank value, was "
                    + value.map(v -> "'" + v + "'").orElse("none"));
        }
    }

    /** @return the scope of every call */
    public static BudgetScope global() {
        return new BudgetScope(Kind.GLOBAL, Optional.empty());
    }

    /** @param key the API key's id (never the secret itself); @return the scope of that key's calls */
    public static BudgetScope key(String key) {
        return new BudgetScope(Kind.KEY, Optional.of(key));
    }

    /** @param user the end user; @return the scope of that user's calls */
    public static BudgetScope user(String user) {
        return new BudgetScope(Kind.USER, Optional.of(user));
    }

    /** @param team the team; @return the scope of that team's calls */
    public static BudgetScope team(String team) {
        return new BudgetScope(Kind.TEAM, Optional.of(team));
    }

    /** @param feature the feature; @return the scope of that feature's calls */
    public static BudgetScope feature(String feature) {
        return new BudgetScope(Kind.FEATURE, Optional.of(feature));
    }

    /** @param model the catalog model name; @return the scope of calls to that model */
    public static BudgetScope model(String model) {
        return new BudgetScope(Kind.MODEL, Optional.of(model));
    }

    /**
     * Whether a call falls in this scope.
     *
     * @param model the catalog name of the model called
     * @param tags the request's tags
     * @return {@code true} if the budget counts this call
     */
    public boolean matches(String model, Map<String, String> tags) {
        return switch (kind) {
            case GLOBAL -> true;
            case MODEL -> value.get().equals(model);
            default -> value.get().equals(tags.get(kind.tag()));
        };
    }

    /**
     * @return the {@link dev.costwise.llm.spi.SpendLedger#totalCost} match that selects this scope's records; a model
     *     scope matches {@link dev.costwise.llm.cost.CostRecord#catalogModel()}, the name calls were counted under
     */
    public Map<String, String> ledgerMatch() {
        return kind == Kind.GLOBAL ? Map.of() : Map.of(kind.tag(), value.get());
    }

    @Override
    public String toString() {
        return kind == Kind.GLOBAL ? "global" : kind.tag() + "=" + value.get();
    }
}
