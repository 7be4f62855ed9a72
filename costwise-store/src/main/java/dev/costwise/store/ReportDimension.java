package dev.costwise.store;

/**
 * What a spend report groups by. Every dimension but {@link #FEATURE} also covers days that retention has rolled into
 * daily aggregates.
 */
public enum ReportDimension {
    /** The UTC day, {@code yyyy-MM-dd}. */
    DAY("day", "day"),
    /**
     * The model called, by its catalog name ({@link dev.costwise.llm.cost.CostRecord#catalogModel()}): a provider's
     * dated snapshot or upstream id counts under the catalog name it was called by.
     */
    MODEL(LedgerRow.MODEL, "model"),
    /** The provider of the model called. */
    PROVIDER("provider", "provider"),
    /** The caller's {@code key} tag (a virtual key's name). */
    KEY("COALESCE(tag_key, '')", "tag_key"),
    /** The caller's {@code user} tag. */
    USER("COALESCE(tag_user, '')", "tag_user"),
    /** The caller's {@code team} tag. */
    TEAM("COALESCE(tag_team, '')", "tag_team"),
    /** The caller's {@code feature} tag; retained records only (daily aggregates do not keep it). */
    FEATURE("COALESCE(tag_feature, '')", null),
    /**
     * The provider's service tier the answer ran on ({@code default}, {@code flex}, {@code priority}); retained
     * records only (daily aggregates do not keep it).
     */
    SERVICE_TIER("COALESCE(service_tier, 'default')", null);

    private final String ledgerExpression;
    private final String dailyColumn;

    ReportDimension(String ledgerExpression, String dailyColumn) {
        this.ledgerExpression = ledgerExpression;
        this.dailyColumn = dailyColumn;
    }

    String ledgerExpression() {
        return ledgerExpression;
    }

    /** @return the daily aggregate's column, or {@code null} when aggregates do not keep this dimension */
    String dailyColumn() {
        return dailyColumn;
    }
}
