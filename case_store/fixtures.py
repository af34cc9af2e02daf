"""Rows for tests and benchmarks: many complaints on a product inserted in one statement, and a
case as its workflow would project it (written by the store's own writer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from schemas.case import (
    CaseSnapshot,
    Deadline,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
    TimelineEntry,
)
from schemas.classification import Severity
from schemas.intake import Channel, Contact
from schemas.sla import DeadlineKind
from schemas.store import CaseProjection


async def insert_complaints(
    connection: asyncpg.Connection,
    count: int,
    *,
    products: int,
    start: datetime,
    span: timedelta,
    prefix: str = "B",
) -> None:
    """`count` closed-schema-valid complaints spread evenly over `span` and `products` products."""
    step = span / max(count, 1)
    await connection.execute(
        """INSERT INTO complaints (complaint_id, workflow_id, channel, product, subject, stage,
               owner, escalation_level, reopen_count, received_at, breached, deadlines, last_seq,
               updated_at)
           SELECT $1 || '-' || i, 'complaint-' || $1 || '-' || i, 'app_form', 'P-' || (i % $2),
                  'bulk', 'investigate', 'agent', 'owner', 0, $3::timestamptz + i * $4::interval,
                  false, '[]', 0,
                  $3::timestamptz + i * $4::interval
           FROM generate_series(0, $5 - 1) AS i""",
        prefix,
        products,
        start,
        step,
        count,
    )


def case_projection(
    complaint_id: str,
    *,
    received_at: datetime,
    subject: str,
    description: str = "",
    product: str | None = None,
    severity: str | None = "L2",
    stage: str = "investigate",
    outcome: str | None = None,
    owner: str = "agent-zhang",
    customer_id: str | None = None,
    customer_name: str | None = None,
    contact: Contact | None = None,
    messages: Sequence[tuple[str, str]] = (),
    seq_from: int = 0,
) -> CaseProjection:
    """A case as its workflow would project it, for `case_store.projection.write`: received,
    then `messages` ((actor, text): the customer's when the actor is `customer`, else ours),
    one respond deadline a day after receipt. `seq_from`: a later batch of the same case."""
    done = outcome is not None
    entries = [] if seq_from else [_entry(0, received_at, "received", "system", "received")]
    entries += [
        _entry(
            seq_from + len(entries) + n,
            received_at + timedelta(minutes=1 + n),
            "customer_message" if actor == "customer" else "agent_message",
            actor,
            text,
        )
        for n, (actor, text) in enumerate(messages)
    ]
    deadline = Deadline(
        kind=DeadlineKind.RESPOND,
        round=0,
        severity=Severity(severity) if severity else None,
        started_at=received_at,
        due_at=received_at + timedelta(days=1),
    )
    snapshot = CaseSnapshot(
        complaint_id=complaint_id,
        workflow_id=f"complaint-{complaint_id}",
        stage=Stage("done" if done else stage),
        outcome=Outcome(outcome) if outcome else None,
        closed_by=None,
        channel=Channel.APP_FORM,
        subject=subject,
        product=product,
        category=None,
        severity=Severity(severity) if severity else None,
        risk=None,
        owner=owner,
        escalation_level=EscalationLevel.OWNER,
        reopen_count=0,
        deadlines=[deadline],
        next_deadline=None if done else deadline,
        plan=None,
        classification=None,
        policy_version="fixture",
        received_at=received_at,
        result_delivered_at=None,
        closed_at=received_at + timedelta(days=2) if done else None,
        survey_sent_at=None,
        survey=None,
        timeline_length=entries[-1].seq + 1 if entries else seq_from,
        runs=1,
    )
    return CaseProjection(
        snapshot=snapshot,
        customer_id=customer_id,
        customer_name=customer_name,
        description=description,
        customer_contact=contact,
        entries=entries,
    )


def _entry(seq: int, at: datetime, kind: str, actor: str, text: str) -> TimelineEntry:
    return TimelineEntry(
        seq=seq,
        at=at,
        stage=Stage.INVESTIGATE,
        kind=EntryKind(kind),
        actor=actor,
        summary=text,
        public=kind != "received",
    )
