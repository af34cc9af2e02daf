-- The case store. Rows written by the workflow's activities carry the key that makes a retried
-- write a no-op: (workflow_id, seq) for timeline events, complaint_id + last_seq for the
-- projection, notification key for the outbox.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Customers as the CRM knows them; a complaint adds one only if it is not known yet.
CREATE TABLE customers (
    customer_id  text PRIMARY KEY,
    name         text,
    tier         text NOT NULL DEFAULT 'regular'
                 CHECK (tier IN ('regular', 'long_term', 'vip', 'influential')),
    contact      jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    order_id     text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customers,
    product      text NOT NULL,
    amount_yuan  numeric(12, 2) NOT NULL,
    status       text NOT NULL,
    ordered_at   timestamptz NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, ordered_at DESC);

CREATE TABLE service_records (
    record_id    text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customers,
    kind         text NOT NULL,
    summary      text NOT NULL,
    at           timestamptz NOT NULL
);
CREATE INDEX service_records_by_customer ON service_records (customer_id, at DESC);

-- The current projection of each case, as its workflow last reported it.
CREATE TABLE complaints (
    complaint_id        text PRIMARY KEY,
    workflow_id         text NOT NULL UNIQUE,
    customer_id         text,
    channel             text NOT NULL,
    product             text,
    subject             text NOT NULL,
    category            text,
    severity            text,
    risk                text,
    stage               text NOT NULL,
    outcome             text,
    closed_by           text,
    owner               text NOT NULL,
    escalation_level    text NOT NULL,
    reopen_count        int NOT NULL,
    received_at         timestamptz NOT NULL,
    result_delivered_at timestamptz,
    closed_at           timestamptz,
    next_deadline_at    timestamptz,
    breached            boolean NOT NULL,
    deadlines           jsonb NOT NULL,
    policy_version      text,
    last_seq            int NOT NULL,
    updated_at          timestamptz NOT NULL
);
-- Repeat complaints (same customer, same product, recent) and concentration (same product, recent).
CREATE INDEX complaints_by_customer_product ON complaints (customer_id, product, received_at DESC);
CREATE INDEX complaints_by_product ON complaints (product, received_at DESC);
CREATE INDEX complaints_by_category ON complaints (category, received_at DESC);
CREATE INDEX complaints_open_by_stage ON complaints (stage) WHERE outcome IS NULL;

-- Append-only timeline: one row per event, whatever the retries.
CREATE TABLE complaint_events (
    workflow_id  text NOT NULL,
    seq          int NOT NULL,
    complaint_id text NOT NULL,
    at           timestamptz NOT NULL,
    stage        text NOT NULL,
    kind         text NOT NULL,
    actor        text NOT NULL,
    summary      text NOT NULL,
    public       boolean NOT NULL,
    PRIMARY KEY (workflow_id, seq)
);
CREATE INDEX complaint_events_by_kind ON complaint_events (kind, at);

CREATE TABLE survey_answers (
    complaint_id text NOT NULL,
    round        int NOT NULL,
    result       int NOT NULL CHECK (result BETWEEN 1 AND 5),
    attitude     int NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    timeliness   int NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    suggestions  text,
    answered_at  timestamptz NOT NULL,
    PRIMARY KEY (complaint_id, round)
);

-- Every message for a person, written once per key; a gateway relay delivers and marks them.
CREATE TABLE notification_outbox (
    key          text PRIMARY KEY,
    complaint_id text NOT NULL,
    audience     text NOT NULL,
    recipient    text,
    topic        text NOT NULL,
    channel      text,
    language     text NOT NULL,
    body         text NOT NULL,
    urgent       boolean NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX notification_outbox_undelivered ON notification_outbox (created_at)
    WHERE delivered_at IS NULL;

-- Closed cases worth learning from, searchable by keyword (Chinese or English), category, risk.
CREATE TABLE case_library (
    complaint_id text PRIMARY KEY,
    subject      text NOT NULL,
    summary      text NOT NULL,
    category     text,
    severity     text,
    risk         text,
    resolution   text,
    outcome      text NOT NULL,
    archived_at  timestamptz NOT NULL,
    search_text  text NOT NULL
);
CREATE INDEX case_library_search ON case_library USING gin (search_text gin_trgm_ops);
CREATE INDEX case_library_facets ON case_library (category, risk);
