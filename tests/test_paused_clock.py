"""The resolve deadline stops while the plan is with the customer and restarts on their reply,
with the paused time recorded — on the calendar clock and on the working clock."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from activities.policy import load_policy
from schemas import (
    CustomerReply,
    Deadline,
    DeadlineKind,
    EntryKind,
    ReplyIntent,
    ResolutionPlan,
    Severity,
)
from tests.support.cases import T0, at, classified
from tests.support.desk import Desk
from workflows import closing, investigation
from workflows.case_file import CaseFile
from workflows.current_details import current_details

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN = ResolutionPlan(agent="agent-a", summary="上门更换")
ACCEPT = CustomerReply(text="可以", intent=ReplyIntent.ACCEPT_PLAN)


def resolve_of(case: CaseFile) -> Deadline:
    return next(d for d in case.state.deadlines if d.kind is DeadlineKind.RESOLVE)


def test_the_resolve_clock_stops_while_the_customer_decides() -> None:
    case = classified()  # L2: 48 h to resolve from receipt
    investigation.propose_plan(case, PLAN, T0 + timedelta(hours=2))
    resolve = resolve_of(case)
    assert resolve.paused_at == T0 + timedelta(hours=2)
    assert not any("resolve" in a.summary for a in case.agenda())  # no timer while paused
    assert "waiting on the customer: the resolve clock is paused" in current_details(case)
    case.fire_due(T0 + timedelta(hours=49))  # past the original due time: nothing happens
    assert resolve_of(case).breached_at is None

    closing.customer_reply(case, ACCEPT, T0 + timedelta(hours=50))
    resolve = resolve_of(case)
    assert resolve.paused_at is None and resolve.paused_for == timedelta(hours=48)
    assert resolve.due_at == T0 + timedelta(hours=48 + 48)
    resumed = [e.summary for e in case.state.timeline if e.kind is EntryKind.DEADLINE_RESUMED]
    assert resumed == [
        f"L2 resolve deadline resumed after 48 h 0 min waiting on the customer; "
        f"due {resolve.due_at.isoformat(timespec='minutes')}"
    ]
    case.fire_due(resolve.due_at)
    assert resolve_of(case).breached_at == resolve.due_at


def test_a_pause_on_the_working_clock_counts_working_time_only() -> None:
    policy = load_policy("policies/sla-working-days.json")
    friday = at(SHANGHAI, 2026, 11, 20, 16)
    case = classified("洗衣机漏水", at=friday, policy=policy)
    assert case.state.severity is Severity.L2
    assert resolve_of(case).due_at == at(SHANGHAI, 2026, 11, 25, 16)  # 3 working days
    investigation.propose_plan(case, PLAN, at(SHANGHAI, 2026, 11, 20, 17))
    closing.customer_reply(
        case, ACCEPT, at(SHANGHAI, 2026, 11, 23, 10)
    )  # Friday 17-18, Monday 9-10
    resolve = resolve_of(case)
    assert resolve.paused_for == timedelta(hours=2)
    assert resolve.due_at == at(SHANGHAI, 2026, 11, 25, 18)


async def test_the_paused_clock_through_temporal(desk: Desk) -> None:
    cid = await desk.open()  # L2: resolve within 48 h
    received = (await desk.api.snapshot(cid)).received_at
    await desk.api.propose_plan(cid, {"agent": "agent-zhang", "summary": "上门更换"})
    await desk.skip(timedelta(hours=60))  # the customer takes 2.5 days to decide
    case = await desk.api.snapshot(cid)
    assert not any(d.breached_at for d in case.deadlines)
    await desk.api.reply(cid, {"text": "可以", "intent": "accept_plan"})
    case = await desk.until(cid, lambda s: all(d.paused_at is None for d in s.deadlines))
    resolve = next(d for d in case.deadlines if d.kind is DeadlineKind.RESOLVE)
    assert resolve.paused_for >= timedelta(hours=60)
    assert resolve.due_at == received + timedelta(hours=48) + resolve.paused_for
    await desk.skip(resolve.due_at - await desk.now() + timedelta(minutes=1))
    case = await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
    breached = next(d for d in case.deadlines if d.breached_at)
    assert breached.kind is DeadlineKind.RESOLVE and breached.breached_at is not None
    assert timedelta(0) <= breached.breached_at - resolve.due_at < timedelta(seconds=1)
