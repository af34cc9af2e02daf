"""What the web workspace reads from the case store: an agent's queue and the supervisor's board.

Served from the `complaints` projection (and its events), never by querying every workflow. An
agent's own queue is scoped by owner; a team queue (`QueueScope.team`) is the cases owned by the
agent's teams, or by any team for an agent in none (team ids begin `team-`, schemas/routing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import asyncpg

from case_store import kpis
from reports.periods import ZONE


class Waiting(StrEnum):
    """Whose move it is on an open case."""

    ME = "me"  # the owner's
    CUSTOMER = "customer"  # a plan or a result awaits the customer (clock paused or confirming)
    DEPARTMENT = "department"  # a blocking department task is open


@dataclass(frozen=True)
class QueueScope:
    owner: str
    severity: str | None = None
    stage: str | None = None
    waiting: Waiting | None = None
    limit: int = 200
    team: bool = False  # the cases waiting in `teams`' queues, not the owner's own
    teams: tuple[str, ...] = ()  # with `team`, none: every team's


# Whose cases a scope covers: $1 the owner, $7 a team queue, $8 its teams.
_SCOPED = """(CASE WHEN $7::boolean
                   THEN (c.owner = ANY($8::text[])
                         OR (cardinality($8::text[]) = 0 AND c.owner LIKE 'team-%'))
                   ELSE c.owner = $1 END)"""


@dataclass(frozen=True)
class QueueRow:
    complaint_id: str
    subject: str
    severity: str | None
    stage: str
    next_deadline_at: datetime | None
    overdue: bool  # a deadline breached and unmet, or the next one past: listed first
    breached: bool  # ever, even if met late since
    waiting: Waiting
    updated_at: datetime
    owner: str = ""  # the agent, or in a team queue the team


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # matching the filters, before the limit


_WAITING = """
    CASE WHEN c.stage IN ('close', 'follow_up') OR EXISTS (
             SELECT 1 FROM jsonb_array_elements(c.deadlines) d
             WHERE d->>'paused_at' IS NOT NULL AND d->>'met_at' IS NULL
               AND d->>'breached_at' IS NULL) THEN 'customer'
         WHEN EXISTS (
             SELECT 1 FROM jsonb_array_elements(c.tasks) t
             WHERE t->>'done_at' IS NULL AND (t->>'blocking')::boolean) THEN 'department'
         ELSE 'me' END"""

_OPEN = "c.outcome IS NULL AND c.stage <> 'done'"

# Late: a deadline breached and still unmet, or the next one already past.
_LATE = """(EXISTS (SELECT 1 FROM jsonb_array_elements(c.deadlines) d
                WHERE d->>'breached_at' IS NOT NULL AND d->>'met_at' IS NULL)
         OR coalesce(c.next_deadline_at < $5, false))"""

_QUEUE = f"""
    WITH mine AS (
        SELECT c.complaint_id, c.subject, c.severity, c.stage, c.next_deadline_at, c.breached,
               c.updated_at, c.owner, c.received_at, {_WAITING} AS waiting, {_LATE} AS overdue
        FROM complaints c WHERE {_SCOPED} AND {_OPEN})
    SELECT *, count(*) OVER () AS total FROM mine
    WHERE ($2::text IS NULL OR severity = $2) AND ($3::text IS NULL OR stage = $3)
      AND ($4::text IS NULL OR waiting = $4)
    ORDER BY overdue DESC, next_deadline_at NULLS LAST, received_at
    LIMIT $6"""


async def queue(connection: asyncpg.Connection, scope: QueueScope, now: datetime) -> QueuePage:
    """Open cases in scope: late ones first, then by the next deadline."""
    rows = await connection.fetch(
        _QUEUE,
        scope.owner,
        scope.severity,
        scope.stage,
        scope.waiting.value if scope.waiting else None,
        now,
        scope.limit,
        scope.team,
        list(scope.teams),
    )
    found = [
        QueueRow(
            r["complaint_id"],
            r["subject"],
            r["severity"],
            r["stage"],
            r["next_deadline_at"],
            bool(r["overdue"]),
            r["breached"],
            Waiting(r["waiting"]),
            r["updated_at"],
            r["owner"],
        )
        for r in rows
    ]
    return QueuePage(found, rows[0]["total"] if rows else 0)


async def version(connection: asyncpg.Connection, scope: QueueScope) -> str:
    """Changes whenever any case in scope changes (or one comes or goes): the page polls it
    and reloads itself."""
    query = _SCOPED.replace("$7", "$2").replace("$8", "$3")
    row = await connection.fetchrow(
        "SELECT count(*) AS n, coalesce(sum(last_seq), 0) AS s FROM complaints c "
        f"WHERE {query} AND {_OPEN}",
        scope.owner,
        scope.team,
        list(scope.teams),
    )
    return f"{row['n']}-{row['s']}"


@dataclass(frozen=True)
class BoardCase:
    complaint_id: str
    owner: str
    at: datetime | None
    detail: str


@dataclass(frozen=True)
class Board:
    by_severity_stage: dict[tuple[str, str], int]
    breaches_today: list[BoardCase]
    approvals_waiting: list[BoardCase]
    overdue_tasks: list[BoardCase]
    alerts: list[BoardCase]
    stuck: list[BoardCase]
    kpis: list[kpis.Kpi]


STUCK_AFTER = timedelta(days=3)


async def board(connection: asyncpg.Connection, now: datetime) -> Board:
    today = now.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    counts = await connection.fetch(
        f"SELECT coalesce(severity, '-') AS severity, stage, count(*) AS n FROM complaints c "
        f"WHERE {_OPEN} GROUP BY 1, 2"
    )
    breaches = await connection.fetch(
        """SELECT e.complaint_id, c.owner, e.at, e.summary FROM complaint_events e
           JOIN complaints c USING (workflow_id)
           WHERE e.kind = 'deadline_breached' AND e.at >= $1 ORDER BY e.at DESC LIMIT 50""",
        today,
    )
    approvals = await connection.fetch(
        f"""SELECT c.complaint_id, c.owner, a.requested_at AS at, a.summary
            FROM (SELECT workflow_id,
                         max(seq) FILTER (WHERE kind = 'approval_requested') AS requested,
                         max(seq) FILTER (WHERE kind = 'approved') AS approved,
                         max(at) FILTER (WHERE kind = 'approval_requested') AS requested_at,
                         (array_agg(summary ORDER BY seq DESC)
                            FILTER (WHERE kind = 'approval_requested'))[1] AS summary
                  FROM complaint_events WHERE kind IN ('approval_requested', 'approved')
                  GROUP BY workflow_id) a
            JOIN complaints c USING (workflow_id)
            WHERE a.requested > coalesce(a.approved, -1) AND {_OPEN}
            ORDER BY a.requested_at LIMIT 50"""
    )
    tasks = await connection.fetch(
        f"""SELECT c.complaint_id, c.owner, (t->>'due_at')::timestamptz AS at,
                   '#' || (t->>'number') || ' ' || (t->>'department') || ' ' || (t->>'owner') AS summary
            FROM complaints c, jsonb_array_elements(c.tasks) t
            WHERE {_OPEN} AND t->>'done_at' IS NULL AND (t->>'due_at')::timestamptz < $1
            ORDER BY at LIMIT 50""",
        now,
    )
    alerts = await connection.fetch(
        """SELECT kind || ': ' || subject || ' (' || count || ')' AS summary, raised_at AS at,
                  complaint_ids->>0 AS complaint_id
           FROM alerts WHERE raised_at >= $1 ORDER BY raised_at DESC LIMIT 20""",
        now - timedelta(days=7),
    )
    stuck = await connection.fetch(
        f"""SELECT c.complaint_id, c.owner, c.updated_at AS at, c.stage AS summary
            FROM complaints c WHERE {_OPEN} AND c.updated_at < $1
            ORDER BY c.updated_at LIMIT 50""",
        now - STUCK_AFTER,
    )

    def cases(rows: list[asyncpg.Record], owner: bool = True) -> list[BoardCase]:
        return [
            BoardCase(r["complaint_id"] or "-", r["owner"] if owner else "", r["at"], r["summary"])
            for r in rows
        ]

    return Board(
        {(r["severity"], r["stage"]): r["n"] for r in counts},
        cases(breaches),
        cases(approvals),
        cases(tasks),
        cases(alerts, owner=False),
        cases(stuck),
        await kpis.compute(connection, month, now),
    )
