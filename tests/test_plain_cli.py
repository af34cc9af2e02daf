"""An integrator's plain `temporal` CLI, without the codec: an applied update exits 0 with a
readable acknowledgement, a refused one says why, a failed start names what is wrong, and the
case's current details say they are encrypted; none of it shows the customer's data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.support import temporal_cli
from tests.support.desk import Desk, eventually, intake
from workflows.complaint import workflow_id_for

pytestmark = pytest.mark.devserver

# What the test intake carries that must never show in clear (tests/support/desk.py `intake`).
PERSONAL = ("王小明", "138 0000", "U-42", "漏水", "上门更换")


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return dev_env


async def plain(env: WorkflowEnvironment, *args: str) -> tuple[int, str]:
    """The `temporal` CLI with no codec: its exit code, and what it printed (out and err)."""
    code, out, err = await temporal_cli.run(env, *args)
    return code, out + err


def no_personal_data(text: str) -> None:
    assert not [p for p in PERSONAL if p in text], text


async def test_an_applied_update_exits_0_with_what_it_did(desk: Desk) -> None:
    """Before: `Error: … payload encoding is not supported`, exit 1, though the plan was kept."""
    cid = await desk.open()
    plan = {"agent": "agent-zhang", "summary": "上门更换", "compensation_yuan": "80"}
    code, out = await plain(desk.env, *temporal_cli.update(cid, "propose_plan", plan))
    assert code == 0, out
    no_personal_data(out)
    assert '"action": "plan"' in out.replace(':"', ': "') or "plan" in out
    assert "approval_requested" in out and cid in out and "investigate" in out
    case = await desk.api.snapshot(cid)
    assert case.plan_awaiting_approval is not None  # it was applied, once


async def test_a_refused_update_says_why_and_an_unreadable_one_names_the_fields(
    desk: Desk,
) -> None:
    cid = await desk.open()
    code, out = await plain(
        desk.env, *temporal_cli.update(cid, "approve_compensation", {"by": "sup-li"})
    )
    assert code != 0 and "no plan awaits approval" in out, out
    code, out = await plain(
        desk.env, *temporal_cli.update(cid, "respond", {"text": "王小明 +86 138 0000"})
    )
    assert code != 0 and "agent: missing" in out, out
    no_personal_data(out)


async def test_a_failed_start_names_what_is_wrong_and_nothing_personal(desk: Desk) -> None:
    """Before: "Encoded failure" without the codec, and with it a dump of nine errors, five of
    them about the internal CaseState."""
    cid = f"C-bad-{uuid.uuid4().hex[:8]}"
    bad = {**intake(cid, datetime.now(UTC)), "channel": "fax"}
    code, out = await plain(desk.env, *temporal_cli.start(desk.api.task_queue, cid, bad))
    assert code == 0, out
    code, out = await plain(desk.env, "workflow", "result", "--workflow-id", workflow_id_for(cid))
    assert code != 0
    assert "channel: enum" in out and "CaseState" not in out and "Encoded failure" not in out
    no_personal_data(out)


async def test_the_current_details_say_they_are_encrypted(desk: Desk) -> None:
    cid = await desk.open()

    async def details() -> str | None:
        code, out = await plain(
            desk.env, "workflow", "metadata", "--workflow-id", workflow_id_for(cid)
        )
        return out if code == 0 and "Details are encrypted" in out else None

    shown = await eventually(details)
    no_personal_data(shown)
