"""Refusals at the case's door through the real (time-skipping) server and the plain `temporal`
CLI (red-team findings 8, 10, 13b): a merge into a case that has ended, a complaint received in
the future, a workflow type the desk does not run. Each is refused with the reason; nothing is
written and no workflow task fails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.errors import Refused
from schemas import EntryKind, Outcome, Stage
from schemas.actions import MergedCase
from tests.support.cases import T0, classified
from tests.support.desk import Desk, intake
from tests.support.integrity import refused_start, unique
from tests.support.temporal_cli import start
from workflows.complaint import workflow_id_for


async def test_a_case_that_ended_takes_no_duplicate_and_the_survivor_survives(
    desk: Desk,
) -> None:
    first = await desk.open()
    second = await desk.open(channel="hotline")
    await desk.api.merge(first, {"by": "sup-li", "into": second, "reason": "同一台洗衣机"})
    assert (await desk.api.outcome(first)).outcome is Outcome.MERGED

    with pytest.raises(Refused) as refused:
        await desk.api.merge(second, {"by": "sup-li", "into": first, "reason": "反过来"})
    assert f"no open case {first} to merge into" in str(refused.value)
    survivor = await desk.api.snapshot(second)
    assert survivor.stage is Stage.INVESTIGATE and survivor.merged_into is None


def test_an_ended_case_records_a_late_duplicate_and_changes_nothing() -> None:
    case = classified()
    case.state.stage = Stage.DONE
    sent = len(case.outbox)
    case.merged_in(MergedCase(complaint_id="C-9", subject="s", by="sup-li", reason="r"), T0)
    assert [e.kind for e in case.state.timeline[-1:]] == [EntryKind.REFUSED]
    assert not [e for e in case.state.timeline if e.kind is EntryKind.MERGED_IN]
    assert case.state.stage is Stage.DONE and len(case.outbox) == sent


async def test_a_complaint_received_in_the_future_is_refused_at_start(desk: Desk) -> None:
    cid = unique("C-future")
    received_at = (await desk.now() + timedelta(days=1)).isoformat()
    given = {**intake(cid, await desk.now()), "received_at": received_at}
    reason = await refused_start(
        desk, workflow_id_for(cid), *start(desk.api.task_queue, cid, given)
    )
    assert "which is still to come; nothing was done" in reason
    assert await desk.pool.fetchval("SELECT count(*) FROM complaints") == 0


async def test_a_few_minutes_of_clock_skew_is_a_complaint_received_now(desk: Desk) -> None:
    cid = unique("C-skew")
    await desk.api.start(intake(cid, await desk.now() + timedelta(minutes=2)))
    await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)


async def test_a_workflow_type_the_desk_does_not_run_fails_at_once(desk: Desk) -> None:
    wid = unique("no-such-type")
    cli = ["workflow", "start", "--type", "NoSuchType", "--task-queue", desk.api.task_queue]
    reason = await refused_start(desk, wid, *cli, "--workflow-id", wid, "--input", '{"a": 1}')
    assert "runs no workflow of type 'NoSuchType'" in reason
