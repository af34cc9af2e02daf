"""The default delivery port: every notification lands in `notification_outbox`, once per key.

A relay for a real gateway (SMS, e-mail, app push) reads undelivered rows whose `not_before` has
passed (quiet hours) and marks them; or a
gateway implements `activities.notifier.Notifier` itself and replaces this one. The log line
written here never carries the message text or the customer's contact.
"""

from __future__ import annotations

import logs
from case_store.db import Pool
from schemas.notification import Notification


class OutboxNotifier:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def send(self, notification: Notification) -> None:
        n = notification
        status = await self._pool.execute(
            """INSERT INTO notification_outbox
                   (key, complaint_id, audience, recipient, topic, channel, language, body, urgent,
                    not_before)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               ON CONFLICT (key) DO NOTHING""",
            n.key, n.complaint_id, n.audience.value, n.recipient, n.topic,
            n.channel.value if n.channel else None, n.language.value, n.text, n.urgent,
            n.not_before,
        )  # fmt: skip
        logs.for_activity().info(
            "notification queued" if status.endswith(" 1") else "notification already queued",
            key=n.key, audience=n.audience.value, recipient=n.recipient, topic=n.topic,
            urgent=n.urgent,
        )  # fmt: skip
