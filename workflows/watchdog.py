"""StuckCaseWatchdog: run by a Temporal Schedule (`complaint-stuck-cases`, `complaint-desk
setup`), it finds the complaint workflows whose workflow task keeps failing — cases that show
RUNNING but handle no message, action or deadline — records one alert per episode and tells
supervisors. The work is one activity: it reads Temporal's visibility and the store. What counts
as stuck is the worker's (`build_worker(watchdog=...)`, from `COMPLAINT_WATCHDOG_*`); a start
takes no input."""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.stuck_cases import StuckCaseActivities
    from encryption.codec import UndecryptablePayload
    from schemas.stuck_cases import StuckCase, WatchdogSweep
    from workflows.starts import takes_no_input


# AUTO_UPGRADE: a run lasts seconds and is one activity; a run caught by a new build moves to
# it, so no scheduled run keeps an old build's workers up (docs/versioning.md).
# An input that cannot be decoded fails the run, never its task (it stays in the history).
@workflow.defn(
    name="StuckCaseWatchdog",
    versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    failure_exception_types=[ValidationError, UndecryptablePayload],
)
class StuckCaseWatchdogWorkflow:
    @workflow.run
    async def run(self, *given: object) -> list[StuckCase]:
        """`given`: whatever a start carried, only to refuse it."""
        takes_no_input(given)
        return await workflow.execute_activity_method(
            StuckCaseActivities.find_stuck_cases,
            WatchdogSweep(at=workflow.now()),
            summary="find stuck cases",
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
