"""What a case's door is checked by (test_integrity*.py): ids no other test uses, failed workflow
tasks, and every row the store holds for a case, once its writes have caught up; a start the
plain CLI makes that the workflow refuses."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowHandle

from tests.support.desk import Desk, eventually
from tests.support.temporal_cli import run


def unique(prefix: str) -> str:
    """A complaint id no other test uses: on a shared dev server (`@on_both_servers`) workflow
    ids outlive a test."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def failed_tasks(handle: WorkflowHandle[Any, Any]) -> int:
    history = await handle.fetch_history()
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED for e in history.events)


async def rows_of(desk: Desk, complaint_id: str) -> tuple[Any, ...]:
    """Everything the store holds for a case."""
    return (
        [
            tuple(r)
            for r in await desk.pool.fetch(
                "SELECT * FROM complaints WHERE complaint_id = $1", complaint_id
            )
        ],
        [
            tuple(r)
            for r in await desk.pool.fetch(
                "SELECT * FROM complaint_events WHERE complaint_id = $1 ORDER BY workflow_id, seq",
                complaint_id,
            )
        ],
        [
            tuple(r)
            for r in await desk.pool.fetch(
                "SELECT key FROM notification_outbox WHERE complaint_id = $1 ORDER BY key",
                complaint_id,
            )
        ],
    )


async def stored_quietly(desk: Desk, complaint_id: str) -> tuple[Any, ...]:
    """The case's rows once its writes have caught up with its timeline."""
    case = await desk.api.snapshot(complaint_id)

    async def probe() -> tuple[Any, ...] | None:
        rows = await rows_of(desk, complaint_id)
        return rows if len(rows[1]) == case.timeline_length else None

    return await eventually(probe)


async def refused_start(desk: Desk, workflow_id: str, *cli: str) -> str:
    """The CLI's start goes through; the run it opened fails at once with the reason, and no
    workflow task failed on the way."""
    code, _, err = await run(desk.env, *cli)
    assert code == 0, err
    handle = desk.env.client.get_workflow_handle(workflow_id)
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert await failed_tasks(handle) == 0, "a workflow task failed"
    return str(failed.value.cause)
