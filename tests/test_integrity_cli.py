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
from tests.conftest import Desk, eventually
from tests.temporal_cli import signal, succeeded
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
