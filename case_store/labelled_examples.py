"""People's grades as labelled examples, read from the store's `labelled_examples` view
(migration 0013; no workflow change).

Every `confirm_classification` and `override_classification` already reaches the store as a
'reclassified' timeline entry (who, when, what changed); classification stored the complaint's
text, machine grade and engine versions in `complaint_texts`. The view joins them: text, what
the person set, who, when, the engines that graded. Here a complaint's corrections are followed in
order, so each example also says the grade before it; training (`grading.train`, the scheduled
candidate run) uses the latest grade of each complaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from grading.labelled import Example
from schemas.classification import Category, Severity


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


async def labelled_examples(connection: asyncpg.Connection) -> list[LabelledExample]:
    rows = await connection.fetch(
        """SELECT complaint_id, text, machine_severity, machine_category, rules_version, encoder,
                  head, by, at, confirmed, severity_to, category_to
           FROM labelled_examples ORDER BY complaint_id, at, seq"""
    )
    found = []
    grades: dict[str, tuple[Severity, Category]] = {}
    for r in rows:
        machine = (Severity(r["machine_severity"]), Category(r["machine_category"]))
        old = grades.get(r["complaint_id"], machine)
        new = (
            Severity(r["severity_to"] or old[0].value),
            Category(r["category_to"] or old[1].value),
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
                r["by"],
                r["at"],
                r["confirmed"],
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
