"""Supervisors' actions as validated updates (R-OP-2, R-RS-1): each invalid one is refused with
its reason and changes nothing; each accepted one records who and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from catalogue import render
from desk.errors import Refused
from schemas import (
    DEFAULT_POLICY,
    CustomerReply,
    EntryKind,
    Escalation,
    ProgressNote,
    ReplyIntent,
    ResolutionPlan,
    RiskLevel,
    Severity,
    Stage,
)
from schemas.actions import (
    ClosureOnBehalf,
    CompensationApproval,
    CompensationRejection,
    Merge,
    Reassignment,
)
from schemas.case import ClosedBy, Outcome
from schemas.notification import Audience
from schemas.refusals import InvalidAction, RefusalCode
from tests.support.cases import T0, classified
from tests.support.desk import Desk
from tests.support.refusals import refused
from workflows import closing, investigation, search_attributes, supervision
from workflows.case_file import CaseFile

AGENT = "agent-a"
LATER = T0 + timedelta(minutes=30)


def plan(yuan: int | None = None) -> ResolutionPlan:
    money = Decimal(yuan) if yuan is not None else None
    return ResolutionPlan(agent=AGENT, summary="上门更换", compensation_yuan=money)


def stage(case: CaseFile) -> Stage:
    """Read afresh each time (a plain attribute read would be narrowed by the type checker)."""
    return case.state.stage


def delivered() -> CaseFile:
    """A case whose result was delivered; it waits for the customer's confirmation."""
    case = classified()
    investigation.propose_plan(case, plan(), LATER)
    closing.customer_reply(case, CustomerReply(text="好", intent=ReplyIntent.ACCEPT_PLAN), LATER)
    investigation.record_progress(
        case, ProgressNote(agent=AGENT, note="已更换", completed=True), LATER
    )
    assert case.state.stage is Stage.CLOSE
    return case


def ended() -> CaseFile:
    case = classified()
    case.state.stage = Stage.DONE
    return case


def with_roster(case: CaseFile) -> CaseFile:
    assert case.state.policy is not None
    case.state.policy = case.state.policy.model_copy(update={"agents": frozenset({AGENT, "b"})})
    return case


def awaiting() -> CaseFile:
    case = classified()
    investigation.propose_plan(case, plan(500), LATER)
    return case


REFUSALS = [
    (
        "reassign on an ended case",
        ended,
        lambda c: supervision.check_reassign(c, Reassignment(by="sup", to="b", reason="r"), T0),
        RefusalCode.CASE_ENDED,
    ),
    (
        "reassign to an unknown agent",
        lambda: with_roster(classified()),
        lambda c: supervision.check_reassign(
            c, Reassignment(by="sup", to="nobody", reason="r"), T0
        ),
        RefusalCode.UNKNOWN_AGENT,
    ),
    (
        "reassign to the owner",
        classified,
        lambda c: supervision.check_reassign(
            c, Reassignment(by="sup", to=c.state.owner, reason="r"), T0
        ),
        RefusalCode.ALREADY_OWNER,
    ),
    (
        "escalate an ended case",
        ended,
        lambda c: supervision.check_escalate_case(c, Escalation(by="sup", reason="r"), T0),
        RefusalCode.CASE_ENDED,
    ),
    (
        "escalate to a lower severity",
        lambda: _escalated(Severity.L1),
        lambda c: supervision.check_escalate_case(
            c, Escalation(by="sup", reason="r", severity=Severity.L3), T0
        ),
        RefusalCode.SEVERITY_ONLY_RAISED,
    ),
    (
        "escalate to a lower risk",
        lambda: _risky(),
        lambda c: supervision.check_escalate_case(
            c, Escalation(by="sup", reason="r", risk=RiskLevel.LOW), T0
        ),
        RefusalCode.RISK_ONLY_RAISED,
    ),
    (
        "escalate to an unknown agent",
        lambda: with_roster(classified()),
        lambda c: supervision.check_escalate_case(
            c, Escalation(by="sup", reason="r", assign_to="nobody"), T0
        ),
        RefusalCode.UNKNOWN_AGENT,
    ),
    (
        "approve with nothing waiting",
        classified,
        lambda c: supervision.check_approve_compensation(c, CompensationApproval(by="sup"), T0),
        RefusalCode.NO_PLAN_AWAITS_APPROVAL,
    ),
    (
        "approve one's own plan",
        awaiting,
        lambda c: supervision.check_approve_compensation(c, CompensationApproval(by=AGENT), T0),
        RefusalCode.OWN_PLAN,
    ),
    (
        "reject with nothing waiting",
        classified,
        lambda c: supervision.check_reject_compensation(
            c, CompensationRejection(by="sup", reason="r"), T0
        ),
        RefusalCode.NO_PLAN_AWAITS_APPROVAL,
    ),
    (
        "reject one's own plan",
        awaiting,
        lambda c: supervision.check_reject_compensation(
            c, CompensationRejection(by=AGENT, reason="r"), T0
        ),
        RefusalCode.OWN_PLAN_REJECTION,
    ),
    (
        "close for the customer before delivery",
        classified,
        lambda c: supervision.check_close_for_customer(
            c, ClosureOnBehalf(by="sup", reason="r"), LATER
        ),
        RefusalCode.NOT_AWAITING_CONFIRMATION,
    ),
    (
        "close for the customer too early",
        delivered,
        lambda c: supervision.check_close_for_customer(
            c, ClosureOnBehalf(by="sup", reason="r"), LATER
        ),
        RefusalCode.CUSTOMER_STILL_HAS_TIME,
    ),
    (
        "close for the customer where policy forbids",
        lambda: _no_closing(delivered()),
        lambda c: supervision.check_close_for_customer(
            c, ClosureOnBehalf(by="sup", reason="r"), LATER + timedelta(days=2)
        ),
        RefusalCode.POLICY_FORBIDS_CLOSING_FOR_CUSTOMER,
    ),
]


