"""What the special report after a major event reads from the case store (R-RP-2): the review,
the case that raised it, its timeline, and the cases the event covers. Never a customer's name or
contact: a customer is only an id here, and the report counts them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from schemas.case import Deadline
from schemas.review import REVIEW_WITHIN

# The cases an event covers: the case that raised the review, its merged duplicates and its
# re-opens, and every case of the same product and category received from this long before it
# up to the review (the complaints the same event caused).
EVENT_WINDOW = REVIEW_WITHIN


@dataclass(frozen=True)
class Review:
    complaint_id: str
    round: int
    opened_at: datetime
    due_at: datetime
    escalated_at: datetime | None
    done_at: datetime | None
    done_by: str | None
    findings: str | None
    measures: str | None


@dataclass(frozen=True)
class CoveredCase:
    complaint_id: str
    customer_id: str | None  # None: anonymous, each one a customer of their own
    product: str | None
    category: str | None
    severity: str | None
    risk: str | None
    stage: str
    outcome: str | None
    received_at: datetime
    closed_at: datetime | None
    deadlines: list[Deadline]


@dataclass(frozen=True)
class Moment:
    """One step of the event case's timeline: when, what kind of step, at which stage."""

    at: datetime
    kind: str
    stage: str


@dataclass(frozen=True)
class EventRecord:
    review: Review
    event: CoveredCase
    covered: list[CoveredCase]  # the event case first
    timeline: list[Moment]


_CASE_COLUMNS = """complaint_id, customer_id, product, category, severity, risk, stage, outcome,
                   received_at, closed_at, deadlines"""


async def reviews(connection: asyncpg.Connection, limit: int = 20) -> list[Review]:
    """The reviews a board lists: open ones first (soonest due), then the latest done."""
    rows = await connection.fetch(
        """SELECT * FROM reviews
           ORDER BY done_at IS NOT NULL, CASE WHEN done_at IS NULL THEN due_at END,
                    done_at DESC, complaint_id
           LIMIT $1""",
        limit,
    )
    return [_review(r) for r in rows]


async def event_record(
    connection: asyncpg.Connection, complaint_id: str, round: int
) -> EventRecord | None:
    """The review of `complaint_id`'s handling round `round` and what it covers; None: none."""
    row = await connection.fetchrow(
        "SELECT * FROM reviews WHERE complaint_id = $1 AND round = $2", complaint_id, round
    )
    event_row = await connection.fetchrow(
        f"SELECT {_CASE_COLUMNS} FROM complaints WHERE complaint_id = $1", complaint_id
    )
    if row is None or event_row is None:
        return None
    review, event = _review(row), _case(event_row)
    rows = await connection.fetch(
        f"""SELECT {_CASE_COLUMNS} FROM complaints
            WHERE complaint_id <> $1
              AND (merged_into = $1 OR linked_to = $1
                   OR ($2::text IS NOT NULL AND product = $2
                       AND category IS NOT DISTINCT FROM $3
                       AND received_at >= $4 AND received_at <= $5))
            ORDER BY received_at, complaint_id""",
        complaint_id,
        event.product,
        event.category,
        event.received_at - EVENT_WINDOW,
        max(review.opened_at, event.received_at),
    )
    moments = await connection.fetch(
        """SELECT at, kind, stage FROM complaint_events WHERE complaint_id = $1
           ORDER BY at, seq""",
        complaint_id,
    )
    return EventRecord(
        review=review,
        event=event,
        covered=[event, *(_case(r) for r in rows)],
        timeline=[Moment(m["at"], m["kind"], m["stage"]) for m in moments],
    )


def _review(row: asyncpg.Record) -> Review:
    return Review(
        complaint_id=row["complaint_id"],
        round=row["round"],
        opened_at=row["opened_at"],
        due_at=row["due_at"],
        escalated_at=row["escalated_at"],
        done_at=row["done_at"],
        done_by=row["done_by"],
        findings=row["findings"],
        measures=row["measures"],
    )


def _case(row: asyncpg.Record) -> CoveredCase:
    raw = row["deadlines"]
    listed = json.loads(raw) if isinstance(raw, str) else raw
    return CoveredCase(
        complaint_id=row["complaint_id"],
        customer_id=row["customer_id"],
        product=row["product"],
        category=row["category"],
        severity=row["severity"],
        risk=row["risk"],
        stage=row["stage"],
        outcome=row["outcome"],
        received_at=row["received_at"],
        closed_at=row["closed_at"],
        deadlines=[Deadline.model_validate(d) for d in listed or []],
    )
