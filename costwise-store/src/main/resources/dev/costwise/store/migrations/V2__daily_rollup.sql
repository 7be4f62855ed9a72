-- Daily aggregates of records older than the retention period (JdbcSpendLedger.applyRetention).
-- Absent tags are stored as '' (not NULL) so the primary key can merge late records into an existing day.
CREATE TABLE IF NOT EXISTS spend_daily (
    day                 TEXT      NOT NULL,
    model               TEXT      NOT NULL,
    provider            TEXT      NOT NULL,
    tag_key             TEXT      NOT NULL,
    tag_user            TEXT      NOT NULL,
    tag_team            TEXT      NOT NULL,
    records             BIGINT    NOT NULL,
    requests            BIGINT    NOT NULL,
    input_tokens        BIGINT    NOT NULL,
    cached_input_tokens BIGINT    NOT NULL,
    cache_write_tokens  BIGINT    NOT NULL,
    output_tokens       BIGINT    NOT NULL,
    reasoning_tokens    BIGINT    NOT NULL,
    cost                ${money}  NOT NULL,
    baseline_cost       ${money}  NOT NULL,
    cache_hits          BIGINT    NOT NULL,
    wasted_records      BIGINT    NOT NULL,
    wasted_cost         ${money}  NOT NULL,
    PRIMARY KEY (day, model, provider, tag_key, tag_user, tag_team)
);
