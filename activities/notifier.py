"""Telling people things: one interface for every gateway (SMS, e-mail, app push, the outbox).

Gateways must treat `Notification.key` as an idempotency key: Temporal retries the activity, and
a retry after a lost acknowledgement must not text the customer twice. `delivery.Delivery`
(real gateways) raises `ApplicationError`s that shape the retries: non-retryable when the gateway
refused for good, `next_retry_delay` for backoff and quiet hours; `OutboxNotifier` only queues.
"""

from __future__ import annotations

from typing import Protocol

from temporalio import activity

from schemas.notification import Notification


class Notifier(Protocol):
    async def send(self, notification: Notification) -> None: ...

    async def hold(self, notification: Notification) -> None:
        """Record the message as queued, sending nothing (quiet hours: the case sends it later)."""
        ...


class NotificationActivities:
    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    @activity.defn(name="notify")
    async def notify(self, notification: Notification) -> None:
        await self._notifier.send(notification)

    @activity.defn(name="hold_notification")
    async def hold(self, notification: Notification) -> None:
        await self._notifier.hold(notification)
