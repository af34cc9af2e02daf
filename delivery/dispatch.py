"""Delivery: the notifier that hands each message to a real gateway, inside the `notify` activity.

Durability is Temporal's: the activity is retried (with our backoff, `next_retry_delay`) until
the gateway takes the message or refuses it for good, for up to a day (`DELIVERY_GIVE_UP`), and
the workflow learns the outcome. The outbox row is the record and the idempotency guard:

1. queue the row (once per notification key); a row already `sent` ends the attempt at once
   (a retry after a lost acknowledgement), one already `failed` refuses again;
2. quiet hours: before `not_before` nothing is sent; the attempt asks to be retried then;
3. route to a gateway, mark the row `sending` (attempts + 1), send, mark `sent` with the
   gateway's id — or `failed` (permanent: non-retryable, the case records it and tells the
   owner), or back to `queued` with the error (transient: retried with backoff).

The one window left: a send the gateway accepted whose acknowledgement never reached us (a crash
between 3's send and its mark). The retry sends again with the same `Message-ID` /
`Idempotency-Key`, so the receiving side can drop the copy; docs/integrating.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from case_store import outbox
from case_store.db import Pool
from delivery.gateway import Deferred, Destination, Gateway, Refused
from delivery.routing import AddressKind, Routes, destination
from schemas.notification import Notification
from telemetry import logs

# A deferred send is expected, not an error: BENIGN keeps the SDK from logging a traceback.
BENIGN = ApplicationErrorCategory.BENIGN
REFUSED = "DeliveryRefused"
DEFERRED = "DeliveryDeferred"


@dataclass(frozen=True)
class Backoff:
    initial: timedelta = timedelta(seconds=5)
    maximum: timedelta = timedelta(minutes=10)

    def after(self, attempt: int) -> timedelta:
        return min(self.initial * (1 << min(max(attempt - 1, 0), 30)), self.maximum)


@dataclass(frozen=True)
class Route:
    gateway: Gateway
    address_kind: AddressKind


def attempt_time() -> datetime:
    """The server's clock for this attempt (the test server's skipped one in tests); never
    later than the real time, so a message is never sent before `not_before`."""
    try:
        return activity.info().current_attempt_scheduled_time
    except RuntimeError:  # outside an activity (a benchmark calling the notifier directly)
        return datetime.now(UTC)


class Delivery:
    def __init__(
        self,
        pool: Pool,
        gateways: Mapping[str, Route],
        routes: Routes,
        *,
        staff_address: str,
        fallback_address: str | None = None,
        backoff: Backoff = Backoff(),
    ) -> None:
        self._pool = pool
        self._gateways = dict(gateways)
        self._routes = routes
        self._staff_address = staff_address
        self._fallback = fallback_address
        self._backoff = backoff

    @property
    def gateway_names(self) -> list[str]:
        return sorted(self._gateways)

    async def hold(self, notification: Notification) -> None:
        """The row, queued, while the case waits out the quiet hours on its own timer."""
        await outbox.queue(self._pool, notification)

    async def send(self, notification: Notification) -> None:
        n = notification
        log = logs.for_activity().bind(key=n.key, topic=n.topic, audience=n.audience.value)
        row = await outbox.queue(self._pool, n)
        if row.status == "sent":
            return
        if row.status == "failed":
            raise ApplicationError("refused earlier", type=REFUSED, non_retryable=True)
        now = attempt_time()
        if n.not_before and now < n.not_before:
            log.info("held for quiet hours", until=n.not_before.isoformat(), now=now.isoformat())
            raise ApplicationError(
                "quiet hours", type=DEFERRED, next_retry_delay=n.not_before - now, category=BENIGN
            )
        target = self._destination(n)
        if target is None:
            await outbox.settle(self._pool, n.key, "held", error="no gateway reaches this person")
            log.warning("notification held: no gateway reaches the person")
            return
        route = self._gateways[target.gateway]
        attempts = await outbox.sending(self._pool, n.key, target.gateway)
        try:
            gateway_id = await route.gateway.send(n, target.address)
        except Refused as err:
            await outbox.settle(self._pool, n.key, "failed", error=str(err))
            log.warning("notification refused", gateway=target.gateway, error=str(err))
            raise ApplicationError(str(err), type=REFUSED, non_retryable=True) from None
        except Deferred as err:
            await outbox.settle(self._pool, n.key, "queued", error=str(err))
            delay = self._backoff.after(attempts)
            log.info(
                "notification deferred",
                gateway=target.gateway,
                error=str(err),
                attempts=attempts,
                retry_in=delay.total_seconds(),
            )
            raise ApplicationError(
                str(err), type=DEFERRED, next_retry_delay=delay, category=BENIGN
            ) from None
        await outbox.settle(self._pool, n.key, "sent", gateway_id=gateway_id)
        log.info("notification sent", gateway=target.gateway, attempts=attempts)

    def _destination(self, n: Notification) -> Destination | None:
        kinds = {name: r.address_kind for name, r in self._gateways.items()}
        found = destination(self._routes, n, kinds, self._staff_address)
        if found is None and self._fallback and "email" in self._gateways:
            return Destination("email", self._fallback)
        return found