def _escalated(severity: Severity) -> CaseFile:
    case = classified()
    case.escalate_case(Escalation(by="sup", reason="r", severity=severity), LATER)
    return case


def _risky() -> CaseFile:
    case = classified()
    case.escalate_case(Escalation(by="sup", reason="r", risk=RiskLevel.HIGH), LATER)
    return case


def _no_closing(case: CaseFile) -> CaseFile:
    assert case.state.policy is not None
    case.state.policy = case.state.policy.model_copy(update={"close_on_behalf_after": None})
    return case


@pytest.mark.parametrize(("name", "make", "check", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_invalid_action_is_refused_with_its_reason(
    name: str, make: Callable[[], CaseFile], check: Callable[[CaseFile], None], code: RefusalCode
) -> None:
    case = make()
    before = case.state.model_copy(deep=True)
    with pytest.raises(InvalidAction) as caught:
        check(case)
    assert caught.value.refusal.code is code
    assert case.state == before  # a validator changes nothing


def test_a_refusal_shows_its_moment_in_the_readers_zone_and_language() -> None:
    case = delivered()
    with pytest.raises(InvalidAction) as caught:
        supervision.check_close_for_customer(case, ClosureOnBehalf(by="sup", reason="r"), LATER)
    refusal = caught.value.refusal
    assert case.state.result_delivered_at is not None and case.state.policy is not None
    after = case.state.policy.close_on_behalf_after
    assert after is not None
    until = case.state.result_delivered_at + after
    assert refusal.params == {"until_at": until.isoformat()}
    local = until.astimezone(ZoneInfo("Asia/Shanghai"))
    shown = render("refusal.customer_still_has_time", "zh", refusal.params)
    assert (
        shown == f"客户可在 {local.month}月{local.day}日 {local:%H:%M} 前答复，此后主管才能代其结案"
    )


def test_compensation_above_the_agents_authority_waits_for_a_supervisor() -> None:
    case = classified()
    investigation.propose_plan(
        case, plan(500), LATER
    )  # the policy lets an agent grant 50 yuan alone
    assert stage(case) is Stage.INVESTIGATE and case.state.plan is None
    assert [n.topic for n in case.outbox if n.audience is Audience.SUPERVISOR][-1] == (
        "approval_needed"
    )
    assert not any(n.topic == "plan_proposed" for n in case.outbox)

    supervision.approve_compensation(case, CompensationApproval(by="sup-li", note="老客户"), LATER)
    assert stage(case) is Stage.RESOLVE and case.state.plan == plan(500)
    approved = [e for e in case.state.timeline if e.kind is EntryKind.APPROVED]
    assert approved[0].actor == "sup-li" and "500 yuan approved: 老客户" in approved[0].summary
    assert any(n.topic == "plan_proposed" for n in case.outbox)


def test_a_rejected_compensation_sends_the_plan_back_to_its_agent_and_the_case_stays() -> None:
    case = classified()
    investigation.propose_plan(case, plan(500), LATER)
    deadlines_before = [d.model_copy() for d in case.state.deadlines]
    supervision.check_reject_compensation(
        case, CompensationRejection(by="sup-li", reason="超出标准"), LATER
    )
    supervision.reject_compensation(
        case, CompensationRejection(by="sup-li", reason="超出标准"), LATER
    )
    assert stage(case) is Stage.INVESTIGATE
    assert case.state.plan is None and case.state.plan_awaiting_approval is None
    assert case.state.deadlines == deadlines_before  # nothing paused, met or moved
    rejected = [e for e in case.state.timeline if e.kind is EntryKind.COMPENSATION_REJECTED]
    assert rejected[0].actor == "sup-li" and not rejected[0].public
    assert rejected[0].facts == {"compensation_yuan": "500", "agent": AGENT, "reason": "超出标准"}
    told = [n for n in case.outbox if n.topic == "compensation_rejected"]
    assert [n.audience for n in told] == [Audience.OWNER]
    assert told[0].recipient == case.state.owner and told[0].facts["by"] == "sup-li"
    assert not any(
        n.audience is Audience.CUSTOMER and n.topic == "plan_proposed" for n in case.outbox
    )

    # The agent proposes again, within their authority this time: it goes to the customer.
    investigation.propose_plan(case, plan(50), LATER)
    assert stage(case) is Stage.RESOLVE and case.state.plan == plan(50)


def test_a_plan_within_authority_goes_straight_to_the_customer_and_a_new_one_replaces() -> None:
    case = classified()
    investigation.propose_plan(case, plan(500), LATER)
    investigation.propose_plan(case, plan(50), LATER)  # the agent revises within authority
    assert case.state.stage is Stage.RESOLVE and case.state.plan_awaiting_approval is None
    assert DEFAULT_POLICY.agent_compensation_limit_yuan == 50


def test_accepted_actions_record_who_and_why() -> None:
    case = classified()
    supervision.reassign(case, Reassignment(by="sup-li", to="agent-wang", reason="懂洗衣机"), LATER)
    entry = case.state.timeline[-1]
    assert (entry.kind, entry.actor) == (EntryKind.REASSIGNED, "sup-li")
    assert "→ agent-wang: 懂洗衣机" in entry.summary and case.state.owner == "agent-wang"
    assert case.outbox[-1].recipient == "agent-wang"

    case = delivered()
    when = case.state.result_delivered_at
    assert when is not None
    supervision.close_for_customer(
        case, ClosureOnBehalf(by="sup-li", reason="三次电话未接"), when + timedelta(days=1)
    )
    assert case.state.closed_by is ClosedBy.SUPERVISOR
    assert case.state.stage is Stage.FOLLOW_UP
    why = [e for e in case.state.timeline if e.kind is EntryKind.CLOSED_FOR_CUSTOMER]
    assert why[0].actor == "sup-li" and why[0].summary == "三次电话未接" and not why[0].public


async def test_supervisor_actions_through_temporal(desk: Desk) -> None:
    cid = await desk.open()
    with pytest.raises(Refused) as refused:
        await desk.api.approve_compensation(cid, {"by": "sup-li"})
    assert "no plan awaits approval" in str(refused.value)
    with pytest.raises(Refused) as refused:
        await desk.api.escalate_case(cid, {"by": "sup-li", "reason": "r", "severity": "L3"})
    assert "severity can only be raised" in str(refused.value)

    case = await desk.api.propose_plan(
        cid, {"agent": "agent-zhang", "summary": "退款并补偿", "compensation_yuan": "300"}
    )
    assert case.stage is Stage.INVESTIGATE and case.plan_awaiting_approval is not None
    await desk.until_notified(cid, Audience.SUPERVISOR, "approval_needed")
    case = await desk.api.approve_compensation(cid, {"by": "sup-li"})
    assert case.stage is Stage.RESOLVE
    case = await desk.api.reassign(cid, {"by": "sup-li", "to": "agent-wang", "reason": "休假"})
    assert case.owner == "agent-wang"
    case = await desk.api.escalate_case(cid, {"by": "sup-li", "reason": "媒体", "severity": "L1"})
    assert case.severity is Severity.L1 and case.escalation_level.value == "supervisor"


async def test_a_supervisor_rejects_compensation_through_temporal(desk: Desk) -> None:
    cid = await desk.open()
    with pytest.raises(Refused) as refused_now:
        await desk.api.reject_compensation(cid, {"by": "sup-li", "reason": "金额过高"})
    assert refused_now.value.refusal.code is RefusalCode.NO_PLAN_AWAITS_APPROVAL

    await desk.api.propose_plan(
        cid, {"agent": "agent-zhang", "summary": "退款并补偿", "compensation_yuan": "300"}
    )
    with pytest.raises(Refused) as refused_now:
        await desk.api.reject_compensation(cid, {"by": "agent-zhang", "reason": "算了"})
    assert refused_now.value.refusal.code is RefusalCode.OWN_PLAN_REJECTION
    assert render("refusal.own_plan_rejection", "zh", refused_now.value.refusal.params) == (
        "agent-zhang 是该方案的提出人，不能自己驳回"
    )

    await desk.api.reject_compensation(cid, {"by": "sup-li", "reason": "超出赔付标准"})
    case = await desk.api.snapshot(cid)
    assert case.stage is Stage.INVESTIGATE and case.plan_awaiting_approval is None
    assert case.plan is None
    await desk.until_notified(cid, Audience.OWNER, "compensation_rejected")
    assert "plan_proposed" not in await desk.notified(cid, Audience.CUSTOMER)
    rejected = [
        e for e in await desk.api.timeline(cid, 0) if e.kind is EntryKind.COMPENSATION_REJECTED
    ]
    assert rejected[0].actor == "sup-li" and rejected[0].facts["reason"] == "超出赔付标准"

    with pytest.raises(Refused) as refused_now:  # nothing waits any more
        await desk.api.approve_compensation(cid, {"by": "sup-li"})
    assert refused_now.value.refusal.code is RefusalCode.NO_PLAN_AWAITS_APPROVAL


def test_merging_a_duplicate_ends_it_and_tells_the_customer_where_it_went() -> None:
    case = classified()
    with refused(RefusalCode.MERGE_INTO_ITSELF):
        supervision.check_merge_into(case, Merge(by="sup-li", into="C-1", reason="r"), T0)
    supervision.merge_into(case, Merge(by="sup-li", into="C-0", reason="同一台洗衣机"), LATER)
    assert case.state.stage is Stage.DONE and case.state.outcome is Outcome.MERGED
    assert case.state.merged_into == "C-0"
    assert case.outbox[-1].topic == "merged" and case.outbox[-1].facts["into"] == "C-0"
    with refused(RefusalCode.CASE_ENDED, complaint_id="C-1"):
        supervision.check_merge_into(case, Merge(by="sup-li", into="C-0", reason="r"), T0)


def test_a_merged_duplicate_owes_no_deadline_any_more() -> None:
    case = classified()
    assert case.snapshot().next_deadline is not None
    supervision.merge_into(case, Merge(by="sup-li", into="C-0", reason="同一台洗衣机"), LATER)
    snapshot = case.snapshot()
    assert snapshot.next_deadline is None and not [d for d in snapshot.deadlines if d.pending]
    assert case.agenda() == []
    withdrawn = [e for e in case.state.timeline if e.kind is EntryKind.DEADLINE_WITHDRAWN]
    assert withdrawn and all("withdrawn: the case ended (merged)" in e.summary for e in withdrawn)


async def test_a_duplicate_merges_into_the_surviving_case_through_temporal(desk: Desk) -> None:
    survivor = await desk.open()
    duplicate = await desk.open(channel="hotline")
    with pytest.raises(Refused) as refused:
        await desk.api.merge(duplicate, {"by": "sup-li", "into": "C-nowhere", "reason": "r"})
    assert "no open case C-nowhere to merge into" in str(refused.value)
    assert (await desk.api.snapshot(duplicate)).stage is Stage.INVESTIGATE  # unchanged

    await desk.api.merge(duplicate, {"by": "sup-li", "into": survivor, "reason": "同一台洗衣机"})
    final = await desk.api.outcome(duplicate)
    assert final.outcome is Outcome.MERGED and final.merged_into == survivor
    assert final.next_deadline is None  # no "due in the next hour" for an ended duplicate
    name = search_attributes.NEXT_DEADLINE.name
    shown = [
        fields[name]
        async for event in desk.env.client.get_workflow_handle(
            final.workflow_id
        ).fetch_history_events()
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
        and name
        in (
            fields
            := event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        )
    ]
    assert shown[-1].data in (b"", b"null")  # the list view's next deadline is unset
    timeline = await desk.api.timeline(survivor)
    merged = [e for e in timeline if e.kind is EntryKind.MERGED_IN]
    assert merged and merged[0].actor == "sup-li" and duplicate in merged[0].summary
    await desk.until_notified(survivor, Audience.OWNER, "merged_in")
