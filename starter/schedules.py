"""The Temporal Schedules the system runs on: created by `complaint-desk setup` and `./dev up`,
idempotently (a second setup finds them and changes nothing)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from workflows.alert_sweep import AlertSweepWorkflow
from workflows.complaint import TASK_QUEUE

ALERT_SWEEP = "complaint-alert-sweep"
ALERT_SWEEP_EVERY = timedelta(minutes=5)


async def ensure_schedules(client: Client, task_queue: str = TASK_QUEUE) -> list[str]:
    """Create the schedules that are missing; returns the ids it created."""
    sweep = Schedule(
        action=ScheduleActionStartWorkflow(
            AlertSweepWorkflow.run, id=ALERT_SWEEP, task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=ALERT_SWEEP_EVERY)]),
        # A sweep still running when the next is due: skip the next, never pile them up.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(ALERT_SWEEP, sweep)
    except ScheduleAlreadyRunningError:
        return []
    return [ALERT_SWEEP]
