-- Request ids are random (ours and most clients'), so this index took a random B-tree insert per row: it tripled
-- the SQLite writer's cost per row (30k -> 95k rows/s without it) and no query needs it (the one grouping by
-- request_id filters on at_ms first, which ledger_at serves).
DROP INDEX IF EXISTS ledger_request;
