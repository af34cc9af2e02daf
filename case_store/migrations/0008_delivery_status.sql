-- Delivery status per message: the activity that hands a message to a gateway records here, by
-- notification key, what became of it (queued → sending → sent | failed; held: no gateway could
-- reach the person), through which gateway, under which id, after how many sends.
ALTER TABLE notification_outbox
    ADD COLUMN status     text NOT NULL DEFAULT 'queued'
                          CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'held')),
    ADD COLUMN gateway    text,
    ADD COLUMN gateway_id text,
    ADD COLUMN attempts   int NOT NULL DEFAULT 0,
    ADD COLUMN last_error text,
    -- when the message was due: scheduled by the case, or the end of the quiet hours
    ADD COLUMN due_at     timestamptz;
CREATE INDEX notification_outbox_by_complaint ON notification_outbox (complaint_id, created_at);
