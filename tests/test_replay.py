"""Every committed history must replay against today's workflow code.

`baseline_*` is the 1.0 baseline: the one generation recorded on the code that was first
deployed, covering every shape of case (docs/versioning.md lists them). A change of workflow
code that fails here would break cases running in production: ship it as a new Worker
Deployment Version instead (pinned cases finish on the build they started on), or, for a fix
that must reach running cases, guard it with `workflow.patched` (docs/versioning.md).
Re-recording is deliberate and described there too.

Histories are also replayed in the shapes Core may hand them to a worker that had not cached
the case (tests/support/chunking.py): an update joined to the empty tasks before it, and a task's events
handled at the previous task's time.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from tests.support.chunking import live_merges, stale_task_times
from tests.support.desk import CONVERTER
from worker import build_replayer
from workflows.complaint import workflow_id_for

HISTORIES = sorted((Path(__file__).parent / "histories").glob("baseline_*.json"))

# The shapes of case the baseline must hold (a part of each file's name).
COVERED = {
    "happy_path": "a full lifecycle through the follow-up",
    "reopen": "a re-opened case",
    "chain": "the escalation chain",
    "quiet_hours": "messages held for quiet hours",
    "task": "department tasks",
    "supervisor": "supervisor approval",
    "review": "a major-event review child",
    "cold_start": "the cold-start shapes",
    "continue": "continue-as-new",
}


def test_the_baseline_covers_every_shape_of_case() -> None:
    names = " ".join(p.name for p in HISTORIES)
    assert [what for part, what in COVERED.items() if part not in names] == []


def test_the_baseline_is_small() -> None:
    assert sum(p.stat().st_size for p in HISTORIES) < 5 * 1024 * 1024


def test_histories_hold_ciphertext_only() -> None:
    """The replay suite decrypts them with the tests' key; the customer's name never shows."""
    for path in HISTORIES:
        text = path.read_text(encoding="utf-8")
        assert "王小明" not in text and "YmluYXJ5L2VuY3J5cHRlZA==" in text, path.name


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


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_however_core_hands_it_over(path: Path) -> None:
    """The shapes a worker without the case may be handed (tests/support/chunking.py)."""
    history = await load(path)
    replayer = build_replayer(CONVERTER)
    for variant in [*live_merges(history), *stale_task_times(history)]:
        result = await replayer.replay_workflow(variant.history, raise_on_replay_failure=False)
        assert result.replay_failure is None, f"{variant.name}: {result.replay_failure}"


def test_histories_were_written_with_single_batch_activations() -> None:
    """The SDK's flag for it (2) is in each history's first completed task."""
    for path in HISTORIES:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        first = next(e for e in events if e["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED")
        flags = first["workflowTaskCompletedEventAttributes"]["sdkMetadata"]["langUsedFlags"]
        assert 2 in flags, path.name


def test_updates_are_answered_with_acknowledgements_in_clear() -> None:
    """The update's answer is an ActionAck, marked and in clear; the case's own payloads stay
    encrypted."""
    texts = [p.read_text(encoding="utf-8") for p in HISTORIES]
    marked = base64.b64encode(b"ActionAck").decode()  # the metadata value, as history JSON has it
    assert sum(marked in text for text in texts) >= 5
