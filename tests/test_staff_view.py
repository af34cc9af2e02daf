"""The case page's one read (`ComplaintDesk.staff_view`): the same case, timeline and intake as
the three reads it replaced, through Temporal; and a case whose code lacks the query (a build
from before it) is read the older way."""

from __future__ import annotations

import uuid

import pytest
from temporalio.worker import Worker

from desk.errors import CaseNotFound
from schemas.intake import ComplaintIntake
from schemas.staff_view import StaffView
from tests.support.desk import Desk, eventually
from tests.support.desk import intake as support_intake
from tests.support.older_case import CaseBeforeStaffView
from workflows.ids import workflow_id_for


async def test_the_staff_view_is_the_case_its_timeline_and_the_complaint(desk: Desk) -> None:
    cid = await desk.open()
    await desk.api.add_finding(cid, {"agent": "agent-zhang", "summary": "阀门松动，批次 7"})

    async def settled() -> StaffView | None:  # the case's own work may land between reads
        seen = await desk.api.staff_view(cid)
        alone = (await desk.api.snapshot(cid), await desk.api.timeline(cid))
        return seen if (seen.case, seen.timeline) == alone else None

    seen = await eventually(settled)
    assert seen.intake == await desk.api.intake(cid)  # the customer and their words
    assert seen.intake.customer.name and seen.intake.description
    assert "阀门松动，批次 7" in [e.facts.get("finding") for e in seen.timeline]


async def test_a_case_from_before_the_query_is_read_the_older_way(desk: Desk) -> None:
    """A case pinned to an older build has no `staff_view`: its page still reads."""
    cid = f"C-older-{uuid.uuid4().hex[:6]}"
    queue = f"older-{uuid.uuid4().hex[:6]}"
    intake = ComplaintIntake.model_validate(support_intake(cid, await desk.now()))
    async with Worker(desk.api.client, task_queue=queue, workflows=[CaseBeforeStaffView]):
        await desk.api.client.start_workflow(
            "Complaint", intake, id=workflow_id_for(cid), task_queue=queue
        )
        seen = await desk.api.staff_view(cid)
        assert seen.case == await desk.api.snapshot(cid)
        assert seen.timeline == await desk.api.timeline(cid)
        assert seen.intake == intake
        with pytest.raises(CaseNotFound):  # and a case that is not there is still not there
            await desk.api.staff_view(f"C-none-{uuid.uuid4().hex[:6]}")
