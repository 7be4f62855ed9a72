-- Anthropic bills 1-hour prompt-cache writes at 2x input, 5-minute ones at 1.25x: keep the 1-hour part of
-- cache_write_tokens apart so a record read back prices the same as when it was written.
ALTER TABLE ledger ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0;
