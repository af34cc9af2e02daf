"""What a brief says about a period, read from the case store (no rendering here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from case_store import kpis
from case_store.kpis import Kpi
from reports.periods import ZONE

PERIOD = "received_at >= $1 AND received_at < $2"


@dataclass(frozen=True)
class TypicalCase:
    complaint_id: str
    subject: str
    severity: str
    risk: str
    stage: str


@dataclass(frozen=True)
class Brief:
    title: str
    start: datetime
    end: datetime
    total: int
    previous_total: int  # the period of the same length just before
    per_day: list[tuple[date, int]]
    severity: list[tuple[str, int]]
    risk: list[tuple[str, int]]
    categories: list[tuple[str, int]]  # most complained-about first
    breached: int
    typical: list[TypicalCase]
    kpis: list[Kpi] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=list)  # (case, measures) from reviews

    @property
    def change(self) -> float | None:
        """Relative change of the total against the previous period (None: nothing before)."""
        return (
            (self.total - self.previous_total) / self.previous_total
            if self.previous_total
            else None
        )


async def gather(
    connection: asyncpg.Connection, title: str, start: datetime, end: datetime
) -> Brief:
    previous = await connection.fetchval(
        f"SELECT count(*) FROM complaints WHERE {PERIOD}", start - (end - start), start
    )
    total = await connection.fetchval(f"SELECT count(*) FROM complaints WHERE {PERIOD}", start, end)
    per_day = await connection.fetch(
        f"""SELECT (received_at AT TIME ZONE $3)::date AS day, count(*)
            FROM complaints WHERE {PERIOD} GROUP BY day ORDER BY day""",
        start,
        end,
        ZONE.key,
    )

    async def grouped(column: str, limit: int = 10) -> list[tuple[str, int]]:
        rows = await connection.fetch(
            f"""SELECT coalesce({column}, 'unknown') AS k, count(*) AS n FROM complaints
                WHERE {PERIOD} GROUP BY k ORDER BY n DESC, k LIMIT {limit}""",
            start,
            end,
        )
        return [(r["k"], r["n"]) for r in rows]

    typical = await connection.fetch(
        f"""SELECT complaint_id, subject, coalesce(severity, '-') AS severity,
                   coalesce(risk, '-') AS risk, stage
            FROM complaints WHERE {PERIOD}
            ORDER BY (risk = 'high') DESC NULLS LAST, severity NULLS LAST, breached DESC,
                     received_at
            LIMIT 3""",
        start,
        end,
    )
    return Brief(
        title=title,
        start=start,
        end=end,
        total=total,
        previous_total=previous,
        per_day=[(r["day"], r["count"]) for r in per_day],
        severity=sorted(await grouped("severity")),
        risk=await grouped("risk"),
        categories=await grouped("category", limit=5),
        breached=await connection.fetchval(
            f"SELECT count(*) FROM complaints WHERE {PERIOD} AND breached", start, end
        ),
        typical=[TypicalCase(**dict(r)) for r in typical],
        kpis=await kpis.compute(connection, start, end),
        measures=[
            (r["complaint_id"], r["measures"])
            for r in await connection.fetch(
                """SELECT complaint_id, measures FROM reviews
               WHERE done_at >= $1 AND done_at < $2 AND measures IS NOT NULL
               ORDER BY done_at""",
                start,
                end,
            )
        ],
    )
