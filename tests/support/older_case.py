"""A case as a build from before `staff_view` answers it (2026-12-07): the snapshot and the
timeline, and its intake as its start input, no more. A workflow of a module of its own, as the
sandbox requires."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.case import CaseSnapshot, TimelineEntry
    from schemas.intake import ComplaintIntake
    from workflows.case_file import CaseFile


@workflow.defn(name="Complaint")
class CaseBeforeStaffView:
    @workflow.init
    def __init__(self, start: ComplaintIntake) -> None:
        self._case = CaseFile.open(start, workflow.info().workflow_id, workflow.now())

    @workflow.run
    async def run(self, start: ComplaintIntake) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query
    def snapshot(self) -> CaseSnapshot:
        return self._case.snapshot()

    @workflow.query
    def timeline(self, since_seq: int = 0) -> list[TimelineEntry]:
        return self._case.entries_since(since_seq)
