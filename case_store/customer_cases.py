"""A customer's other cases, for the case page: each with its stage and outcome, and whether it
is a repeat of this one (same product or category within the repeat window, R-CL-4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from case_store.investigation import REPEAT_WINDOW

SHOWN = 20


@dataclass(frozen=True)
class OtherCase:
    complaint_id: str
    subject: str
    product: str | None
    category: str | None
    stage: str
    outcome: str | None
    received_at: datetime
    repeat: bool


async def other_cases(
    connection: asyncpg.Connection,
    customer_id: str | None,
    complaint_id: str,
    product: str | None,
    category: str | None,
    at: datetime,
) -> list[OtherCase]:
    """The customer's other cases, newest first: by their account id, or by any contact they
    share with this case (a phone however it was typed, an e-mail; `search.contact_keys`). An
    anonymous customer with no contact has none we can know of."""
    rows = await connection.fetch(
        """WITH mine AS (SELECT contacts FROM case_customers WHERE complaint_id = $2),
                theirs AS (
                    SELECT complaint_id FROM complaints WHERE $1::text IS NOT NULL AND customer_id = $1
                    UNION
                    SELECT k.complaint_id FROM case_customers k, mine
                    WHERE k.contacts && mine.contacts)
           SELECT complaint_id, subject, product, category, stage, outcome, received_at,
                  abs(extract(epoch FROM received_at - $5)) <= $6
                  AND ((product IS NOT NULL AND product = $3)
                       OR (category IS NOT NULL AND category = $4)) AS repeat
           FROM complaints WHERE complaint_id IN (SELECT complaint_id FROM theirs)
                AND complaint_id <> $2
           ORDER BY received_at DESC LIMIT $7""",
        customer_id,
        complaint_id,
        product,
        category,
        at,
        REPEAT_WINDOW.total_seconds(),
        SHOWN,
    )
    return [
        OtherCase(
            r["complaint_id"],
            r["subject"],
            r["product"],
            r["category"],
            r["stage"],
            r["outcome"],
            r["received_at"],
            bool(r["repeat"]),
        )
        for r in rows
    ]
