"""The case page's parts, without a browser: the customer masked for staff not of the case, one
row per deadline, the grade said in a sentence in the reader's language, the conversation kept
apart from the bookkeeping, and what the case made of an action."""

from __future__ import annotations

import re
from datetime import timedelta

import catalogue
from schemas import Stage
from schemas.case import Deadline, EntryKind, TimelineEntry
from schemas.case_actions import ActionAck
from schemas.classification import Severity
from schemas.intake import Customer
from schemas.sla import DeadlineKind
from tests.support.cases import T0, classified
from web import workspace
from web.users import StaffRole, StaffUser

CUSTOMER = Customer.model_validate(
    {
        "name": "王小明",
        "contact": {"phone": "+86 138 0000 1234", "email": "xiaoming@example.com"},
        "account_id": "U-42",
    }
)


def person(username: str, role: StaffRole = StaffRole.AGENT) -> StaffUser:
    return StaffUser(username=username, name=username, role=role)


def test_the_customer_is_seen_by_the_staff_of_the_case_only() -> None:
    case = classified().snapshot().model_copy(update={"owner": "agent-zhang"})
    assert workspace.staff_of_case(person("agent-zhang"), case)
    assert workspace.staff_of_case(person("sup-li", StaffRole.SUPERVISOR), case)
    assert workspace.staff_of_case(person("boss", StaffRole.MANAGER), case)
    assert not workspace.staff_of_case(person("agent-wang"), case)


def test_masked_the_customer_keeps_no_name_number_address_or_account() -> None:
    shown = workspace.customer_shown(CUSTOMER, visible=False)
    seen = " ".join([shown.name, shown.account_id, *(v for _, v in shown.contacts)])
    for secret in ("小明", "138 0000", "xiaoming", "42"):
        assert secret not in seen
    assert shown.masked and shown.name.startswith("王") and "1234" in seen
    whole = workspace.customer_shown(CUSTOMER, visible=True)
    assert (whole.name, whole.account_id) == ("王小明", "U-42")
    assert ("phone", "+86 138 0000 1234") in whole.contacts


def test_a_recurring_deadline_is_one_row_the_one_that_counts_now() -> None:
    def progress(hours: int, met: bool) -> Deadline:
        return Deadline(
            kind=DeadlineKind.PROGRESS_UPDATE,
            round=0,
            severity=Severity.L2,
            started_at=T0,
            due_at=T0 + timedelta(hours=hours),
            met_at=T0 + timedelta(hours=hours - 1) if met else None,
        )

    respond = Deadline(
        kind=DeadlineKind.RESPOND,
        round=0,
        severity=Severity.L2,
        started_at=T0,
        due_at=T0 + timedelta(hours=2),
        met_at=T0 + timedelta(hours=3),
        breached_at=T0 + timedelta(hours=2),
    )
    rows = workspace.deadline_rows([progress(24, True), progress(48, True), progress(72, False)])
    assert [(r.kind, r.state, r.due_at) for r in rows] == [
        ("progress_update", "running", T0 + timedelta(hours=72))
    ]
    assert rows[0].counting
    [late] = workspace.deadline_rows([respond])
    assert (late.state, late.since, late.counting) == ("met_late", respond.met_at, False)


def test_the_grade_is_one_sentence_in_the_readers_language() -> None:
    case = classified("洗衣机漏电，我被电到了，要求退款！").snapshot()
    assert case.classification is not None
    zh = workspace.grade_why(case.classification, "zh")
    en = workspace.grade_why(case.classification, "en")
    assert zh.startswith(catalogue.render(f"severity.{case.classification.severity.value}", "zh"))
    assert "人身安全" in zh and not re.search(r"[A-Za-z]{3,}", zh.replace("VIP", ""))
    assert "safety" in en and not re.search(r"[\u4e00-\u9fff]", en)
    assert "P(L1)" not in zh + en  # the model's figures are details, not the sentence


def entry(seq: int, kind: EntryKind, actor: str, summary: str) -> TimelineEntry:
    return TimelineEntry(
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        stage=Stage.INVESTIGATE,
        kind=kind,
        actor=actor,
        summary=summary,
        public=True,
    )


def test_the_conversation_is_what_was_said_oldest_first_and_the_audit_has_everything() -> None:
    timeline = [
        entry(3, EntryKind.CUSTOMER_MESSAGE, "customer", "还是漏水"),
        entry(1, EntryKind.DEADLINE_SET, "system", "respond due 10:00"),
        entry(2, EntryKind.AGENT_MESSAGE, "agent-zhang", "非常抱歉"),
        entry(4, EntryKind.PLAN_PROPOSED, "agent-zhang", "上门更换 (compensation 50.00 yuan)"),
    ]
    said = workspace.conversation(timeline, "zh", catalogue.DEFAULT_ZONE, T0)
    assert [(s.by_customer, s.words) for s in said] == [
        (False, "非常抱歉"),
        (True, "还是漏水"),
        (False, "上门更换"),
    ]
    assert [e.seq for e in workspace.audit(timeline, None)] == [1, 2, 3, 4]
    assert [e.seq for e in workspace.audit(timeline, "deadline_set")] == [1]


def test_what_the_case_made_of_an_action_is_said_plainly() -> None:
    def ack(*recorded: EntryKind) -> ActionAck:
        return ActionAck(
            complaint_id="C-1", action="plan", stage=Stage.INVESTIGATE, recorded=list(recorded)
        )

    assert workspace.became(ack(EntryKind.APPROVAL_REQUESTED)) == "awaiting_approval"
    assert workspace.became(ack(EntryKind.REFUSED)) == "kept_as_message"
    assert workspace.became(ack(EntryKind.PLAN_PROPOSED, EntryKind.STAGE_CHANGED)) == "accepted"


def test_every_entry_kind_has_a_word_in_every_language() -> None:
    for lang in catalogue.LANGUAGES:
        missing = [k for k in EntryKind if not catalogue.has(f"workspace.kind.{k.value}", lang)]
        assert missing == [], lang
