"""The server's side of the edges, on the dev server `complaint-desk up` runs (its limits the
same): an oversized signal is refused by the server and the case goes on; a run someone started
under a case's id that failed at its start reads as no case, never as a server error."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from desk import reading
from desk.errors import CaseNotFound
from starter.local import SERVER_LIMITS
from tests.support import temporal_cli
from tests.support.api import Api, running_api
from tests.support.desk import Desk, eventually
from workflows import search_attributes
from workflows.complaint import KEPT_TIMELINE_BYTES, workflow_id_for

pytestmark = pytest.mark.devserver


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return dev_env


@pytest.fixture
async def api(desk: Desk) -> AsyncIterator[Api]:
    async with running_api(desk.api) as running:
        yield running


def test_the_limits_leave_room_for_the_desks_own_largest_payload() -> None:
    assert SERVER_LIMITS["limit.blobSize.error"] >= 2 * KEPT_TIMELINE_BYTES
    assert SERVER_LIMITS["limit.blobSize.error"] < 1_000_000  # a 1 MB message is refused
    assert search_attributes.STAGE.name == reading.STAGE_ATTRIBUTE


async def test_a_1_mb_signal_is_refused_by_the_server_and_the_case_goes_on(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open()
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"text": "x" * 1_000_000}), encoding="utf-8")
    signal = temporal_cli.signal(cid, "customer_reply")
    code, out, err = await temporal_cli.run(desk.env, *signal, "--input-file", str(big))
    assert code != 0 and "limit" in (out + err).lower(), out + err
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    described = await handle.describe()
    assert described.status is WorkflowExecutionStatus.RUNNING
    assert (described.raw_description.workflow_execution_info.history_size_bytes) < 500_000
    before = len(await desk.api.timeline(cid))
    await desk.api.act(cid, "reply", {"text": "still here"})

    async def taken() -> bool | None:
        return True if len(await desk.api.timeline(cid)) > before else None

    await eventually(taken, 30)


async def test_a_run_that_failed_at_its_start_is_no_case(desk: Desk, api: Api) -> None:
    cid = f"C-X-{uuid.uuid4().hex[:8]}"
    start = [
        *("workflow", "start", "--type", "Complaint", "--task-queue", desk.api.task_queue),
        *("--workflow-id", workflow_id_for(cid), "--input", '{"bogus": 1}'),
    ]
    await temporal_cli.succeeded(desk.env, *start)
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))

    async def closed() -> WorkflowExecutionStatus | None:
        status = (await handle.describe()).status
        return status if status is not WorkflowExecutionStatus.RUNNING else None

    await eventually(closed, 30)
    for path in ("", "/snapshot"):  # what the customer sees, what staff see
        answer = await api.http.get(f"/v1/complaints/{cid}{path}", headers=api.auth("workspace"))
        assert answer.status_code == 404, (path, answer.text)
    with pytest.raises(CaseNotFound):  # what `complaint-desk show --live` says, exit 4
        await reading.case_and_timeline(desk.env.client, cid)
