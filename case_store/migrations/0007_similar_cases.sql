-- What classification saw of each complaint: its text, its machine grade and the engines that
-- gave it. People's confirmations and overrides (complaint_events, kind 'reclassified') joined to
-- this are the labelled examples a head is retrained on (case_store/labelled_examples.py).
CREATE TABLE complaint_texts (
    complaint_id   text PRIMARY KEY,
    text           text NOT NULL,
    severity       text NOT NULL,
    category       text NOT NULL,
    rules_version  text NOT NULL,
    encoder        text,
    head           text,
    classified_at  timestamptz NOT NULL
);

-- Similar cases by meaning: the complaint's embedding under pgvector. A server without the
-- extension (or a role not allowed to create it) still migrates; similar-case search then falls
-- back to keyword search (case_store/similar.py says so in the log at start).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS vector;
    ALTER TABLE complaint_texts ADD COLUMN embedding vector(512);
    CREATE INDEX complaint_texts_embedding ON complaint_texts
        USING hnsw (embedding vector_cosine_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pgvector unavailable (%): similar cases by keyword only', SQLERRM;
END
$$;
