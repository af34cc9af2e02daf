-- Reviews after major events (R-CO-3): one per high-risk case and handling round.
CREATE TABLE reviews (
    complaint_id  text NOT NULL,
    round         int NOT NULL,
    opened_at     timestamptz NOT NULL,
    due_at        timestamptz NOT NULL,
    escalated_at  timestamptz,
    done_at       timestamptz,
    done_by       text,
    findings      text,
    measures      text,
    PRIMARY KEY (complaint_id, round)
);
