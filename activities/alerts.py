"""The alert sweep's activity: find what crossed a threshold, record it once, tell supervisors."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notifier import Notifier
from case_store import alerts
from case_store.db import Pool
from schemas.alerts import Alert, AlertPolicy
from schemas.notification import Audience, Notification
from telemetry import logs


class AlertSweep(BaseModel):
    """One sweep, at a moment; the thresholds are the worker's, never the workflow input's."""

    at: datetime


class AlertActivities:
    def __init__(self, pool: Pool, notifier: Notifier, policy: AlertPolicy | None = None) -> None:
        self._pool = pool
        self._notifier = notifier
        self._policy = policy or AlertPolicy()

    @activity.defn(name="sweep_alerts")
    async def sweep_alerts(self, sweep: AlertSweep) -> list[Alert]:
        """The alerts raised by this sweep, each notified once (the alert key is the
        notification's key, so a retried sweep sends nothing twice)."""
        async with self._pool.acquire() as connection:
            found = await alerts.detect(connection, sweep.at, self._policy)
            raised = [a for a in found if await alerts.record(connection, a)]
        # Every alert this sweep found, not only the new ones: a retry after a failed send must
        # still send it (the key makes a repeat a no-op); a gateway's final no is logged.
        for alert in found:
            try:
                await self._notifier.send(
                    Notification(
                        key=f"alert/{alert.key}",
                        complaint_id="-",
                        audience=Audience.SUPERVISOR,
                        recipient=None,
                        topic=f"alert_{alert.kind.value}",
                        text=alert.text(),
                        facts=alert.facts(),
                        urgent=True,
                    )
                )
            except ApplicationError as err:
                if not err.non_retryable:
                    raise
                logs.for_activity().warning("alert not delivered", key=alert.key, error=err.message)
        logs.for_activity().info("alerts swept", found=len(found), raised=len(raised))
        return raised
