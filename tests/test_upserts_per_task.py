"""A case shows its state to operators (search attributes) once per workflow task at most:
whatever changed in a task goes out in one upsert, however many rules moved it. Read from the
recorded lifecycles (tests/histories), which cover the chains, reopenings and merges."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

HISTORIES = sorted((Path(__file__).parent / "histories").glob("baseline_*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
def test_at_most_one_search_attribute_upsert_per_workflow_task(path: Path) -> None:
    upserts: Counter[int] = Counter()
    task = 0
    for event in json.loads(path.read_text(encoding="utf-8"))["events"]:
        if event["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED":
            task = int(event["eventId"])
        elif event["eventType"] == "EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES":
            upserts[task] += 1
    assert max(upserts.values(), default=0) <= 1, upserts.most_common(3)
