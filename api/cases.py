"""Calling a case through Temporal, and saying in HTTP what Temporal answered.

An unknown case is 404; an ended one 409 (re-open it; `ended_case`); a refused update 409 with the workflow's
reason; Temporal out of reach 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import TypeAdapter, ValidationError
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError, FieldProblem
from schemas.text import Identifier
from starter.client import ComplaintDesk

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


def complaint_path(complaint_id: str) -> str:
    """The path's complaint id, refused (422) unless it is an id a case could have."""
    try:
        return _IDENTIFIER.validate_python(complaint_id)
    except ValidationError:
        message = "not a complaint id (letters, digits, _ . : @ -, at most 64)"
        raise ApiError(
            422,
            "invalid input, nothing was done: complaint_id",
            [FieldProblem(field="complaint_id", message=message)],
        ) from None


@asynccontextmanager
async def on_case(desk: ComplaintDesk, complaint_id: str) -> AsyncIterator[None]:
    try:
        yield
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type == "InvalidAction":
            raise ApiError(409, f"refused: {cause.message}") from None
        raise
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise await _missing(desk, complaint_id) from None
        if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise ApiError(
                503, "the case service is not reachable now; retry", headers={"Retry-After": "1"}
            ) from None
        raise


async def _missing(desk: ComplaintDesk, complaint_id: str) -> ApiError:
    status = await desk.status(complaint_id)
    if status is None:
        return ApiError(404, f"no case {complaint_id}")
    if status is not WorkflowExecutionStatus.RUNNING:
        return ended_case(complaint_id)
    return ApiError(404, f"no case {complaint_id}")


def ended_case(complaint_id: str) -> ApiError:
    """409 for a message to a case that has ended: its run closed, or its stage is done while
    the run still sends messages held for quiet hours."""
    return ApiError(
        409,
        f"case {complaint_id} has ended; a re-open request "
        f"(POST /v1/complaints/{complaint_id}/reopen) opens a linked case",
    )
