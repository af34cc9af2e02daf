-- The grader learns with a person's approval (issue 26, docs/grading.md "Learning with approval").

-- People's grades as labelled examples: each confirmation or override (complaint_events, kind
-- 'reclassified') with who, when, the text and the engines that gave the machine grade. What an
-- override set is read from the entry's summary ("severity L2 → L3, category … : reason",
-- workflows/intake.py writes it); NULL: left as it was. case_store/labelled_examples.py follows a
-- complaint's corrections in order to the grade a person last gave it.
CREATE VIEW labelled_examples AS
SELECT e.complaint_id,
       e.at,
       e.seq,
       e.actor AS by,
       t.text,
       t.severity AS machine_severity,
       t.category AS machine_category,
       t.rules_version,
       t.encoder,
       t.head,
       e.summary LIKE 'classification confirmed%' AS confirmed,
       substring(split_part(e.summary, ': ', 1) from '(?:^|, )severity \S+ → (\S+)') AS severity_to,
       substring(split_part(e.summary, ': ', 1) from '(?:^|, )category \S+ → (\S+)') AS category_to
FROM complaint_events e JOIN complaint_texts t USING (complaint_id)
WHERE e.kind = 'reclassified';

-- Trained heads as data, so every worker and web server reads the same one: the candidates a
-- scheduled run proposed, with their report, and what a supervisor decided. The repository's
-- head (grading/heads/, named by the policy) is the default while none is adopted.
CREATE TABLE grading_heads (
    version      text PRIMARY KEY,       -- head-<hash of its content>, as in grading/heads/
    encoder      text NOT NULL,
    body         text NOT NULL,          -- the head's JSON, byte for byte a grading/heads/ file
    status       text NOT NULL CHECK (status IN ('candidate', 'adopted', 'rejected', 'superseded')),
    fingerprint  text UNIQUE,            -- of what it was trained on: a retry trains nothing new
    based_on     text NOT NULL,          -- the head in use when it was proposed
    report       jsonb,
    proposed_at  timestamptz NOT NULL,
    decided_by   text,
    decided_at   timestamptz
);

-- Every adoption and rollback, in order (case_store/grading_heads.py replays them): the head in
-- use is the last one adopted and not rolled back; a NULL version is the policy's own head
-- (policies/grading.json `model.head`), in use while nothing else is.
CREATE TABLE grading_adoptions (
    seq          bigserial PRIMARY KEY,
    version      text REFERENCES grading_heads,
    previous     text REFERENCES grading_heads,
    rollback     boolean NOT NULL,
    by           text NOT NULL,
    at           timestamptz NOT NULL
);
