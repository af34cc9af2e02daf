-- Quiet hours: a non-urgent message waits until then; a relay sends rows whose time has come.
ALTER TABLE notification_outbox ADD COLUMN not_before timestamptz;
