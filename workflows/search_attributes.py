"""The fields operators filter cases by in the Temporal UI (R-OP-3).

They must be registered on the namespace first: the local system does it when it starts the dev
server, `complaint-desk setup` does it on a real cluster.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from schemas.case import CaseSnapshot

STAGE = SearchAttributeKey.for_keyword("ComplaintStage")
SEVERITY = SearchAttributeKey.for_keyword("ComplaintSeverity")
CHANNEL = SearchAttributeKey.for_keyword("ComplaintChannel")
OWNER = SearchAttributeKey.for_keyword("ComplaintOwner")
BREACHED = SearchAttributeKey.for_bool("ComplaintBreached")
REOPEN_COUNT = SearchAttributeKey.for_int("ComplaintReopenCount")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("ComplaintNextDeadline")

ALL: list[SearchAttributeKey[Any]] = [
    STAGE,
    SEVERITY,
    CHANNEL,
    OWNER,
    BREACHED,
    REOPEN_COUNT,
    NEXT_DEADLINE,
]


def values(case: CaseSnapshot) -> dict[str, object]:
    """The attribute values a case should show; compared between loops to upsert only changes."""
    return {
        STAGE.name: case.stage.value,
        SEVERITY.name: case.severity.value if case.severity else None,
        CHANNEL.name: case.channel.value,
        OWNER.name: case.owner,
        BREACHED.name: any(d.breached_at for d in case.deadlines),
        REOPEN_COUNT.name: case.reopen_count,
        NEXT_DEADLINE.name: case.next_deadline.due_at if case.next_deadline else None,
    }


def updates(
    before: dict[str, object], after: dict[str, object]
) -> list[SearchAttributeUpdate[Any]]:
    keys = {key.name: key for key in ALL}
    changed: list[SearchAttributeUpdate[Any]] = []
    for name, value in after.items():
        if before.get(name, ...) == value:
            continue
        key = keys[name]
        changed.append(key.value_unset() if value is None else key.value_set(value))
    return changed
