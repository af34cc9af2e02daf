"""The customer's view (R-TR-1): stage, the next promise, what was said to and by the customer,
and nothing internal — checked on a targeted case, on random sequences, and through Temporal."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import (
    AgentMessage,
    Category,
    ClassificationConfirmation,
    ClassificationOverride,
    CustomerReply,
    DeadlineKind,
    EntryKind,
    Escalation,
    Finding,
    ReplyIntent,
    ResolutionPlan,
    Severity,
    Stage,
)
from schemas.customer_view import CustomerView
from tests.support.cases import T0, actions, classified, played
from tests.support.desk import Desk
from workflows import closing, intake, investigation
from workflows.case_file import CaseFile
from workflows.customer_view import CUSTOMER_FACING, SHOWN, SPOKEN, view_for_customer

SECRET = "INTERNAL"


def view_of(case: CaseFile) -> CustomerView:
    return view_for_customer(case.snapshot(), case.entries_since(0))


def test_the_customer_sees_what_was_said_and_promised_and_nothing_internal() -> None:
    case = classified()
    later = T0 + timedelta(minutes=10)
    investigation.add_finding(
        case, Finding(agent="agent-zhang", summary=f"{SECRET}: supplier batch 7"), later
    )
    case.escalate_case(
        Escalation(by="sup-li", reason=f"{SECRET}: VIP", severity=Severity.L1), later
    )
    intake.override_classification(
        case,
        ClassificationOverride(by="sup-li", reason=f"{SECRET} regrade", category=Category.SERVICE),
        later,
    )
    intake.confirm_classification(
        case, ClassificationConfirmation(by="sup-li", note=f"{SECRET} ok"), later
    )
    closing.customer_reply(case, CustomerReply(text="什么时候能修好？"), later)
    investigation.respond(case, AgentMessage(agent="agent-zhang", text="明天上门维修。"), later)
    investigation.propose_plan(
        case, ResolutionPlan(agent="agent-zhang", summary="上门更换", compensation_yuan=50), later
    )

    view = view_of(case)
    shown = view.model_dump_json()
    assert SECRET not in shown and "agent-zhang" not in shown and "sup-li" not in shown
    assert "L1" not in shown and "risk" not in shown  # no grading either
    said = [(e.by, e.text) for e in view.entries if e.kind in SPOKEN]
    assert said == [
        ("you", "什么时候能修好？"),
        ("us", "明天上门维修。"),
        ("us", "上门更换 (compensation 50 yuan)"),
    ]
    assert view.stage is Stage.RESOLVE and view.plan == "上门更换"
    assert view.compensation_yuan == 50
    # The plan is with the customer: no promise runs while they decide.
    assert view.next_promise is None and view.waiting_on_you
    closing.customer_reply(case, CustomerReply(text="可以", intent=ReplyIntent.ACCEPT_PLAN), later)
    view = view_of(case)
    # Then the resolution (L1 after the escalation: 24 h from receipt, no time paused).
    assert view.next_promise is not None and view.next_promise.kind is DeadlineKind.RESOLVE
    assert view.next_promise.due_at == case.state.received_at + timedelta(hours=24)
    assert not view.waiting_on_you
    received = view.entries[0]
    assert received.kind is EntryKind.RECEIVED and received.text is None


def test_the_customer_sees_the_receipt_acknowledged_and_stage_changes_in_words() -> None:
    """Before: `show --customer` listed bare `stage_changed` rows and left the acknowledgement out."""
    case = classified()
    view = view_of(case)
    kinds = [e.kind for e in view.entries]
    assert EntryKind.ACKNOWLEDGED in kinds
    moves = [e.text for e in view.entries if e.kind is EntryKind.STAGE_CHANGED]
    assert moves and all(m and " → " in m for m in moves)
    assert "classify → investigate" in moves


@settings(max_examples=150, deadline=None)
@given(st.lists(actions, max_size=30))
def test_no_sequence_shows_the_customer_an_internal_entry(
    sequence: list[tuple[str, object]],
) -> None:
    case = played(sequence)
    public = {(e.at, e.kind, e.summary) for e in case.state.timeline if e.public}
    view = view_of(case)
    for entry in view.entries:
        assert entry.kind in SHOWN
        spoken = (entry.at, entry.kind, entry.text) in public or entry.kind in CUSTOMER_FACING
        assert entry.text is None or spoken
    promised = view.next_promise
    assert promised is None or promised.kind not in (
        DeadlineKind.TRIAGE,
        DeadlineKind.FIRST_ASSESSMENT,
    )


async def test_the_customer_view_through_temporal(desk: Desk) -> None:
    cid = await desk.open()
    await desk.api.add_finding(cid, {"agent": "agent-zhang", "summary": f"{SECRET} batch 7"})
    await desk.api.respond(cid, {"agent": "agent-zhang", "text": "工程师明天上门。"})
    view = await desk.api.customer_view(cid)
    assert SECRET not in view.model_dump_json()
    assert [e.text for e in view.entries if e.by == "us" and e.kind in SPOKEN] == [
        "工程师明天上门。"
    ]
    assert view.next_promise is not None and view.next_promise.kind is DeadlineKind.RESOLVE
