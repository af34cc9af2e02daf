"""Reading a case by its queries' names, answers typed, without importing the workflow code:
`complaint-desk show` needs a snapshot and a timeline, not the lifecycle's rules. A test keeps
these names and the workflow id in step with `workflows.complaint`."""

from __future__ import annotations

from temporalio.client import Client

from schemas.case import CaseSnapshot, TimelineEntry
from schemas.customer_view import CustomerView

WORKFLOW_ID_PREFIX = "complaint-"  # `workflows.complaint.workflow_id_for`
SNAPSHOT, TIMELINE, CUSTOMER_VIEW = "snapshot", "timeline", "customer_view"


def workflow_id(complaint_id: str) -> str:
    return WORKFLOW_ID_PREFIX + complaint_id


async def case_and_timeline(
    client: Client, complaint_id: str
) -> tuple[CaseSnapshot, list[TimelineEntry]]:
    handle = client.get_workflow_handle(workflow_id(complaint_id))
    snapshot = await handle.query(SNAPSHOT, result_type=CaseSnapshot)
    timeline = await handle.query(TIMELINE, 0, result_type=list[TimelineEntry])
    return snapshot, timeline


async def customer_view(client: Client, complaint_id: str) -> CustomerView:
    handle = client.get_workflow_handle(workflow_id(complaint_id))
    view: CustomerView = await handle.query(CUSTOMER_VIEW, result_type=CustomerView)
    return view
