package dev.costwise.store;

/** The SQL that rolls old ledger records into {@code spend_daily}; the same on SQLite and PostgreSQL. */
final class Retention {

    /** Adds the records before a cutoff (parameter 1, epoch millis) to their day's aggregate rows. */
    static final String ROLL_UP = "INSERT INTO spend_daily (day, model, provider, tag_key, tag_user, tag_team,"
            + " records, requests, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,"
            + " reasoning_tokens, cost, baseline_cost, cache_hits, wasted_records, wasted_cost, rejected_records)"
            + " SELECT day, " + LedgerRow.MODEL + ", provider, COALESCE(tag_key, ''), COALESCE(tag_user, ''),"
            + " COALESCE(tag_team, ''), COUNT(*), " + SpendReports.FIRST_ATTEMPTS + ", SUM(input_tokens),"
            + " SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens), SUM(reasoning_tokens),"
            + " SUM(cost), SUM(baseline_cost), SUM(CASE WHEN outcome = 'CACHE_HIT' THEN 1 ELSE 0 END),"
            + " SUM(CASE WHEN outcome IN ('FAILED', 'SUPERSEDED', 'ABORTED') THEN 1 ELSE 0 END),"
            + " SUM(CASE WHEN outcome IN ('FAILED', 'SUPERSEDED', 'ABORTED') THEN cost ELSE 0 END),"
            + " SUM(CASE WHEN outcome = 'REJECTED' THEN 1 ELSE 0 END)"
            + " FROM ledger WHERE at_ms < ?"
            + " GROUP BY day, " + LedgerRow.MODEL + ", provider, COALESCE(tag_key, ''), COALESCE(tag_user, ''),"
            + " COALESCE(tag_team, '')"
            + " ON CONFLICT (day, model, provider, tag_key, tag_user, tag_team) DO UPDATE SET"
            + " records = spend_daily.records + excluded.records,"
            + " requests = spend_daily.requests + excluded.requests,"
            + " input_tokens = spend_daily.input_tokens + excluded.input_tokens,"
            + " cached_input_tokens = spend_daily.cached_input_tokens + excluded.cached_input_tokens,"
            + " cache_write_tokens = spend_daily.cache_write_tokens + excluded.cache_write_tokens,"
            + " output_tokens = spend_daily.output_tokens + excluded.output_tokens,"
            + " reasoning_tokens = spend_daily.reasoning_tokens + excluded.reasoning_tokens,"
            + " cost = spend_daily.cost + excluded.cost,"
            + " baseline_cost = spend_daily.baseline_cost + excluded.baseline_cost,"
            + " cache_hits = spend_daily.cache_hits + excluded.cache_hits,"
            + " wasted_records = spend_daily.wasted_records + excluded.wasted_records,"
            + " wasted_cost = spend_daily.wasted_cost + excluded.wasted_cost,"
            + " rejected_records = spend_daily.rejected_records + excluded.rejected_records";

    private Retention() {
    }
}
