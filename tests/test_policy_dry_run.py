"""A new SLA policy shown before it is applied: the dry run's due times, owner warnings and
management escalations are the ones the case then keeps (on the time-skipping server), the dry
run changes nothing, and every door offers it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from schemas import DeadlineKind, EntryKind
from schemas.policy_preview import PolicyPreview
from schemas.sla import EscalationChain, SlaPolicy
from tests.support.api import running_api
from tests.support.cli import cli_against
from tests.support.desk import ROUND_THE_CLOCK, Desk, eventually, responding_within
from tests.support.servers import DEV_SERVER

# L2 respond in 2 h instead of 24 h; management told 1 h after a breach instead of 4 h.
FASTER = responding_within(
    ROUND_THE_CLOCK,
    timedelta(hours=2),
    version="faster",
    escalation=EscalationChain(management_after=timedelta(hours=1)),
)
# The same, management told 30 min after a breach.
SOONER = FASTER.model_copy(
    update={
        "version": "sooner",
        "escalation": EscalationChain(management_after=timedelta(minutes=30)),
    }
)


def change(policy: SlaPolicy) -> dict[str, object]:
    return {"by": "sup-li", "reason": "new SLA", "policy": policy.model_dump(mode="json")}


async def preview(desk: Desk, cid: str, policy: SlaPolicy) -> PolicyPreview:
    answer = await desk.api.preview(cid, "policy", change(policy))
    assert isinstance(answer, PolicyPreview)
    return answer


async def entry_of(desk: Desk, cid: str, kind: EntryKind) -> list[datetime]:
    return [e.at for e in await desk.api.timeline(cid) if e.kind is kind]


async def test_the_dry_run_says_what_the_case_then_does(desk: Desk) -> None:
    cid = await desk.open()  # L2: respond within 24 h under the worker's policy
    before = await desk.api.snapshot(cid)

    dry = await preview(desk, cid, FASTER)
    assert dry.refusal is None and dry.to_version == "faster"
    assert dry.from_version == before.policy_version
    shift = next(d for d in dry.deadlines if d.kind is DeadlineKind.RESPOND)
    assert shift.due_before == before.received_at + timedelta(hours=24)
    assert shift.due_after == before.received_at + timedelta(hours=2)
    assert shift.warn_after == before.received_at + timedelta(hours=1, minutes=30)
    assert {"targets.L2.respond", "escalation.management_after"} <= {
        s.setting for s in dry.settings
    }
    unchanged = await desk.api.snapshot(cid)  # a dry run records nothing
    assert unchanged.timeline_length == before.timeline_length
    assert unchanged.deadlines == before.deadlines

    await desk.api.act(cid, "policy", change(FASTER))
    applied = await desk.api.snapshot(cid)
    assert [(d.kind, d.round, d.due_at) for d in applied.deadlines] == [
        (d.kind, d.round, d.due_after) for d in dry.deadlines
    ]
    entry = (await desk.api.timeline(cid))[-1]
    assert entry.kind is EntryKind.POLICY_CHANGED and entry.facts["to_version"] == "faster"

    # The owner is warned, and the deadline missed, exactly when the dry run said.
    await desk.skip(shift.warn_after - await desk.now() + timedelta(minutes=1))
    await desk.until(cid, lambda s: any(d.warned_at for d in s.deadlines))
    assert await entry_of(desk, cid, EntryKind.DEADLINE_WARNING) == [shift.warn_after]
    await desk.skip(shift.due_after - await desk.now() + timedelta(minutes=1))
    missed = await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
    breached = next(d for d in missed.deadlines if d.breached_at)
    assert (breached.kind, breached.breached_at) == (DeadlineKind.RESPOND, shift.due_after)

    # A missed deadline keeps its due time; its escalation to management moves.
    dry = await preview(desk, cid, SOONER)
    shift = next(d for d in dry.deadlines if d.kind is DeadlineKind.RESPOND)
    assert shift.due_before == shift.due_after == breached.due_at
    assert shift.management_before == breached.due_at + timedelta(hours=1)
    assert shift.management_after == breached.due_at + timedelta(minutes=30)
    await desk.api.act(cid, "policy", change(SOONER))
    await desk.skip(timedelta(minutes=31))
    await desk.until(cid, lambda s: any(d.management_at for d in s.deadlines))
    told = [
        e.at
        for e in await desk.api.timeline(cid)
        if e.kind is EntryKind.ESCALATED and e.facts.get("variant") == "management"
    ]
    assert told == [shift.management_after]


async def test_a_case_that_would_refuse_says_so_and_nothing_changes(desk: Desk) -> None:
    cid = await desk.open()
    await desk.api.act(cid, "policy", change(FASTER))
    dry = await preview(desk, cid, FASTER)
    assert dry.refusal == "policy_unchanged" and dry.moved == [] and dry.settings == []


async def test_the_cli_dry_run_of_one_case_prints_its_table_and_changes_nothing(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open()
    code, out, err = await cli_against(
        desk, tmp_path, "policy", cid, *_cli_change(tmp_path), "--dry-run"
    )
    assert code == 0, err
    assert "L2 respond" in out and "1 d" in out and "2 h" in out
    assert (await desk.api.snapshot(cid)).policy_version != "faster"


@pytest.mark.parametrize(
    "env", [pytest.param(DEV_SERVER, marks=pytest.mark.devserver)], indirect=True
)
async def test_the_cli_dry_run_over_all_open_cases_lists_each_and_changes_none(
    desk: Desk, tmp_path: Path
) -> None:
    """Many cases at once (found by the server's visibility, so on the dev server)."""
    first, second = await desk.open(), await desk.open()
    argv = ["--lang", "zh", "policy-apply", *_cli_change(tmp_path, "--file"), "--dry-run"]

    async def table() -> str | None:
        code, out, err = await cli_against(desk, tmp_path, *argv)
        assert code == 0, err
        return out if first in out and second in out else None

    out = await eventually(table, 30)
    assert "L2 首次响应" in out and "1 天" in out
    for cid in (first, second):
        assert (await desk.api.snapshot(cid)).policy_version != "faster"


def _cli_change(folder: Path, flag: str = "--policy") -> list[str]:
    policy = folder / "faster.json"
    policy.write_text(json.dumps(FASTER.model_dump(mode="json")), encoding="utf-8")
    where = f"@{policy}" if flag == "--policy" else str(policy)
    return ["--by", "sup-li", "--reason", "new SLA", flag, where]


async def test_the_api_answers_the_dry_run_to_supervisors_keys_and_records_nothing(
    desk: Desk,
) -> None:
    cid = await desk.open()
    before = await desk.api.snapshot(cid)
    body = {"reason": "new SLA", "policy": FASTER.model_dump(mode="json")}
    async with running_api(desk.api) as api:
        path = f"/v1/complaints/{cid}/policy/preview"
        answer = await api.http.post(path, json=body, headers=api.auth("crm-supervisors"))
        assert answer.status_code == 200, answer.text
        dry = PolicyPreview.model_validate(answer.json())
        shift = next(d for d in dry.deadlines if d.kind is DeadlineKind.RESPOND)
        assert shift.due_after == before.received_at + timedelta(hours=2)
        refused = await api.http.post(path, json=body, headers=api.auth("crm-agents"))
        assert refused.status_code == 403
    after = await desk.api.snapshot(cid)
    assert (after.policy_version, after.timeline_length) == (
        before.policy_version,
        before.timeline_length,
    )
