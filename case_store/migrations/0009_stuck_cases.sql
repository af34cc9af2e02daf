-- Stuck cases (the watchdog) are alerts of kind 'stuck', one per episode; `cleared_at` records
-- when the condition an alert reports ended (the case moved again, or was repaired).
ALTER TABLE alerts ADD COLUMN cleared_at timestamptz;
CREATE INDEX alerts_still_open ON alerts (kind) WHERE cleared_at IS NULL;
