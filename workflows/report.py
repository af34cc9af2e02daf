"""ComplaintReport: one brief or risk report, for the period that just ended; run by the daily,
weekly and monthly Temporal Schedules (`starter.schedules`). Its one input is the kind, an enum:
a forged start can only build a report the schedule would, and a repeat rewrites the same row
(keyed by kind and period), never a second one."""

from __future__ import annotations

import inspect
from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.reports import ReportActivities, ReportRequest
    from encryption.codec import UndecryptablePayload
    from reports.periods import ReportKind, last_period
    from schemas.refusals import Refusal, RefusalCode
    from workflows.starts import refuse_start


# AUTO_UPGRADE: a run lasts seconds and is one activity; a run caught by a new build moves to
# it, so no scheduled run keeps an old build's workers up (docs/versioning.md).
# A kind that is not one (or cannot be decoded) fails the run, never its task.
@workflow.defn(
    name="ComplaintReport",
    versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    failure_exception_types=[ValidationError, UndecryptablePayload],
)
class ComplaintReportWorkflow:
    @workflow.init
    def __init__(self, kind: ReportKind | None = None, *extra: object) -> None:
        if kind is None or extra:
            given = len(extra) + (kind is not None)
            workflow_id = workflow.info().workflow_id
            refuse_start(
                Refusal(
                    RefusalCode.REPORT_TAKES_ITS_KIND, {"workflow_id": workflow_id, "given": given}
                )
            )

    @workflow.run
    async def run(self, kind: ReportKind) -> str:
        start, end = last_period(kind, workflow.now())
        return await workflow.execute_activity_method(
            ReportActivities.build_report,
            ReportRequest(kind=kind, start=start, end=end),
            summary=f"build the {kind.value} report",
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
        )

    # `__init__` takes any inputs, so that a start with none or two fails the run with the
    # reason (Python would refuse the call, and the SDK retry that task for ever); to the SDK,
    # which requires the two to match, it shows the signature of `run`.
    setattr(__init__, "__signature__", inspect.signature(run))  # noqa: B010
