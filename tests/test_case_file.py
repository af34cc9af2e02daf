"""A case's rules without Temporal: targeted cases plus random sequences (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue import render
from grading.engine import grade
from schemas import (
    AgentMessage,
    CustomerReply,
    DeadlineKind,
    EntryKind,
    Escalation,
    Outcome,
    ProgressNote,
    ReplyIntent,
    ResolutionPlan,
    Severity,
    Stage,
)
from schemas.refusals import InvalidAction, Refusal, RefusalCode
from schemas.text import TEXT_MAX
from tests.support.cases import RULES, T0, actions, classified, opened, played
from tests.support.refusals import refused
from workflows import closing, investigation
from workflows.case_file import CaseFile


def kinds(case: CaseFile) -> list[EntryKind]:
    return [e.kind for e in case.state.timeline]


def test_acknowledgement_is_met_when_delivered_and_late_delivery_counts_as_a_breach() -> None:
    case = opened()
    ack_notice = next(n for n in case.outbox if n.topic == "acknowledged")
    case.delivered(ack_notice, T0 + timedelta(minutes=9))
    ack = case.state.deadlines[0]
    assert ack.met_at == T0 + timedelta(minutes=9)
    assert ack.breached_at == T0 + timedelta(minutes=9)
    assert EntryKind.DEADLINE_BREACHED in kinds(case)


def test_an_escalation_before_classification_is_not_undone_by_it() -> None:
    case = opened()
    case.escalate_case(Escalation(by="sup-li", reason="媒体关注", severity=Severity.L1), T0)
    case.classified(grade(case.state.intake, RULES), T0)  # the rules alone say L2
    assert case.state.severity is Severity.L1
    respond = next(d for d in case.state.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.due_at == T0 + timedelta(hours=1)


def test_a_response_before_classification_still_meets_the_respond_deadline() -> None:
    case = opened()
    investigation.respond(
        case, AgentMessage(agent="a", text="我们在处理"), T0 + timedelta(minutes=1)
    )
    case.classified(grade(case.state.intake, RULES), T0 + timedelta(minutes=2))
    respond = next(d for d in case.state.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.met_at is not None and respond.breached_at is None


def test_an_intent_that_does_not_apply_is_kept_as_a_message() -> None:
    case = classified()
    closing.customer_reply(case, CustomerReply(text="行", intent=ReplyIntent.ACCEPT_PLAN), T0)
    assert case.state.stage is Stage.INVESTIGATE
    assert kinds(case)[-1] is EntryKind.REFUSED
    assert EntryKind.CUSTOMER_MESSAGE in kinds(case)


def test_agent_actions_out_of_turn_are_refused_and_change_nothing() -> None:
    case = classified()
    before = case.state.model_copy(deep=True)
    with refused(RefusalCode.PROGRESS_OUTSIDE_TRACK, stage="investigate"):
        investigation.check_record_progress(case, ProgressNote(agent="a", note="x"), T0)
    done = ProgressNote(agent="a", note="x", completed=True)
    with pytest.raises(InvalidAction) as caught:
        investigation.check_record_progress(case, done, T0)
    refusal = caught.value.refusal
    assert refusal == Refusal(
        RefusalCode.MOVE_NOT_ALLOWED, {"move": "carry_out_plan", "stage": "investigate"}
    )
    assert str(caught.value) == "cannot carry out plan while the case is at stage 'investigating'"
    assert render("refusal.move_not_allowed", "zh", refusal.params) == (
        "案件处于“调查”阶段，不能交付处理结果"
    )
    assert case.state == before


def test_l1_cases_alert_the_supervisor_and_are_urgent() -> None:
    case = classified("饼干吃了以后食物中毒")
    urgent = [n for n in case.outbox if n.topic == "urgent_case"]
    assert len(urgent) == 1 and urgent[0].urgent


# ---- random sequences ----------------------------------------------------------------------


def holds_together(case: CaseFile) -> None:
    s = case.state
    first = s.timeline_offset
    assert [e.seq for e in s.timeline] == list(range(first, first + len(s.timeline)))
    assert s.reopen_count == kinds(case).count(EntryKind.REOPENED)
    assert (s.stage is Stage.DONE) == (s.outcome is not None)
    assert (s.stage in (Stage.FOLLOW_UP, Stage.DONE)) == (s.closed_at is not None)
    assert (s.stage is Stage.TRACK) <= (s.plan is not None)
    assert all(d.due_at > d.started_at for d in s.deadlines)
    open_rounds = {(d.kind, d.round) for d in s.deadlines if d.met_at is None}
    assert all(r == s.reopen_count for _, r in open_rounds), "an old round left unmet"
    emergency = [d for d in s.deadlines if d.kind.emergency and d.pending]
    assert not emergency or s.stage in (Stage.INVESTIGATE, Stage.RESOLVE, Stage.TRACK)
    progress = [d for d in emergency if d.kind is DeadlineKind.PROGRESS_UPDATE]
    assert len(progress) <= 1, "two daily progress deadlines at once"
    keys = [n.key for n in case.outbox]
    assert len(keys) == len(set(keys)), "two notifications share an idempotency key"


@settings(max_examples=400, deadline=None)
@given(st.lists(actions, max_size=40))
def test_no_sequence_breaks_the_case(sequence: list[tuple[str, object]]) -> None:
    case = played(sequence, check=holds_together)
    if case.state.stage is Stage.DONE:
        assert case.state.outcome in set(Outcome)


def test_continue_as_new_carries_a_bounded_timeline_and_loses_nothing() -> None:
    case = classified()
    for i in range(300):
        closing.customer_reply(case, CustomerReply(text=f"消息{i}"), T0)
    total = case.next_seq
    # The store has seen all but the last 50 entries: those 50 must be carried whatever `keep`.
    carried = case.carried(keep=100, stored_upto=total - 50)
    assert len(carried.timeline) == 100 and carried.timeline_offset == total - 100
    assert carried.runs == case.state.runs + 1
    carried = case.carried(keep=10, stored_upto=total - 50)
    assert len(carried.timeline) == 50  # unprojected entries are never dropped
    resumed = CaseFile(carried)
    closing.customer_reply(resumed, CustomerReply(text="又一条"), T0)
    assert resumed.state.timeline[-1].seq == total  # numbering goes on where it stopped
    assert [e.seq for e in resumed.entries_since(total - 1)] == [total - 1, total]
    assert case.carried(keep=10, stored_upto=0).timeline == case.state.timeline  # no store


def test_the_longest_replies_still_fit_one_payload_when_carried_or_stored() -> None:
    """200 replies of 4,000 Chinese characters are 2.4 MB, over Temporal's 2 MB payload limit."""
    case = classified()
    for i in range(200):  # far enough apart that the owner is told of each one
        at = T0 + i * closing.OWNER_TOLD_AT_MOST_EVERY
        closing.customer_reply(case, CustomerReply(text="漏" * TEXT_MAX), at)
    total = case.next_seq
    carried = case.carried(keep=200, stored_upto=total, max_bytes=256 * 1024)
    # With 200 staff alerts still unsent (they quote the customer briefly), well under 2 MB.
    assert len(carried.outbox) >= 200
    assert len(carried.model_dump_json().encode()) < 1024 * 1024
    assert carried.timeline[-1].seq == total - 1 and len(carried.timeline) < 200
    # Unstored entries are carried whatever their size: losing them would be worse.
    assert len(case.carried(keep=200, stored_upto=0, max_bytes=1).timeline) == total

    batch = case.projection_batch(0, max_entries=100, max_bytes=256 * 1024)
    assert [e.seq for e in batch] == list(range(len(batch))) and 0 < len(batch) < 100
    assert sum(len(e.summary.encode()) for e in batch) <= 256 * 1024
    assert len(case.projection_batch(0, max_entries=100, max_bytes=1)) == 1  # always progress
    assert case.projection_batch(total, max_entries=100, max_bytes=1) == []


def test_a_plan_offered_meets_the_emergency_temporary_remedy() -> None:
    """README: a message to the customer or a plan meets the temporary remedy (R-IV-3)."""
    case = classified("我的账户被盗刷了5000元")  # money: L1, high risk, emergency convened
    remedy = [d for d in case.state.deadlines if d.kind is DeadlineKind.TEMPORARY_REMEDY]
    assert remedy and remedy[0].pending
    investigation.propose_plan(
        case, ResolutionPlan(agent="agent-a", summary="冻结账户并追回"), T0 + timedelta(minutes=40)
    )
    assert remedy[0].met_at == T0 + timedelta(minutes=40) and remedy[0].breached_at is None
