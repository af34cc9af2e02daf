"""The plain `temporal` CLI, without the codec, sending what a careless backend would: an
invalid reply and 64 random bytes that claim to be ciphertext. Both are recorded on the case as
messages that could not be read; no workflow task fails; the case goes on."""

from __future__ import annotations

import base64
import json
import os

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from encryption.codec import KEY_ID
from schemas import EntryKind, Stage
from tests.support.desk import Desk, eventually
from tests.support.temporal_cli import run, signal, succeeded, update
from workflows.complaint import workflow_id_for

pytestmark = pytest.mark.devserver


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    """The dev server as `./dev up` runs it (test_dev_server's suggests continue-as-new early,
    which would close the run between two signals)."""
    return dev_env


async def test_bad_signals_from_the_plain_cli_are_recorded_and_the_case_goes_on(
    desk: Desk,
) -> None:
    cid = await desk.open()
    reply = signal(cid, "customer_reply")
    await succeeded(desk.env, *reply, "--input", json.dumps({"text": 5}))
    random = base64.b64encode(os.urandom(64)).decode()
    await succeeded(
        desk.env,
        *reply,
        "--input-base64",
        "--input",
        random,
        "--input-meta",
        "encoding=binary/encrypted",
        "--input-meta",
        f"{KEY_ID}=test-1",
    )

    async def recorded() -> list[str] | None:
        timeline = await desk.api.timeline(cid)
        found = [e.summary for e in timeline if e.kind is EntryKind.UNREADABLE]
        return found if len(found) == 2 else None

    invalid, poisoned = await eventually(recorded)
    assert "text: string_type" in invalid
    assert "cannot be decrypted" in poisoned
    answered = await desk.api.respond(cid, {"agent": "agent-zhang", "text": "我们在处理"})
    assert answered.stage is Stage.INVESTIGATE
    history = await desk.env.client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    assert not [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]


async def test_an_update_in_an_encoding_the_desk_does_not_read_is_refused_naming_it(
    desk: Desk,
) -> None:
    """Before: "plan: not a readable payload (KeyError)", which told the sender nothing."""
    cid = await desk.open()
    plan = json.dumps({"agent": "agent-zhang", "summary": "上门维修"}, ensure_ascii=False)
    sent = update(cid, "propose_plan", {})[:-2]
    code, _, err = await run(
        desk.env, *sent, "--input", plan, "--input-meta", "encoding=binary/zstd"
    )
    assert code == 1
    assert "plan: not a readable payload: encoding 'binary/zstd' is not one" in err
    assert "KeyError" not in err


async def test_a_message_with_no_payload_or_two_never_fails_a_task(desk: Desk) -> None:
    """Signals (customer_reply, survey_answer, reopen_request, escalate, one of no name the case
    knows) are recorded with the reason; updates are refused in the validator, saying why."""
    cid = await desk.open()
    reply = {"text": "在吗"}
    for name in ("customer_reply", "survey_answer", "reopen_request", "escalate"):
        await succeeded(desk.env, *signal(cid, name))
        await succeeded(
            desk.env, *signal(cid, name), "--input", json.dumps(reply), "--input", json.dumps(reply)
        )
    await succeeded(desk.env, *signal(cid, "no_such_message"), "--input", json.dumps(reply))
    plan = {"agent": "agent-zhang", "summary": "上门维修"}
    for inputs in ([], [plan, plan]):
        args = [arg for each in inputs for arg in ("--input", json.dumps(each, ensure_ascii=False))]
        code, _, err = await run(desk.env, *update(cid, "propose_plan", {})[:-2], *args)
        assert code != 0 and f"propose_plan carries one payload; {len(inputs)} were sent" in err

    async def recorded() -> list[str] | None:
        timeline = await desk.api.timeline(cid)
        found = [e.summary for e in timeline if e.kind is EntryKind.UNREADABLE]
        return found if len(found) == 9 else None

    summaries = await eventually(recorded)
    assert sum("0 were sent" in s for s in summaries) == 4
    assert sum("2 were sent" in s for s in summaries) == 4
    assert (await desk.api.snapshot(cid)).stage is Stage.INVESTIGATE
    history = await desk.env.client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    assert not [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
