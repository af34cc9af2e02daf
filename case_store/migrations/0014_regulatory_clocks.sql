-- Regulators' clocks (workflows/regulatory_clock.py): each case's regulatory deadlines and the
-- reporting bucket each regime's rule puts its first result in, for the regulators' reports
-- (case_store/kpis.py, regulatory_buckets).
ALTER TABLE complaints
    ADD COLUMN regulatory_deadlines jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN regulatory_buckets jsonb NOT NULL DEFAULT '{}'::jsonb;
