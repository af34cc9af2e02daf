"""Forged and replayed starts through the real door (issue 23, items 1 and 3): the plain
`temporal` CLI, without the codec, against the dev server as `./dev up` runs it.

- A carried `CaseState` naming an existing case, started under any id, is refused at once: only
  the case's own continue-as-new may carry state. Nothing is written, no message is sent, the
  named case's rows are as they were.
- A start (or a signal-with-start, or an update-with-start) under an ended case's id opens no
  new run of that case: the store already holds the complaint, so the run is refused before it
  writes anything.
- A major-event review started by anyone but its case is refused the same way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment

from schemas import Outcome, Stage
from schemas.intake import ComplaintIntake
from tests.support.desk import Desk, intake
from tests.support.integrity import failed_tasks, refused_start, rows_of, stored_quietly, unique
from tests.support.temporal_cli import run, start
from workflows.case_file import CaseFile
from workflows.complaint import workflow_id_for
from workflows.ids import review_id

pytestmark = pytest.mark.devserver

ATTACKER = {"name": "李四", "contact": {"email": "thief@example.com"}, "account_id": "U-666"}


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return dev_env


async def forged_state(desk: Desk, complaint_id: str) -> dict[str, Any]:
    """A carried state as an attacker would write it: the named case, the attacker's contact."""
    given = ComplaintIntake.model_validate(
        intake(complaint_id, await desk.now(), customer=ATTACKER)
    )
    state = CaseFile.open(given, workflow_id_for(complaint_id), await desk.now()).state
    return state.model_dump(mode="json")


async def attacker_messages(desk: Desk) -> int:
    return int(
        await desk.pool.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE recipient LIKE '%thief%'"
        )
    )


async def test_a_forged_carried_state_is_refused_and_touches_no_other_case(desk: Desk) -> None:
    real = await desk.open()
    before = await stored_quietly(desk, real)
    forged = await forged_state(desk, real)
    for workflow_id in (f"complaint-{unique('EVIL')}", workflow_id_for(unique("C-other"))):
        cli = [*start(desk.api.task_queue, real, forged)]
        cli[cli.index("--workflow-id") + 1] = workflow_id
        reason = await refused_start(desk, workflow_id, *cli)
        assert "accepted only from that case's own continue-as-new" in reason
    # under the case's own id the running case is the one that answers: no new run starts
    handle = desk.env.client.get_workflow_handle(workflow_id_for(real))
    running = (await handle.describe()).run_id
    code, out, err = await run(desk.env, *start(desk.api.task_queue, real, forged))
    assert code != 0 or running in out, (out, err)
    assert (await handle.describe()).run_id == running
    assert await rows_of(desk, real) == before
    assert await attacker_messages(desk) == 0
    assert (await desk.api.snapshot(real)).stage is Stage.INVESTIGATE


async def test_an_ended_case_cannot_be_started_again(desk: Desk) -> None:
    survivor = await desk.open()
    ended = await desk.open(channel="hotline")
    await desk.api.merge(ended, {"by": "sup-li", "into": survivor, "reason": "同一台洗衣机"})
    assert (await desk.api.outcome(ended)).outcome is Outcome.MERGED
    before = await stored_quietly(desk, ended)
    again = intake(ended, await desk.now(), customer=ATTACKER)
    wid = workflow_id_for(ended)

    reason = await refused_start(desk, wid, *start(desk.api.task_queue, ended, again))
    assert f"complaint {ended} already has a case (stage ended)" in reason
    signal_with_start = [
        *("workflow", "signal-with-start", "--type", "Complaint"),
        *("--task-queue", desk.api.task_queue, "--workflow-id", wid),
        *("--input", json.dumps(again, ensure_ascii=False)),
        *("--signal-name", "customer_reply", "--signal-input", json.dumps({"text": "在吗"})),
    ]
    assert "already has a case" in await refused_start(desk, wid, *signal_with_start)
    plan = {"agent": "agent-zhang", "summary": "上门维修"}
    update_with_start = [
        *("workflow", "execute-update-with-start", "--type", "Complaint"),
        *("--task-queue", desk.api.task_queue, "--workflow-id", wid),
        *("--id-conflict-policy", "Fail", "--input", json.dumps(again, ensure_ascii=False)),
        *("--update-name", "propose_plan", "--update-input", json.dumps(plan, ensure_ascii=False)),
    ]
    await run(desk.env, *update_with_start)  # refused or accepted, the run it opened must fail
    handle = desk.env.client.get_workflow_handle(wid)
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert "already has a case" in str(failed.value.cause)
    assert await failed_tasks(handle) == 0
    forged = await forged_state(desk, ended)
    assert "continue-as-new" in await refused_start(
        desk, wid, *start(desk.api.task_queue, ended, forged)
    )
    assert await rows_of(desk, ended) == before
    assert await attacker_messages(desk) == 0


async def test_a_review_not_started_by_its_case_is_refused(desk: Desk) -> None:
    real = await desk.open()
    now = (await desk.now()).isoformat()
    request = {
        "complaint_id": real,
        "round": 0,
        "subject": "伪造",
        "closed_at": now,
        "due_at": now,
    }
    wid = review_id(real, 0)
    cli = [
        *("workflow", "start", "--type", "MajorEventReview", "--task-queue"),
        *(desk.api.task_queue, "--workflow-id", wid, "--input", json.dumps(request)),
    ]
    reason = await refused_start(desk, wid, *cli)
    assert "started only by its case" in reason
    reviews = await desk.pool.fetchval("SELECT count(*) FROM reviews WHERE complaint_id = $1", real)
    assert reviews == 0
