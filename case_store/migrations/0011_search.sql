-- Search over cases (case_store/search.py). A case's words are kept in parts, one row a part:
-- 'case' (its id, subject, product and description) and 'message:<seq>' (each message of the
-- customer's or ours), lower-cased. A message's text never changes, so a retried or late
-- projection write finds its rows there and adds nothing.
--
-- A word of three characters or more is found through the trigram index on `words`. A word of
-- two characters has no trigram (漏水, the commonest Chinese search): `grams` holds every
-- two-character piece of the part's words (case_store.search.grams) under an index of its own.
-- Either way LIKE confirms the match.
CREATE TABLE case_words (
    complaint_id  text NOT NULL,
    part          text NOT NULL,
    words         text NOT NULL,
    grams         text[] NOT NULL,
    PRIMARY KEY (complaint_id, part)
);
CREATE INDEX case_words_trigrams ON case_words USING gin (words gin_trgm_ops);
CREATE INDEX case_words_grams ON case_words USING gin (grams);

-- Who complained, per case, for staff to find a case by a contact and for a supervisor's export:
-- `contacts` holds each contact normalised (case_store.search.contact_key) for an exact match.
CREATE TABLE case_customers (
    complaint_id  text PRIMARY KEY,
    customer_id   text,
    name          text,
    phone         text,
    email         text,
    wechat        text,
    contacts      text[] NOT NULL
);
CREATE INDEX case_customers_contacts ON case_customers USING gin (contacts);

-- Newest first, and by owner (mine / team views).
CREATE INDEX complaints_newest ON complaints (received_at DESC, complaint_id DESC);
CREATE INDEX complaints_by_owner ON complaints (owner, received_at DESC);

-- A person's named sets of filters. Never a contact: a view is a standing list, and a contact
-- is personal data a look-up uses once.
CREATE TABLE saved_views (
    view_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner       text NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    filters     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner, name)
);

-- How far into a case's timeline a person has read: the last entry the case page showed them.
-- A queue row is marked when the case has activity of others after it.
CREATE TABLE case_reads (
    complaint_id  text NOT NULL,
    reader        text NOT NULL,
    read_seq      int NOT NULL,
    read_at       timestamptz NOT NULL,
    PRIMARY KEY (complaint_id, reader)
);
-- Activity for a marker, found by case after a position.
CREATE INDEX complaint_events_activity ON complaint_events (workflow_id, seq)
    WHERE kind IN ('customer_message', 'survey_answered', 'reopened', 'approved', 'task_done',
                   'task_overdue', 'merged_in', 'reassigned', 'deadline_warning',
                   'deadline_breached');
