"""AlertSweep: run by a Temporal Schedule every few minutes (`complaint-desk setup`), it raises
the alerts that crossed a threshold and, for a concentration, the risk of the open cases it
covers (R-RP-2): each is escalated to high risk with the alert as the reason. Its thresholds are
the worker's (`build_worker(alerts=...)`): a start takes no input, so no one who can start a
workflow can lower them (docs/security.md)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.alerts import AlertActivities, AlertSweep
    from encryption.codec import UndecryptablePayload
    from schemas.actions import Escalation
    from schemas.alerts import Alert, AlertKind
    from schemas.classification import RiskLevel
    from workflows.ids import workflow_id_for
    from workflows.starts import takes_no_input

ALERTS = "alerts"  # who raised a case's risk, as its timeline shows


# AUTO_UPGRADE: a run lasts seconds and is one activity; a run caught by a new build moves to
# it, so no scheduled run keeps an old build's workers up (docs/versioning.md).
# An input that cannot be decoded fails the run, never its task (it stays in the history).
@workflow.defn(
    name="AlertSweep",
    versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    failure_exception_types=[ValidationError, UndecryptablePayload],
)
class AlertSweepWorkflow:
    @workflow.run
    async def run(self, *given: object) -> list[Alert]:
        """`given`: whatever a start carried, only to refuse it."""
        takes_no_input(given)
        raised = await workflow.execute_activity_method(
            AlertActivities.sweep_alerts,
            AlertSweep(at=workflow.now()),
            summary="find and record alerts",
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        for alert in raised:
            if alert.kind is AlertKind.CONCENTRATION:
                for complaint_id in alert.complaint_ids:
                    await self._raise_risk(complaint_id, alert)
        return raised

    async def _raise_risk(self, complaint_id: str, alert: Alert) -> None:
        case = workflow.get_external_workflow_handle(workflow_id_for(complaint_id))
        raise_to = Escalation(by=ALERTS, reason=alert.text(), risk=RiskLevel.HIGH)
        try:
            await case.signal("escalate", raise_to)
        except Exception:  # the case ended since the sweep read the store: nothing to raise
            workflow.logger.info(
                "case gone before its risk was raised", extra={"complaint_id": complaint_id}
            )
