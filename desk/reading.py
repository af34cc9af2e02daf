"""Reading a case by its queries' names, answers typed, without importing the workflow code:
`complaint-desk show` needs a snapshot and a timeline, not the lifecycle's rules. A test keeps
these names and the workflow id in step with `workflows.complaint`."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from desk.errors import CaseEnded, CaseNotFound, DeskError, NotReady
from schemas.case import CaseSnapshot, TimelineEntry
from schemas.customer_view import CustomerView

WORKFLOW_ID_PREFIX = "complaint-"  # `workflows.complaint.workflow_id_for`
SNAPSHOT, TIMELINE, CUSTOMER_VIEW = "snapshot", "timeline", "customer_view"
STAFF_VIEW = "staff_view"  # since 2026-12-07: a case started on an older build lacks it
STAGE_ATTRIBUTE = "ComplaintStage"  # `workflows.search_attributes.STAGE`: set by every case


# The reason a worker refuses a query it could only answer from events no task has handled yet
# (worker.py `FreshTasksOnly`); asked again, the query waits for that task.
CASE_NOT_READY = "the case has events no workflow task has handled yet; ask again"
READY_WITHIN = 60.0  # seconds: a task left on a dead worker's queue moves on within about 10

Answer = TypeVar("Answer")


async def query(
    handle: WorkflowHandle[Any, Any], name: str, *args: Any, result_type: type[Answer]
) -> Answer:
    """A query, asked again while a worker refuses it for `CASE_NOT_READY` (bounded)."""
    async with asyncio.timeout(READY_WITHIN):
        while True:
            try:
                answer: Answer = await handle.query(name, *args, result_type=result_type)
                return answer
            except WorkflowQueryFailedError as err:
                if CASE_NOT_READY not in str(err):
                    raise
            await asyncio.sleep(0.2)


def workflow_id(complaint_id: str) -> str:
    return WORKFLOW_ID_PREFIX + complaint_id


async def describe(client: Client, workflow_id: str) -> DescribeWorkflowExecutionResponse | None:
    """Temporal's raw `DescribeWorkflowExecution` of the workflow's latest run; None: there is
    no such workflow. The one place this request is built (the watchdog's `diagnose`, the
    desk's `status`, and through it `show`, the API and re-open). Raw, because the SDK's
    `describe()` also decodes every search attribute, which none of them needs and which fails
    on the time-skipping test server's unset datetimes."""
    request = DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
    )
    try:
        return await client.workflow_service.describe_workflow_execution(request)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        return None


async def unanswered(client: Client, complaint_id: str) -> DeskError:
    """Why a query under this id got no answer, as the desk's error. A closed run that never set
    its stage never was a case (a start the workflow refused, a run someone else started under
    the id): `CaseNotFound`, like no run at all. A running one has not answered yet: `NotReady`."""
    described = await describe(client, workflow_id(complaint_id))
    if described is None:
        return CaseNotFound(complaint_id)
    info = described.workflow_execution_info
    if info.status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        return NotReady(f"case {complaint_id}: it does not answer now; ask again")
    if STAGE_ATTRIBUTE in info.search_attributes.indexed_fields:
        return CaseEnded(complaint_id)
    return CaseNotFound(complaint_id)


async def case_and_timeline(
    client: Client, complaint_id: str
) -> tuple[CaseSnapshot, list[TimelineEntry]]:
    """A query reaches ended cases too; a failed one is said as the desk's error (`unanswered`)."""
    handle = client.get_workflow_handle(workflow_id(complaint_id))
    try:
        snapshot = await query(handle, SNAPSHOT, result_type=CaseSnapshot)
        timeline = await query(handle, TIMELINE, 0, result_type=list[TimelineEntry])
    except (RPCError, WorkflowQueryFailedError, TimeoutError) as err:
        if isinstance(err, RPCError) and err.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise await unanswered(client, complaint_id) from None
    return snapshot, timeline


async def customer_view(client: Client, complaint_id: str) -> CustomerView:
    handle = client.get_workflow_handle(workflow_id(complaint_id))
    try:
        view = await query(handle, CUSTOMER_VIEW, result_type=CustomerView)
    except (RPCError, WorkflowQueryFailedError, TimeoutError) as err:
        if isinstance(err, RPCError) and err.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise await unanswered(client, complaint_id) from None
    return view
