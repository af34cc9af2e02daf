-- Cross-department tasks (their cycle times feed the KPI) and links between cases: a re-open of
-- an ended case, a duplicate merged into another.
ALTER TABLE complaints
    ADD COLUMN tasks       jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN linked_to   text,
    ADD COLUMN merged_into text;
