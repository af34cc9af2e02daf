"""Writing a case's projection: its timeline events, its current row, its words and customer for
search, its survey, its archive.

Everything happens in one transaction, and every write is keyed, so Temporal may retry the
activity, or replay the whole lifecycle, any number of times: one row per event, always.
"""

from __future__ import annotations

import asyncpg

from case_store import search
from schemas.case import Stage
from schemas.store import CaseProjection


async def write(connection: asyncpg.Connection, projection: CaseProjection) -> None:
    s = projection.snapshot
    async with connection.transaction():
        if projection.customer_id:
            await connection.execute(
                """INSERT INTO customers (customer_id, name) VALUES ($1, $2)
                   ON CONFLICT (customer_id) DO NOTHING""",
                projection.customer_id,
                projection.customer_name,
            )
        await connection.executemany(
            """INSERT INTO complaint_events
                   (workflow_id, seq, complaint_id, at, stage, kind, actor, summary, public,
                    facts)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               ON CONFLICT (workflow_id, seq) DO NOTHING""",
            [
                (
                    s.workflow_id,
                    e.seq,
                    s.complaint_id,
                    e.at,
                    e.stage.value,
                    e.kind.value,
                    e.actor,
                    e.summary,
                    e.public,
                    e.facts,
                )
                for e in projection.entries
            ],
        )
        last_seq = s.timeline_length - 1
        updated_at = projection.entries[-1].at if projection.entries else s.received_at
        await connection.execute(
            """INSERT INTO complaints AS c (
                   complaint_id, workflow_id, customer_id, channel, product, subject, category,
                   severity, risk, stage, outcome, closed_by, owner, escalation_level,
                   reopen_count, received_at, result_delivered_at, closed_at, next_deadline_at,
                   breached, deadlines, policy_version, last_seq, updated_at, tasks, linked_to,
                   merged_into, regulatory_deadlines, regulatory_buckets)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                       $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)
               ON CONFLICT (complaint_id) DO UPDATE SET
                   category = EXCLUDED.category, severity = EXCLUDED.severity,
                   risk = EXCLUDED.risk, stage = EXCLUDED.stage, outcome = EXCLUDED.outcome,
                   closed_by = EXCLUDED.closed_by, owner = EXCLUDED.owner,
                   escalation_level = EXCLUDED.escalation_level,
                   reopen_count = EXCLUDED.reopen_count,
                   result_delivered_at = EXCLUDED.result_delivered_at,
                   closed_at = EXCLUDED.closed_at, next_deadline_at = EXCLUDED.next_deadline_at,
                   breached = EXCLUDED.breached, deadlines = EXCLUDED.deadlines,
                   policy_version = EXCLUDED.policy_version, last_seq = EXCLUDED.last_seq,
                   updated_at = EXCLUDED.updated_at, tasks = EXCLUDED.tasks,
                   merged_into = EXCLUDED.merged_into,
                   regulatory_deadlines = EXCLUDED.regulatory_deadlines,
                   regulatory_buckets = EXCLUDED.regulatory_buckets
               -- an older projection arriving late (or a retry) never overwrites a newer one
               WHERE c.last_seq < EXCLUDED.last_seq""",
            s.complaint_id,
            s.workflow_id,
            projection.customer_id,
            s.channel.value,
            s.product,
            s.subject,
            _v(s.category),
            _v(s.severity),
            _v(s.risk),
            s.stage.value,
            _v(s.outcome),
            _v(s.closed_by),
            s.owner,
            s.escalation_level.value,
            s.reopen_count,
            s.received_at,
            s.result_delivered_at,
            s.closed_at,
            s.next_deadline.due_at if s.next_deadline else None,
            any(d.breached_at for d in s.deadlines),
            [d.model_dump(mode="json") for d in s.deadlines],
            s.policy_version,
            last_seq,
            updated_at,
            [t.model_dump(mode="json") for t in s.tasks],
            s.linked_to,
            s.merged_into,
            [d.model_dump(mode="json") for d in s.regulatory_deadlines],
            s.regulatory_buckets,
        )
        await connection.executemany(
            """INSERT INTO survey_answers
                   (complaint_id, round, result, attitude, timeliness, suggestions, answered_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (complaint_id, round) DO NOTHING""",
            [
                (
                    s.complaint_id,
                    a.round,
                    a.answer.result,
                    a.answer.attitude,
                    a.answer.timeliness,
                    a.answer.suggestions,
                    a.answered_at,
                )
                for a in s.surveys
            ],
        )
        await search.index_case(
            connection,
            s.complaint_id,
            " ".join(filter(None, [s.complaint_id, s.subject, s.product, projection.description])),
            [(e.seq, e.summary) for e in projection.entries if e.kind in search.MESSAGE_KINDS],
            projection.customer_id,
            projection.customer_name,
            projection.customer_contact,
        )
        if s.stage is Stage.DONE and s.outcome:
            resolution = s.plan.summary if s.plan else None
            summary = projection.description
            await connection.execute(
                """INSERT INTO case_library (complaint_id, subject, summary, category, severity,
                       risk, resolution, outcome, archived_at, search_text)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                   ON CONFLICT (complaint_id) DO NOTHING""",
                s.complaint_id,
                s.subject,
                summary,
                _v(s.category),
                _v(s.severity),
                _v(s.risk),
                resolution,
                s.outcome.value,
                updated_at,
                " ".join(filter(None, [s.subject, summary, resolution, s.product])).lower(),
            )


def _v(value: object) -> str | None:
    """An enum's value, or None."""
    return getattr(value, "value", None)
