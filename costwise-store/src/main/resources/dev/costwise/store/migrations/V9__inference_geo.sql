-- Anthropic bills a call that ran in a geography apart at a multiple of its prices (US-only inference, usage
-- inference_geo "us", at 1.1x on Claude Opus 4.6, Sonnet 4.6 and later): keep where a call ran, so a record read back
-- prices the same as when it was written. NULL when the provider named none, as for every row written before.
ALTER TABLE ledger ADD COLUMN inference_geo VARCHAR(32);
