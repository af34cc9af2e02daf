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
with them (including cases that received unreadable signals), `v8_*`/`v9_*` before activations
were applied as a single batch (worker.py `single_batch`) and before `"timer-driven-alarms"`,
`v10_*` with both (the cold-start scenarios and a worker killed mid-lifecycle); record a new
generation as the README says ("Changing workflow code safely").

Histories are also replayed in the shapes Core may hand them to a worker that had not cached
the case (tests/chunking.py): an update joined to the empty tasks before it, and a task's events
handled at the previous task's time. Every generation since `"ungated-projection"` (v7) replays
the first; those since `"timer-driven-alarms"` (v10) the second too.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from tests.chunking import Variant, live_merges, stale_task_times
from tests.conftest import CONVERTER
from worker import build_replayer
from workflows.complaint import workflow_id_for

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def generation(path: Path) -> int:
    return int(path.name.split("_", 1)[0].removeprefix("v"))


# Ungated store writes (v7 on) make an update joined to an empty task harmless in either
# activation mode; the timer-driven loop (v10 on) makes the task's time harmless.
JOINED_SINCE, STALE_TIME_SINCE = 7, 10


def test_there_are_histories_to_replay() -> None:
    generations = {generation(p) for p in HISTORIES}
    assert set(range(1, 11)) <= generations and len(HISTORIES) >= 200


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
    await build_replayer(CONVERTER).replay_workflow(history)


def reshaped(history: WorkflowHistory, since: int) -> list[Variant]:
    variants = list(live_merges(history)) if since >= JOINED_SINCE else []
    return variants + (list(stale_task_times(history)) if since >= STALE_TIME_SINCE else [])


@pytest.mark.parametrize(
    "path", [p for p in HISTORIES if generation(p) >= JOINED_SINCE], ids=lambda p: p.stem
)
async def test_history_replays_however_core_hands_it_over(path: Path) -> None:
    """The shapes a worker without the case may be handed (tests/chunking.py)."""
    history = await load(path)
    replayer = build_replayer(CONVERTER)
    for variant in reshaped(history, generation(path)):
        result = await replayer.replay_workflow(variant.history, raise_on_replay_failure=False)
        assert result.replay_failure is None, f"{variant.name}: {result.replay_failure}"


def test_v10_histories_were_written_with_single_batch_activations() -> None:
    """The SDK's flag for it (2) is in each history's first completed task."""
    v10 = [p for p in HISTORIES if generation(p) >= STALE_TIME_SINCE]
    assert v10
    for path in v10:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        first = next(e for e in events if e["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED")
        flags = first["workflowTaskCompletedEventAttributes"]["sdkMetadata"]["langUsedFlags"]
        assert 2 in flags, path.name


def test_v8_histories_answer_updates_with_acknowledgements_in_clear() -> None:
    """Patch `action-acknowledgements`: the update's answer is an ActionAck, marked and in
    clear; the case's own payloads stay encrypted."""
    v8 = [p.read_text(encoding="utf-8") for p in HISTORIES if p.name.startswith("v8_")]
    marked = base64.b64encode(b"ActionAck").decode()  # the metadata value, as history JSON has it
    assert sum(marked in text for text in v8) >= 10
    assert all("王小明" not in text for text in v8)
