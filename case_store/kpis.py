"""The complaint KPIs (R-RP-3, R-RP-4), computed from the case store, each defined once here.

Every KPI covers the complaints *received* in a period [start, end) and says what it counted:
`value` is the rate or mean, `count` how many cases (or tasks, or answers) it was taken over, so
a report can say "82% of 340" and a rate over nothing is `None`, never 0. The definitions are the
`definition` of each below; docs/kpis.md lists them for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class Kpi:
    name: str
    value: float | None
    count: int
    definition: str
    target: str | None = None  # e.g. ">= 85%", from seed 004 (R-RP-4)
    met: bool | None = None  # None: no target, or nothing to measure


@dataclass(frozen=True)
class _Query:
    name: str
    definition: str
    sql: str  # returns (value, count) for $1 = start, $2 = end
    at_least: float | None = None  # the target, when higher is better
    below: float | None = None  # the target, when lower is better


_IN_PERIOD = "c.received_at >= $1 AND c.received_at < $2"


def _deadline_in_time(kind: str) -> str:
    return f"""
        SELECT avg(CASE WHEN d->>'breached_at' IS NULL THEN 1.0 ELSE 0.0 END), count(*)
        FROM complaints c, jsonb_array_elements(c.deadlines) AS d
        WHERE {_IN_PERIOD} AND d->>'kind' = '{kind}' AND (d->>'round')::int = 0
          AND (d->>'met_at' IS NOT NULL OR d->>'breached_at' IS NOT NULL)"""


QUERIES = [
    _Query(
        "first_response_in_time",
        "Share of first responses (round 0 respond deadlines, met or missed) given before the "
        "deadline; deadlines still running are not counted.",
        _deadline_in_time("respond"),
        at_least=0.90,  # R-IN-6: an initial plan within 30 minutes for 90%
    ),
    _Query(
        "resolution_in_time",
        "Share of first resolutions (round 0 resolve deadlines, met or missed) delivered before "
        "the deadline.",
        _deadline_in_time("resolve"),
    ),
    _Query(
        "first_contact_resolution",
        "Share of ended cases (not merged away) that ended without a re-open and without an "
        "escalation: the first owner resolved them.",
        f"""SELECT avg(CASE WHEN c.reopen_count = 0 AND c.escalation_level = 'owner'
                           THEN 1.0 ELSE 0.0 END), count(*)
            FROM complaints c
            WHERE {_IN_PERIOD} AND c.outcome IS NOT NULL AND c.outcome <> 'merged'""",
        at_least=0.85,  # seed 004: from 65% to 85%
    ),
    _Query(
        "cross_department_cycle_hours",
        "Mean hours from opening a cross-department task to its completion, over completed tasks.",
        f"""SELECT avg(extract(epoch FROM (t->>'done_at')::timestamptz
                                          - (t->>'opened_at')::timestamptz) / 3600), count(*)
            FROM complaints c, jsonb_array_elements(c.tasks) AS t
            WHERE {_IN_PERIOD} AND t->>'done_at' IS NOT NULL""",
    ),
    _Query(
        "reopen_rate",
        "Share of cases that reached closing (a result delivered, or a re-open) which were "
        "re-opened at least once.",
        f"""SELECT avg(CASE WHEN c.reopen_count > 0 THEN 1.0 ELSE 0.0 END), count(*)
            FROM complaints c
            WHERE {_IN_PERIOD} AND (c.result_delivered_at IS NOT NULL OR c.reopen_count > 0)""",
    ),
    _Query(
        "repeat_complaint_rate",
        "Share of complaints from a known customer about a product on which the same customer "
        "had complained in the 90 days before.",
        f"""SELECT avg(CASE WHEN EXISTS (
                       SELECT 1 FROM complaints p
                       WHERE p.customer_id = c.customer_id AND p.product = c.product
                         AND p.received_at < c.received_at
                         AND p.received_at >= c.received_at - interval '90 days')
                   THEN 1.0 ELSE 0.0 END), count(*)
            FROM complaints c
            WHERE {_IN_PERIOD} AND c.customer_id IS NOT NULL AND c.product IS NOT NULL""",
        below=0.10,  # seed 004
    ),
    _Query(
        "follow_up_coverage",
        "Share of ended cases that were closed (not merged away) whose customer was followed up: "
        "sent the satisfaction survey, or answered it (an answer given before the survey went out "
        "counts, so every case counted by satisfaction is covered).",
        f"""SELECT avg(CASE WHEN EXISTS (
                       SELECT 1 FROM complaint_events e
                       WHERE e.complaint_id = c.complaint_id AND e.kind = 'survey_sent')
                     OR EXISTS (
                       SELECT 1 FROM survey_answers a WHERE a.complaint_id = c.complaint_id)
                   THEN 1.0 ELSE 0.0 END), count(*)
            FROM complaints c
            WHERE {_IN_PERIOD} AND c.outcome IS NOT NULL AND c.outcome <> 'merged'
              AND c.closed_at IS NOT NULL""",
        at_least=1.0,  # seed 004: every closed case is followed up
    ),
    _Query(
        "result_confirmation_rate",
        "Share of closed cases whose customer confirmed the result (rather than silence, or a "
        "supervisor closing for them).",
        f"""SELECT avg(CASE WHEN c.closed_by = 'customer' THEN 1.0 ELSE 0.0 END), count(*)
            FROM complaints c
            WHERE {_IN_PERIOD} AND c.closed_by IS NOT NULL""",
        at_least=0.95,  # seed 004
    ),
    _Query(
        "satisfaction",
        "Mean follow-up result score (1-5) over every survey answer (each round) of the "
        "period's complaints.",
        f"""SELECT avg(a.result::numeric), count(*)
            FROM complaints c JOIN survey_answers a USING (complaint_id)
            WHERE {_IN_PERIOD}""",
    ),
    _Query(
        "satisfied_share",
        "Share of those survey answers scoring the result 4 or 5.",
        f"""SELECT avg(CASE WHEN a.result >= 4 THEN 1.0 ELSE 0.0 END), count(*)
            FROM complaints c JOIN survey_answers a USING (complaint_id)
            WHERE {_IN_PERIOD}""",
    ),
]


async def compute(connection: asyncpg.Connection, start: datetime, end: datetime) -> list[Kpi]:
    """Every KPI for the complaints received in [start, end)."""
    kpis = []
    for q in QUERIES:
        raw, count = await connection.fetchrow(q.sql, start, end)
        value = float(raw) if raw is not None else None
        target, met = None, None
        if q.at_least is not None:
            target = f">= {q.at_least:.0%}"
            met = None if value is None else value >= q.at_least
        elif q.below is not None:
            target = f"< {q.below:.0%}"
            met = None if value is None else value < q.below
        kpis.append(Kpi(q.name, value, count, q.definition, target, met))
    return kpis


def shown(kpi: Kpi) -> str:
    """How a person reads the value: a percentage, hours, or a 1-5 score; '-' over nothing."""
    if kpi.value is None:
        return "-"
    if kpi.name.endswith("_hours"):
        return f"{kpi.value:.1f} h"
    return f"{kpi.value:.2f}" if kpi.name == "satisfaction" else f"{kpi.value:.0%}"


@dataclass(frozen=True)
class RegulatoryBucket:
    """How many of the period's complaints under `regime` fall in one of its reporting buckets
    (`open`: no result delivered yet)."""

    regime: str
    bucket: str
    count: int


OPEN_BUCKET = "open"


async def regulatory_buckets(
    connection: asyncpg.Connection, start: datetime, end: datetime
) -> list[RegulatoryBucket]:
    """The regulators' reporting buckets (e.g. FCA: resolved within 3 business days, within 8
    weeks, after) over the complaints received in [start, end): each case counted once per
    regime it is under, in the bucket its first result fell in (the workflow decides it with the
    regime's own calendar, `workflows.regulatory.bucket`), or `open`."""
    rows = await connection.fetch(
        f"""WITH under AS (
                SELECT DISTINCT c.complaint_id, d->>'regime' AS regime, c.regulatory_buckets
                FROM complaints c, jsonb_array_elements(c.regulatory_deadlines) AS d
                WHERE {_IN_PERIOD} AND c.outcome IS DISTINCT FROM 'merged')
            SELECT regime, coalesce(regulatory_buckets->>regime, '{OPEN_BUCKET}') AS bucket,
                   count(*) AS n
            FROM under GROUP BY 1, 2 ORDER BY 1, 2""",
        start,
        end,
    )
    return [RegulatoryBucket(r["regime"], r["bucket"], r["n"]) for r in rows]
