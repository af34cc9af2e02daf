"""The outbox: every notification lands in `notification_outbox` once per key, and its delivery
status lives on that row (queued / sending / sent / failed / held, gateway, gateway id, attempts,
last error).

`OutboxNotifier` only queues (the port when no gateway is configured, and the tests' default);
`delivery.dispatch.Delivery` queues, then sends and marks. The log lines written here never carry
the message text or the customer's contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from temporalio import activity

from case_store.db import Pool
from schemas.notification import Notification
from telemetry import logs


@dataclass(frozen=True)
class OutboxRow:
    status: str
    attempts: int


def first_due(notification: Notification) -> datetime:
    """When the message fell due: the notify activity's scheduled time on the server (its first
    attempt), or the end of the quiet hours if that is later."""
    try:
        scheduled = activity.info().scheduled_time
    except RuntimeError:  # outside an activity (a benchmark calling the notifier directly)
        scheduled = datetime.now(UTC)
    return max(scheduled, notification.not_before or scheduled)


async def queue(pool: Pool, notification: Notification) -> OutboxRow:
    """Write the row if it is new; either way return where its delivery stands."""
    n = notification
    due_at = first_due(n)
    row = await pool.fetchrow(
        """WITH added AS (
               INSERT INTO notification_outbox
                   (key, complaint_id, audience, recipient, topic, channel, language, body,
                    urgent, not_before, due_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (key) DO NOTHING
               RETURNING status, attempts)
           SELECT status, attempts, true AS added FROM added
           UNION ALL
           SELECT status, attempts, false FROM notification_outbox WHERE key = $1""",
        n.key,
        n.complaint_id,
        n.audience.value,
        n.recipient,
        n.topic,
        n.channel.value if n.channel else None,
        n.language.value,
        n.text,
        n.urgent,
        n.not_before,
        due_at,
    )
    assert row is not None
    logs.for_activity().info(
        "notification queued" if row["added"] else "notification already queued",
        key=n.key,
        audience=n.audience.value,
        recipient=n.recipient,
        topic=n.topic,
        urgent=n.urgent,
        status=row["status"],
    )
    return OutboxRow(row["status"], row["attempts"])


async def sending(pool: Pool, key: str, gateway: str) -> int:
    """Mark a send as begun (before the gateway sees it); returns the attempt number."""
    attempts: int = await pool.fetchval(
        """UPDATE notification_outbox SET status = 'sending', gateway = $2,
               attempts = attempts + 1
           WHERE key = $1 RETURNING attempts""",
        key,
        gateway,
    )
    return attempts


async def settle(
    pool: Pool, key: str, status: str, *, gateway_id: str | None = None, error: str | None = None
) -> None:
    """Record the outcome: sent (with the gateway's id), failed for good, queued again (a
    transient error, retried), or held (no gateway can reach the person)."""
    await pool.execute(
        """UPDATE notification_outbox SET status = $2,
               gateway_id = COALESCE($3, gateway_id), last_error = COALESCE($4, last_error),
               delivered_at = CASE WHEN $2 = 'sent' THEN now() ELSE delivered_at END
           WHERE key = $1 AND status <> 'sent'""",
        key,
        status,
        gateway_id,
        error,
    )


async def for_case(db: Pool | asyncpg.Connection, complaint_id: str) -> list[dict[str, Any]]:
    """A case's messages and what became of them, oldest first (never the text or address)."""
    rows = await db.fetch(
        """SELECT key, audience, recipient, topic, channel, status, gateway, gateway_id,
                  attempts, last_error, due_at, not_before, created_at, delivered_at
           FROM notification_outbox WHERE complaint_id = $1
           ORDER BY created_at, key""",
        complaint_id,
    )
    return [dict(r) for r in rows]


class OutboxNotifier:
    """Queue only: a row per key, status `queued`, for a relay or a later gateway to take."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def send(self, notification: Notification) -> None:
        await queue(self._pool, notification)

    async def hold(self, notification: Notification) -> None:
        await queue(self._pool, notification)
