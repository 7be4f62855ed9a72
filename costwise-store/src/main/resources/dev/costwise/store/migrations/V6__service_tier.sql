-- OpenAI bills the same tokens at other prices on its flex and priority tiers: keep the tier an answer ran on, so a
-- record read back prices the same as when it was written and spend can be reported by tier. NULL is the standard tier.
ALTER TABLE ledger ADD COLUMN service_tier VARCHAR(16);
