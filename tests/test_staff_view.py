"""The case page's one read (`ComplaintDesk.staff_view`): the same case, timeline and intake as
the three reads it replaced, through Temporal; and a case whose code lacks the query is told
apart from a case that does not answer, so the desk reads such a case the older way."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowQueryFailedError

from desk import reading
from schemas.staff_view import StaffView
from tests.support.desk import Desk, eventually
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


async def test_a_query_the_case_lacks_is_told_apart(desk: Desk) -> None:
    """The SDK's words for a query the workflow has no handler for are what the desk falls
    back on (`reading.unknown_query`): checked against a real worker's answer."""
    cid = await desk.open()
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    with pytest.raises(WorkflowQueryFailedError) as refused:
        await handle.query("no_such_view")
    assert reading.unknown_query(refused.value, "no_such_view")
    assert not reading.unknown_query(refused.value, reading.STAFF_VIEW)
