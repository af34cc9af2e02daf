"""The board's panel of emergencies: open cases graded L1 or of high risk, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

SHOWN = 50


@dataclass(frozen=True)
class Emergency:
    complaint_id: str
    subject: str
    severity: str | None
    risk: str | None
    stage: str
    owner: str
    received_at: datetime
    next_deadline_at: datetime | None


async def emergencies(connection: asyncpg.Connection) -> list[Emergency]:
    rows = await connection.fetch(
        """SELECT complaint_id, subject, severity, risk, stage, owner, received_at,
                  next_deadline_at
           FROM complaints
           WHERE outcome IS NULL AND stage <> 'done' AND (severity = 'L1' OR risk = 'high')
           ORDER BY severity = 'L1' DESC, next_deadline_at NULLS LAST, received_at
           LIMIT $1""",
        SHOWN,
    )
    return [Emergency(**dict(r)) for r in rows]
