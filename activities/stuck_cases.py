"""The watchdog's activity, and how a stuck case is recognised (shared with `complaint-desk
show` and `repair`).

A case is stuck when its run is open and its pending workflow task has failed (or timed out)
`failed_tasks` times in a row. Candidates come from Temporal's own flag, the
`TemporalReportedProblems` search attribute (Server 1.30+; self-hosted it needs the dynamic
config `system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute`, which `./dev up`
sets); on a server without it, or with `scan_all`, every open case in visibility; on a server
without visibility (the time-skipping test server), every open case in the store. Each candidate
is then confirmed by `DescribeWorkflowExecution` and its history (attempt count, first failure,
last good task). Nothing read here is a payload: ids, times, counts and Temporal's cause only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import (
    EventType,
    TimeoutType,
    WorkflowExecutionStatus,
    WorkflowTaskFailedCause,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.notifier import Notifier
from case_store import stuck_cases
from case_store.db import Pool
from desk.reading import describe
from schemas.notification import Audience, Notification
from schemas.stuck_cases import REPORTED_PROBLEMS, StuckCase, WatchdogPolicy, WatchdogSweep
from telemetry import logs

OPEN_CASES = 'WorkflowType = "Complaint" AND ExecutionStatus = "Running"'
REPORTED = f"{OPEN_CASES} AND {REPORTED_PROBLEMS}"
_FAILED = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
_TIMED_OUT = EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


async def diagnose(
    client: Client, workflow_id: str, failed_tasks: int = 1, *, read_history: bool = False
) -> StuckCase | None:
    """The case as stuck, if its open run's workflow task has failed `failed_tasks` times in a
    row; None if it is moving (or ended). The history is read only for a run whose pending task
    has failed, unless `read_history` (a server that does not report pending tasks, such as the
    time-skipping test server, which records every failed attempt in the history instead)."""
    raw = await describe(client, workflow_id)
    if raw is None:  # no such case (or gone since it was listed)
        return None
    info = raw.workflow_execution_info
    if info.status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        return None
    pending = raw.pending_workflow_task if raw.HasField("pending_workflow_task") else None
    if not read_history and (pending is None or pending.attempt - 1 < failed_tasks):
        return None
    run_id = info.execution.run_id
    last_good: int | None = None
    failures: list[Any] = []  # since the last good task
    async for event in client.get_workflow_handle(
        workflow_id, run_id=run_id
    ).fetch_history_events():
        if event.event_type == _COMPLETED:
            last_good, failures = event.event_id, []
        elif _is_failure(event):
            failures.append(event)
    # The server keeps only the first failure of a streak in the history (the retries are
    # transient); the pending task's attempt counts them all.
    attempts = max(pending.attempt if pending else 0, len(failures) + 1 if failures else 0)
    if not failures or attempts - 1 < failed_tasks:
        return None
    first = failures[0]
    return StuckCase(
        complaint_id=workflow_id.removeprefix("complaint-"),
        workflow_id=workflow_id,
        run_id=run_id,
        failed_event_id=first.event_id,
        since=first.event_time.ToDatetime(tzinfo=UTC),
        attempts=attempts,
        cause=_cause(first),
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


OpenCases = Callable[[int], Awaitable[list[str]]]  # the store's open cases' workflow ids


async def find_stuck(
    client: Client, policy: WatchdogPolicy, store_open: OpenCases | None = None
) -> list[StuckCase]:
    """Every stuck case the server shows now (at most `policy.limit`). Candidates: Temporal's
    flag; on a server without it, every open case in visibility; on one without visibility
    (the time-skipping test server), every open case in the store (`store_open`)."""
    found = []
    candidates, from_store = await _candidates(client, policy, store_open)
    for workflow_id in candidates:
        try:
            case = await diagnose(client, workflow_id, policy.failed_tasks, read_history=from_store)
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:  # ended and gone since it was listed
                continue
            raise
        if case:
            found.append(case)
    return found


async def _candidates(
    client: Client, policy: WatchdogPolicy, store_open: OpenCases | None
) -> tuple[list[str], bool]:
    """The workflow ids to look at, and whether they came from the store."""
    queries = [OPEN_CASES] if policy.scan_all else [REPORTED, OPEN_CASES]
    for query in queries:
        try:
            return [e.id async for e in client.list_workflows(query, limit=policy.limit)], False
        except RPCError as err:
            if err.status is RPCStatusCode.INVALID_ARGUMENT and query == REPORTED:
                continue  # a server without TemporalReportedProblems: look at every open case
            if err.status is RPCStatusCode.UNIMPLEMENTED and store_open is not None:
                break  # no visibility at all
            raise
    assert store_open is not None
    return await store_open(policy.limit), True


class StuckCaseActivities:
    def __init__(
        self, pool: Pool, notifier: Notifier, policy: WatchdogPolicy | None = None
    ) -> None:
        self._pool = pool
        self._notifier = notifier
        self._policy = policy or WatchdogPolicy()

    async def _open_cases(self, limit: int) -> list[str]:
        return await stuck_cases.open_workflows(self._pool, limit)

    @activity.defn(name="find_stuck_cases")
    async def find_stuck_cases(self, sweep: WatchdogSweep) -> list[StuckCase]:
        """Record each stuck case (one alert per episode), tell supervisors once per episode
        (the episode key is the notification's key) and close the episodes that moved again."""
        found = await find_stuck(activity.client(), self._policy, self._open_cases)
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
                    facts=case.facts(),
                    urgent=True,
                )
            )
            logs.for_activity().warning(
                "case stuck",
                complaint_id=case.complaint_id,
                case_workflow_id=case.workflow_id,
                run_id=case.run_id,
                attempts=case.attempts,
                cause=case.cause,
                since=case.since.isoformat(),
            )
        logs.for_activity().info("stuck cases swept", stuck=len(found), cleared=cleared)
        return found


def stuck_since(case: StuckCase, now: datetime) -> str:
    """How long, for people: `3 h 5 min`."""
    minutes = int((now - case.since).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
