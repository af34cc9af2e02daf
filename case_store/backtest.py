"""The cases of a period as the SLA back-test replays them: each case's recorded events with
their facts, and what its deadlines actually did (`workflows.backtest.RecordedCase`)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from schemas.case import Deadline, EntryKind, Stage, TimelineEntry
from schemas.classification import Severity
from workflows.backtest import HOLDING, REPLAYED, RecordedCase, team_of

_CASES = """
    SELECT complaint_id, workflow_id, received_at, severity, deadlines
    FROM complaints WHERE received_at >= $1 AND received_at < $2
    ORDER BY received_at, complaint_id"""
# A person's words are never read: the replay needs what happened, not what was said.
_EVENTS = """
    SELECT e.workflow_id, e.seq, e.at, e.kind, e.actor, e.facts - 'text' AS facts
    FROM complaints c JOIN complaint_events e ON e.workflow_id = c.workflow_id
    WHERE c.received_at >= $1 AND c.received_at < $2 AND e.kind = ANY($3::text[])
      -- of the deadlines set, only the two the replay takes as events; of the escalations, a
      -- person's (a breach's own comes out of the replay again)
      AND (e.kind <> 'deadline_set' OR e.facts IS NULL
           OR e.facts->>'deadline' IN ('acknowledge', 'triage'))
      AND (e.kind <> 'escalated' OR e.facts IS NULL
           OR e.facts->>'variant' IS NULL OR e.facts->>'variant' NOT IN ('breach', 'management'))
    ORDER BY e.workflow_id, e.seq"""
_READ = sorted(k.value for k in REPLAYED | HOLDING)


async def recorded_cases(
    connection: asyncpg.Connection, start: datetime, end: datetime
) -> tuple[list[RecordedCase], list[str]]:
    """The cases received in [start, end), and the ids of those the store cannot replay: no
    events, or events stored before their facts were (migration 0015)."""
    rows = await connection.fetch(_CASES, start, end)
    events: dict[str, list[TimelineEntry]] = {}
    unreadable: set[str] = set()
    for e in await connection.fetch(_EVENTS, start, end, _READ):
        if e["facts"] is None:
            unreadable.add(e["workflow_id"])
            continue
        events.setdefault(e["workflow_id"], []).append(
            TimelineEntry.model_construct(
                seq=e["seq"],
                at=e["at"],
                stage=Stage.RECEIVE,  # not read by the replay
                kind=EntryKind(e["kind"]),
                actor=e["actor"],
                summary="",
                public=False,
                facts=e["facts"],
            )
        )
    cases: list[RecordedCase] = []
    without: list[str] = []
    for row in rows:
        entries = events.get(row["workflow_id"])
        if not entries or row["workflow_id"] in unreadable:
            without.append(row["complaint_id"])
            continue
        cases.append(
            RecordedCase(
                complaint_id=row["complaint_id"],
                received_at=row["received_at"],
                severity=Severity(row["severity"]) if row["severity"] else None,
                team=team_of((e.kind, e.facts) for e in entries),
                entries=entries,
                deadlines=[Deadline.model_validate(d) for d in row["deadlines"]],
            )
        )
    return cases, without
