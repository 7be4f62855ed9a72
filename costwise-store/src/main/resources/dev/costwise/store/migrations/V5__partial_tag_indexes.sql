-- Most records carry no user or team tag (a gateway without them, or a key-only caller), yet every row took an entry
-- in both indexes. Indexing only rows that have the tag keeps per-scope budget rebuilds and reports as fast (a query
-- for tag_user = ? implies tag_user IS NOT NULL, so both SQLite and PostgreSQL use the partial index) and saves two
-- B-tree inserts per untagged row.
DROP INDEX IF EXISTS ledger_user_at;
CREATE INDEX IF NOT EXISTS ledger_user_at ON ledger (tag_user, at_ms) WHERE tag_user IS NOT NULL;
DROP INDEX IF EXISTS ledger_team_at;
CREATE INDEX IF NOT EXISTS ledger_team_at ON ledger (tag_team, at_ms) WHERE tag_team IS NOT NULL;
