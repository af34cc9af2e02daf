"""Every committed history must replay against today's workflow code.

A failure here means a change would break cases that are running in production right now: guard
the change with `workflow.patched` (see README, "Changing workflow code safely") instead of
re-recording. `v1_*` were recorded before the case store (`workflow.patched("case-store")`),
`v2_*` before the emergency response (`workflow.patched("emergency-response")`), `v3_*` before
triage (`workflow.patched("triage")`), `v4_*` before payload encryption and the bounded
projection and history (`workflow.patched("bounded-projection")`, `"history-bound"`), `v5_*`
after (encrypted with the tests' fixed key) and before the escalation chain, supervisor
approval, the paused clock and the added search attributes (`"escalation-chain"`,
`"supervisor-approval"`, `"customer-pause"`, `"major-event-review"`, `"more-search-attributes"`),
`v6_*` with them and before the integrity patches (`"ungated-projection"`,
`"unreadable-and-failures-recorded"`, `"product-code-attribute"`, `"start-checked"`), `v7_*`
with them (including cases that received unreadable signals); record a new generation with
`RECORD_HISTORIES=v8 pytest tests/test_lifecycle.py tests/test_dev_server.py
tests/test_reclassification.py tests/test_escalation_chain.py tests/test_supervision.py
tests/test_department_tasks.py tests/test_paused_clock.py tests/test_review.py
tests/test_integrity.py tests/test_bad_input.py`.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.conftest import CONVERTER
from workflows.complaint import ComplaintWorkflow, workflow_id_for

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_there_are_histories_to_replay() -> None:
    generations = {p.name.split("_", 1)[0] for p in HISTORIES}
    assert {"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"} <= generations and len(HISTORIES) >= 200


def test_recent_histories_hold_ciphertext_only() -> None:
    """v5 histories hold ciphertext only; the replay suite decrypts them with the tests' key."""
    v5 = [p for p in HISTORIES if p.name.startswith("v5_")]
    assert v5 and all("王小明" not in p.read_text(encoding="utf-8") for p in v5)
    assert all("YmluYXJ5L2VuY3J5cHRlZA==" in p.read_text(encoding="utf-8") for p in v5)


async def load(path: Path) -> WorkflowHistory:
    """The history under its real workflow id (the case checks it against the complaint's id),
    read from the start input: an intake's complaint id, or the carried state's."""
    text = path.read_text(encoding="utf-8")  # noqa: ASYNC240 (small files, read once)
    history = WorkflowHistory.from_json(path.stem, text)
    started = history.events[0].workflow_execution_started_event_attributes
    [start] = await CONVERTER.decode(started.input.payloads, [dict[str, Any]])
    complaint_id = start.get("complaint_id") or start["intake"]["complaint_id"]
    return dataclasses.replace(history, workflow_id=workflow_id_for(complaint_id))


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_on_current_code(path: Path) -> None:
    history = await load(path)
    replayer = Replayer(workflows=[ComplaintWorkflow], data_converter=CONVERTER)
    await replayer.replay_workflow(history)


def test_v8_histories_answer_updates_with_acknowledgements_in_clear() -> None:
    """Patch `action-acknowledgements`: the update's answer is an ActionAck, marked and in
    clear; the case's own payloads stay encrypted."""
    v8 = [p.read_text(encoding="utf-8") for p in HISTORIES if p.name.startswith("v8_")]
    marked = base64.b64encode(b"ActionAck").decode()  # the metadata value, as history JSON has it
    assert sum(marked in text for text in v8) >= 10
    assert all("王小明" not in text for text in v8)
