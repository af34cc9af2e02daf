-- Alerts across complaints, each recorded once per key; `notified_at` once it went out.
CREATE TABLE alerts (
    key           text PRIMARY KEY,
    kind          text NOT NULL,
    subject       text NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    count         int NOT NULL,
    previous      int,
    complaint_ids jsonb NOT NULL,
    raised_at     timestamptz NOT NULL
);
CREATE INDEX alerts_by_subject ON alerts (kind, subject, window_end DESC);
