"""People's grades as labelled examples, derived in the store (no workflow change).

Every `confirm_classification` and `override_classification` already reaches the store as a
'reclassified' timeline entry (who, when, what changed); classification stored the complaint's
text, machine grade and engine versions in `complaint_texts`. Joined, they are labelled
examples: text, old grade, new grade, who, engines. `python -m grading.train --from-store` trains
on the latest grade of each complaint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from grading.labelled import Example
from schemas.classification import Category, Severity

# "severity L2 → L1, category price → billing: reason" (workflows/case_file.py writes it)
_CHANGE = re.compile(r"(category|sub-category|severity|risk) (\S+) → (\S+)")


@dataclass(frozen=True)
class LabelledExample:
    complaint_id: str
    text: str
    old_severity: Severity
    old_category: Category
    severity: Severity
    category: Category
    by: str
    at: datetime
    confirmed: bool  # True: the person agreed with the grade; False: they changed it
    rules_version: str
    encoder: str | None
    head: str | None

    @property
    def example(self) -> Example:
        return Example(self.text, self.severity, self.category.current)


def _changes(summary: str) -> dict[str, str] | None:
    """What an override changed, or None when the entry is a confirmation."""
    if summary.startswith("classification confirmed"):
        return None
    head = summary.split(": ", 1)[0]
    return {m[1]: m[3] for part in head.split(", ") if (m := _CHANGE.fullmatch(part))}


async def labelled_examples(connection: asyncpg.Connection) -> list[LabelledExample]:
    rows = await connection.fetch(
        """SELECT t.complaint_id, t.text, t.severity, t.category, t.rules_version, t.encoder,
                  t.head, e.actor, e.at, e.summary
           FROM complaint_events e JOIN complaint_texts t USING (complaint_id)
           WHERE e.kind = 'reclassified'
           ORDER BY t.complaint_id, e.at, e.seq"""
    )
    found = []
    grades: dict[str, tuple[Severity, Category]] = {}
    for r in rows:
        old = grades.get(r["complaint_id"], (Severity(r["severity"]), Category(r["category"])))
        changes = _changes(r["summary"])
        new = old
        if changes is not None:
            new = (
                Severity(changes.get("severity", old[0].value)),
                Category(changes.get("category", old[1].value)),
            )
        grades[r["complaint_id"]] = new
        found.append(
            LabelledExample(
                r["complaint_id"],
                r["text"],
                old[0],
                old[1],
                new[0],
                new[1],
                r["actor"],
                r["at"],
                changes is None,
                r["rules_version"],
                r["encoder"],
                r["head"],
            )
        )
    return found


def latest(examples: list[LabelledExample]) -> list[Example]:
    """One example per complaint: the last grade a person gave it."""
    last = {e.complaint_id: e for e in examples}
    return [last[k].example for k in sorted(last)]


async def from_store(url: str) -> list[Example]:
    from case_store.db import open_pool

    pool = await open_pool(url, max_size=1)
    try:
        async with pool.acquire() as connection:
            return latest(await labelled_examples(connection))
    finally:
        await pool.close()
