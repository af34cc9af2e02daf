"""Telling people things: one interface for every gateway (SMS, e-mail, app push, a log).

Gateways must treat `Notification.key` as an idempotency key: Temporal retries the activity, and
a retry after a lost acknowledgement must not text the customer twice.
"""

from __future__ import annotations

from typing import Protocol

import structlog
from temporalio import activity

import logs
from schemas.notification import Notification


class Notifier(Protocol):
    async def send(self, notification: Notification) -> None: ...


class LogNotifier:
    """The default gateway: a structured log line per message (no contact details in it)."""

    async def send(self, notification: Notification) -> None:
        log = logs.for_activity() if activity.in_activity() else structlog.get_logger()
        log.info(
            "notification",
            key=notification.key,
            audience=notification.audience.value,
            recipient=notification.recipient,
            topic=notification.topic,
            urgent=notification.urgent,
            text=notification.text,
        )


class NotificationActivities:
    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    @activity.defn(name="notify")
    async def notify(self, notification: Notification) -> None:
        await self._notifier.send(notification)
