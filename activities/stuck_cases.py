"""The watchdog's activity, and how a stuck case is recognised (shared with `complaint-desk
show` and `repair`).

A case is stuck when its run is open and its pending workflow task has failed (or timed out)
`failed_tasks` times in a row. Candidates come from Temporal's own flag, the
`TemporalReportedProblems` search attribute (Server 1.30+; self-hosted it needs the dynamic
config `system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute`, which `./dev up`
sets), or, on a server without it or with `scan_all`, from every open case; each candidate is
then confirmed by `DescribeWorkflowExecution` and its history (attempt count, first failure,
last good task). Nothing read here is a payload: ids, times, counts and Temporal's cause only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity
from temporalio.api.enums.v1 import (
    EventType,
    TimeoutType,
    WorkflowExecutionStatus,
    WorkflowTaskFailedCause,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

import logs
from activities.notifier import Notifier
from case_store import stuck_cases
from case_store.db import Pool
from schemas.notification import Audience, Notification
from schemas.stuck_cases import REPORTED_PROBLEMS, StuckCase, WatchdogPolicy, WatchdogSweep

OPEN_CASES = 'WorkflowType = "Complaint" AND ExecutionStatus = "Running"'
REPORTED = f"{OPEN_CASES} AND {REPORTED_PROBLEMS}"
_FAILED = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
_TIMED_OUT = EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


async def diagnose(client: Client, workflow_id: str, failed_tasks: int = 1) -> StuckCase | None:
    """The case as stuck, if its open run's workflow task has failed `failed_tasks` times in a
    row; None if it is moving (or ended)."""
    handle = client.get_workflow_handle(workflow_id)
    raw = (await handle.describe()).raw_description
    pending = raw.pending_workflow_task
    info = raw.workflow_execution_info
    running = info.status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    if not running or not raw.HasField("pending_workflow_task"):
        return None
    if pending.attempt - 1 < failed_tasks:
        return None
    run_id = info.execution.run_id
    last_good: int | None = None
    first_failure = None
    async for event in client.get_workflow_handle(
        workflow_id, run_id=run_id
    ).fetch_history_events():
        if event.event_type == _COMPLETED:
            last_good, first_failure = event.event_id, None
        elif first_failure is None and _is_failure(event):
            first_failure = event
    when = first_failure.event_time if first_failure else pending.original_scheduled_time
    since = when.ToDatetime(tzinfo=UTC)
    return StuckCase(
        complaint_id=workflow_id.removeprefix("complaint-"),
        workflow_id=workflow_id,
        run_id=run_id,
        failed_event_id=first_failure.event_id if first_failure else 0,
        since=since,
        attempts=pending.attempt,
        cause=_cause(first_failure),
        reset_to=last_good,
    )


def _is_failure(event: object) -> bool:
    kind = getattr(event, "event_type", None)
    if kind == _FAILED:
        return True
    if (
        kind == _TIMED_OUT
    ):  # a sticky queue's schedule-to-start timeout is a lost worker, not a fault
        timeout = event.workflow_task_timed_out_event_attributes.timeout_type  # type: ignore[attr-defined]
        return bool(timeout != TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
    return False


def _cause(event: object | None) -> str:
    if event is None:
        return "unknown"
    if getattr(event, "event_type", None) == _TIMED_OUT:
        return "timed_out"
    cause = event.workflow_task_failed_event_attributes.cause  # type: ignore[attr-defined]
    name = WorkflowTaskFailedCause.Name(cause)
    return name.removeprefix("WORKFLOW_TASK_FAILED_CAUSE_").lower()


async def find_stuck(client: Client, policy: WatchdogPolicy) -> list[StuckCase]:
    """Every stuck case the server shows now (at most `policy.limit`)."""
    ids: list[str] = []
    query = OPEN_CASES if policy.scan_all else REPORTED
    try:
        async for execution in client.list_workflows(query, limit=policy.limit):
            ids.append(execution.id)
    except RPCError as err:
        if err.status is not RPCStatusCode.INVALID_ARGUMENT or query == OPEN_CASES:
            raise
        # A server without TemporalReportedProblems: look at every open case instead.
        async for execution in client.list_workflows(OPEN_CASES, limit=policy.limit):
            ids.append(execution.id)
    found = []
    for workflow_id in ids:
        try:
            case = await diagnose(client, workflow_id, policy.failed_tasks)
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:  # ended and gone since it was listed
                continue
            raise
        if case:
            found.append(case)
    return found


class StuckCaseActivities:
    def __init__(self, pool: Pool, notifier: Notifier) -> None:
        self._pool = pool
        self._notifier = notifier

    @activity.defn(name="find_stuck_cases")
    async def find_stuck_cases(self, sweep: WatchdogSweep) -> list[StuckCase]:
        """Record each stuck case (one alert per episode), tell supervisors once per episode
        (the episode key is the notification's key) and close the episodes that moved again."""
        found = await find_stuck(activity.client(), sweep.policy)
        async with self._pool.acquire() as connection:
            for case in found:
                await stuck_cases.record(connection, case, sweep.at)
            cleared = await stuck_cases.clear(connection, [c.key for c in found], sweep.at)
        for case in found:
            await self._notifier.send(
                Notification(
                    key=f"alert/{case.key}",
                    complaint_id=case.complaint_id,
                    audience=Audience.SUPERVISOR,
                    recipient=None,
                    topic="alert_stuck",
                    text=case.text(),
                    urgent=True,
                )
            )
            logs.for_activity().warning(
                "case stuck", complaint_id=case.complaint_id, case_workflow_id=case.workflow_id,
                run_id=case.run_id, attempts=case.attempts, cause=case.cause,
                since=case.since.isoformat(),
            )  # fmt: skip
        logs.for_activity().info("stuck cases swept", stuck=len(found), cleared=cleared)
        return found


def stuck_since(case: StuckCase, now: datetime) -> str:
    """How long, for people: `3 h 5 min`."""
    minutes = int((now - case.since).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
