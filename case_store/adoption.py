"""The open cases a supervisor adopts a new SLA policy on (the board's adoption page)."""

from __future__ import annotations

import asyncpg


async def open_cases(connection: asyncpg.Connection, severity: str | None, limit: int) -> list[str]:
    """Ids of the cases still open (of `severity` if given), oldest first: those the policy
    would move. The store's projection may lag a case by a moment; each case answers its own
    dry run, and refuses if it has ended since."""
    rows = await connection.fetch(
        """SELECT complaint_id FROM complaints
           WHERE stage <> 'done' AND outcome IS NULL AND ($1::text IS NULL OR severity = $1)
           ORDER BY received_at, complaint_id LIMIT $2""",
        severity,
        limit,
    )
    return [row["complaint_id"] for row in rows]
