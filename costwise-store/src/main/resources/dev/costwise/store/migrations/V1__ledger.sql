-- The spend ledger: one row per billed attempt (dev.costwise.llm.cost.CostRecord).
-- ${money} is BIGINT pico-dollars (10^-12 $) on SQLite and NUMERIC(30,12) on PostgreSQL: both hold exactly 12
-- decimals and sum exactly. ${id} is the dialect's auto-increment primary key.
CREATE TABLE IF NOT EXISTS ledger (
    id                  ${id},
    record_id           TEXT      NOT NULL,
    request_id          TEXT      NOT NULL,
    attempt             INTEGER   NOT NULL,
    at_ms               BIGINT    NOT NULL,
    at_iso              TEXT      NOT NULL,
    day                 TEXT      NOT NULL,
    requested_model     TEXT      NOT NULL,
    used_model          TEXT      NOT NULL,
    provider            TEXT      NOT NULL,
    input_tokens        BIGINT    NOT NULL,
    cached_input_tokens BIGINT    NOT NULL,
    cache_write_tokens  BIGINT    NOT NULL,
    output_tokens       BIGINT    NOT NULL,
    reasoning_tokens    BIGINT    NOT NULL,
    estimated           SMALLINT  NOT NULL,
    cost                ${money}  NOT NULL,
    baseline_cost       ${money}  NOT NULL,
    price_status        TEXT      NOT NULL,
    outcome             TEXT      NOT NULL,
    error_kind          TEXT,
    route               TEXT,
    latency_ms          BIGINT    NOT NULL,
    tag_key             TEXT,
    tag_user            TEXT,
    tag_team            TEXT,
    tag_feature         TEXT,
    tags                TEXT      NOT NULL
);

-- A retried batch (commit acknowledged lost) is inserted again with ON CONFLICT (record_id) DO NOTHING.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_record_id ON ledger (record_id);
-- Time-range reports, retention.
CREATE INDEX IF NOT EXISTS ledger_at ON ledger (at_ms);
-- Most expensive requests, a request's attempts.
CREATE INDEX IF NOT EXISTS ledger_request ON ledger (request_id);
-- Budget rebuilds (totalCost) and per-scope reports.
CREATE INDEX IF NOT EXISTS ledger_key_at ON ledger (tag_key, at_ms);
CREATE INDEX IF NOT EXISTS ledger_user_at ON ledger (tag_user, at_ms);
CREATE INDEX IF NOT EXISTS ledger_team_at ON ledger (tag_team, at_ms);
CREATE INDEX IF NOT EXISTS ledger_model_at ON ledger (used_model, at_ms);
