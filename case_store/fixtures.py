"""Bulk rows for tests and benchmarks: many complaints on a product, inserted in one statement."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg


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
