"""A month of cases with hand-computed KPIs: what the store holds, loaded straight into it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from case_store.db import Pool

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


def day(n: int, month: int = 11) -> datetime:
    return datetime(2026, month, n, 9, tzinfo=UTC)


def deadline(kind: str, met: bool = False, breached: bool = False, at: int = 1) -> dict[str, Any]:
    due = day(at) + timedelta(hours=24)
    return {
        "kind": kind,
        "round": 0,
        "severity": "L2",
        "started_at": day(at).isoformat(),
        "due_at": due.isoformat(),
        "met_at": (due + timedelta(hours=2 if breached else -2)).isoformat() if met else None,
        "breached_at": due.isoformat() if breached else None,
    }


def task(hours: float | None) -> dict[str, Any]:
    done = (day(15) + timedelta(hours=hours)).isoformat() if hours is not None else None
    return {
        "number": 1,
        "department": "logistics",
        "owner": "o",
        "title": "t",
        "opened_by": "a",
        "opened_at": day(15).isoformat(),
        "due_at": day(16).isoformat(),
        "blocking": True,
        "done_at": done,
    }


CASES: list[dict[str, Any]] = [
    dict(id="C0", customer="U1", product="P1", at=day(20, 10)),  # October: only for repeats
    dict(
        id="C1",
        customer="U1",
        product="P1",
        at=day(2),
        outcome="closed_confirmed",
        closed_by="customer",
        delivered=True,
        surveyed=True,
        answers=[5],
        deadlines=[deadline("respond", met=True), deadline("resolve", met=True)],
    ),
    dict(
        id="C2",
        customer="U2",
        product="P1",
        at=day(3),
        outcome="closed_no_response",
        closed_by="silence",
        delivered=True,
        surveyed=True,
        level="supervisor",
        deadlines=[deadline("respond", met=True, breached=True), deadline("resolve", met=True)],
    ),
    dict(
        id="C3",
        customer="U3",
        product="P2",
        at=day(5),
        outcome="closed_confirmed",
        closed_by="customer",
        delivered=True,
        surveyed=True,
        answers=[2, 4],
        reopens=1,
        deadlines=[deadline("respond", met=True), deadline("resolve", breached=True)],
    ),
    dict(
        id="C4",
        customer="U2",
        product="P1",
        at=day(8),
        deadlines=[deadline("respond", met=True), deadline("resolve")],
    ),
    dict(id="C5", customer="U4", product="P3", at=day(10), deadlines=[deadline("respond")]),
    dict(
        id="C6",
        customer="U5",
        product="P3",
        at=day(12),
        outcome="merged",
        deadlines=[deadline("respond", met=True)],
    ),
    dict(
        id="C7",
        customer="U6",
        product="P4",
        at=day(15),
        outcome="closed_confirmed",
        closed_by="supervisor",
        delivered=True,
        tasks=[task(3), task(5), task(None)],
        deadlines=[deadline("respond", met=True), deadline("resolve", met=True)],
    ),
    dict(
        id="C8",
        customer=None,
        product="P5",
        at=day(20),
        deadlines=[deadline("respond", breached=True)],
    ),
    dict(id="C9", customer="U1", product="P1", at=day(2, 12)),  # December: outside the month
]


EXPECTED = {
    # name: (value, count)
    "first_response_in_time": (5 / 7, 7),  # settled: C1 C2x C3 C4 C6 C7 C8x
    "resolution_in_time": (3 / 4, 4),  # settled: C1 C2 C3x C7
    "first_contact_resolution": (2 / 4, 4),  # ended, not merged: C1 C2(escalated) C3(re-open) C7
    "cross_department_cycle_hours": (4.0, 2),  # C7's done tasks: 3 h, 5 h
    "reopen_rate": (1 / 4, 4),  # reached closing: C1 C2 C3(re-opened) C7
    "repeat_complaint_rate": (2 / 7, 7),  # known customer: C1 (after C0) and C4 (after C2)
    "follow_up_coverage": (3 / 4, 4),  # closed and ended: C1 C2 C3 surveyed, C7 not
    "result_confirmation_rate": (2 / 4, 4),  # closed by: C1 customer, C2 silence, C3, C7 sup.
    "satisfaction": (11 / 3, 3),  # answers 5 (C1), 2 and 4 (C3)
    "satisfied_share": (2 / 3, 3),  # 5 and 4
}


async def load(pool: Pool) -> None:
    for c in CASES:
        closed = c["at"] + timedelta(days=3) if c.get("closed_by") else None
        await pool.execute(
            """INSERT INTO complaints (complaint_id, workflow_id, customer_id, channel, product,
                   subject, stage, outcome, closed_by, owner, escalation_level, reopen_count,
                   received_at, result_delivered_at, closed_at, breached, deadlines, tasks,
                   last_seq, updated_at)
               VALUES ($1, 'complaint-' || $1, $2, 'app_form', $3, 's', $4, $5, $6, 'agent', $7,
                       $8, $9, $10, $11, false, $12, $13, 0, $9)""",
            c["id"],
            c["customer"],
            c["product"],
            "done" if c.get("outcome") else "investigate",
            c.get("outcome"),
            c.get("closed_by"),
            c.get("level", "owner"),
            c.get("reopens", 0),
            c["at"],
            c["at"] + timedelta(days=2) if c.get("delivered") else None,
            closed,
            c.get("deadlines", []),
            c.get("tasks", []),
        )
        if c.get("surveyed"):
            await pool.execute(
                """INSERT INTO complaint_events VALUES
                   ('complaint-' || $1, 1, $1, $2, 'follow_up', 'survey_sent', 'system', 's', true)""",
                c["id"],
                closed,
            )
        for round_, score in enumerate(c.get("answers", [])):
            await pool.execute(
                "INSERT INTO survey_answers VALUES ($1, $2, $3, 3, 3, NULL, $4)",
                c["id"],
                round_,
                score,
                closed,
            )
