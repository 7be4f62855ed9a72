-- Budgets, reports and metrics count a call under the catalog name of the model called (gpt-4o), while the provider
-- may answer under a dated snapshot (gpt-4o-2024-08-06) or an upstream id (claude-haiku-4-5-20251001), which is what
-- used_model keeps. Keep the catalog name apart, so a model-scoped budget rebuilt from the ledger finds its spend and
-- spend by model is not split in two. NULL means the same as used_model: a gateway's rows (it names the model called),
-- and every row written before the column existed.
ALTER TABLE ledger ADD COLUMN catalog_model TEXT;
-- Budget rebuilds (totalCost on a model) and reports by model read COALESCE(catalog_model, used_model); spend_daily's
-- model column holds that too for days rolled up from now on.
DROP INDEX IF EXISTS ledger_model_at;
CREATE INDEX IF NOT EXISTS ledger_catalog_model_at ON ledger ((COALESCE(catalog_model, used_model)), at_ms);
