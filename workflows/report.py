"""ComplaintReport: one brief or risk report, for the period that just ended; run by the daily,
weekly and monthly Temporal Schedules (`starter.schedules`)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.reports import ReportActivities, ReportRequest
    from reports.periods import ReportKind, last_period


# AUTO_UPGRADE: a run lasts seconds and is one activity; a run caught by a new build moves to
# it, so no scheduled run keeps an old build's workers up (docs/versioning.md).
@workflow.defn(name="ComplaintReport", versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class ComplaintReportWorkflow:
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
