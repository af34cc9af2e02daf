"""A new policy or calendar applied to open cases: pending deadlines recompute from their own
start; settled ones keep what happened to them; who and why are on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from activities.policy import load_policy
from desk.errors import Refused
from schemas import DEFAULT_POLICY, DeadlineKind, EntryKind
from schemas.actions import PolicyChange
from schemas.refusals import RefusalCode
from tests.support.cases import T0, classified
from tests.support.desk import Desk
from tests.support.refusals import refused
from workflows import supervision

SEED_004 = load_policy("policies/sla-seed-004.json")  # L2 respond 2 h instead of 24 h


def test_pending_deadlines_recompute_and_settled_ones_stay() -> None:
    case = classified()  # L2 under seed 000
    due = {d.kind: d.due_at for d in case.state.deadlines}
    assert due[DeadlineKind.RESPOND] == T0 + timedelta(hours=24)
    ack = next(d for d in case.state.deadlines if d.kind is DeadlineKind.ACKNOWLEDGE)
    assert ack.met_at is not None  # delivered before classification

    change = PolicyChange(by="ops-li", reason="新SLA", policy=SEED_004)
    supervision.check_change_policy(case, change, T0)
    supervision.change_policy(case, change, T0 + timedelta(minutes=30))
    due = {d.kind: d.due_at for d in case.state.deadlines}
    assert due[DeadlineKind.RESPOND] == T0 + timedelta(hours=2)
    assert due[DeadlineKind.ACKNOWLEDGE] == ack.due_at
    entry = case.state.timeline[-1]
    assert (entry.kind, entry.actor) == (EntryKind.POLICY_CHANGED, "ops-li")
    assert entry.summary.startswith("policy seed-000 → seed-004 (新SLA): L2 respond deadline now")
    with refused(RefusalCode.POLICY_UNCHANGED, version="seed-004"):
        supervision.check_change_policy(case, change, T0)


async def test_a_policy_change_moves_a_running_cases_timer(desk: Desk) -> None:
    cid = await desk.open()  # L2: 24 h to respond under seed 000
    received = (await desk.api.snapshot(cid)).received_at
    change = {"by": "ops-li", "reason": "新SLA", "policy": SEED_004.model_dump(mode="json")}
    case = await desk.api.change_policy(cid, change)
    respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.due_at == received + timedelta(hours=2) and case.policy_version == "seed-004"
    with pytest.raises(Refused) as refused:
        await desk.api.change_policy(cid, change)
    assert "already runs on policy seed-004" in str(refused.value)

    await desk.skip(timedelta(hours=2, minutes=1))
    case = await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
    assert next(d for d in case.deadlines if d.breached_at).kind is DeadlineKind.RESPOND
    assert DEFAULT_POLICY.version == "seed-000"
