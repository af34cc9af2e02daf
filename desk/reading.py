"""Reading a case by its queries' names, answers typed, without importing the workflow code:
`complaint-desk show` needs a snapshot and a timeline, not the lifecycle's rules. A test keeps
these names and the workflow id in step with `workflows.complaint`."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from desk.errors import CaseNotFound
from schemas.case import CaseSnapshot, TimelineEntry
from schemas.customer_view import CustomerView

WORKFLOW_ID_PREFIX = "complaint-"  # `workflows.complaint.workflow_id_for`
SNAPSHOT, TIMELINE, CUSTOMER_VIEW = "snapshot", "timeline", "customer_view"


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


async def case_and_timeline(
    client: Client, complaint_id: str
) -> tuple[CaseSnapshot, list[TimelineEntry]]:
    """A query reaches ended cases too: Temporal's NOT_FOUND means there is none."""
    handle = client.get_workflow_handle(workflow_id(complaint_id))
    try:
        snapshot = await query(handle, SNAPSHOT, result_type=CaseSnapshot)
        timeline = await query(handle, TIMELINE, 0, result_type=list[TimelineEntry])
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise CaseNotFound(complaint_id) from None
    return snapshot, timeline


async def customer_view(client: Client, complaint_id: str) -> CustomerView:
    handle = client.get_workflow_handle(workflow_id(complaint_id))
    try:
        view = await query(handle, CUSTOMER_VIEW, result_type=CustomerView)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise CaseNotFound(complaint_id) from None
    return view
