-- Reports count as attempts only the calls made to providers: a day rolled into spend_daily must know how many of its
-- records were refusals (cache hits are already counted). Days rolled up before this migration count their refusals
-- as attempts.
ALTER TABLE spend_daily ADD COLUMN rejected_records BIGINT NOT NULL DEFAULT 0;
