package dev.costwise.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code match} of {@link JdbcSpendLedger#totalCost}: tag and model equalities turned into SQL conditions over
 * the ledger and over the daily aggregates.
 */
final class MatchFilter {

    /** Match key to (ledger column, daily aggregate column or null). */
    private static final Map<String, String[]> COLUMNS = Map.of(
            "key", new String[] {"tag_key", "tag_key"},
            "user", new String[] {"tag_user", "tag_user"},
            "team", new String[] {"tag_team", "tag_team"},
            "feature", new String[] {"tag_feature", null},
            "model", new String[] {LedgerRow.MODEL, "model"},
            "provider", new String[] {"provider", "provider"});

    private final List<String[]> columns = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    /**
     * @throws IllegalArgumentException if a key is not one of key, user, team, feature, model, provider
     */
    MatchFilter(Map<String, String> match) {
        Objects.requireNonNull(match, "match");
        new TreeMap<>(match).forEach((key, value) -> {
            String[] column = COLUMNS.get(key);
            if (column == null) {
                throw new IllegalArgumentException("cannot match on '" + key + "': the ledger matches on "
                        + new TreeMap<>(COLUMNS).keySet());
            }
            columns.add(column);
            values.add(Objects.requireNonNull(value, () -> "match value for '" + key + "'"));
        });
    }

    /** @return {@code true} if the daily aggregates keep every matched column */
    boolean coversDaily() {
        return columns.stream().allMatch(c -> c[1] != null);
    }

    /** @return {@code " AND col = ?"} for each entry, over the ledger or the daily aggregates */
    String conditions(boolean daily) {
        StringBuilder sql = new StringBuilder();
        for (String[] column : columns) {
            sql.append(" AND ").append(daily ? column[1] : column[0]).append(" = ?");
        }
        return sql.toString();
    }

    /** Binds the values from parameter {@code index} on; returns the next free index. */
    int bind(PreparedStatement statement, int index) throws SQLException {
        for (String value : values) {
            statement.setString(index++, value);
        }
        return index;
    }
}
