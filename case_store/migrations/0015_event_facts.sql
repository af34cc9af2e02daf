-- Each timeline event's structured facts (TimelineEntry.facts), so that the SLA back-test can
-- replay a case from the store: its severity when graded, the deadline a setting names, the
-- stage a change leads to. Events stored before this have none (NULL): the back-test lists
-- such cases as without a timeline (docs/sla-backtest.md).
ALTER TABLE complaint_events ADD COLUMN facts jsonb;
