-- Briefs and risk reports as rendered, one row per kind and period (a re-run replaces it).
CREATE TABLE reports (
    key        text PRIMARY KEY,
    kind       text NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    markdown   text NOT NULL,
    html       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
