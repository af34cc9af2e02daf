"""Cases built by the pure rules, without Temporal: a case as the workflow holds it once opened
or classified, and one played through a sequence of actions (random ones from hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from grading.engine import grade
from grading.policy import load_grading_policy
from schemas import (
    DEFAULT_POLICY,
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    ComplaintIntake,
    CustomerReply,
    Escalation,
    Finding,
    ProgressNote,
    ReopenRequest,
    ReplyIntent,
    ResolutionPlan,
    RiskLevel,
    Severity,
    SlaPolicy,
    Stage,
    SurveyAnswer,
    case_actions,
)
from schemas.refusals import InvalidAction
from tests.support.desk import intake
from workflows import action_rules, closing
from workflows.case_file import CaseFile

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RULES = load_grading_policy()


def opened(
    description: str = "洗衣机漏水", at: datetime = T0, policy: SlaPolicy = DEFAULT_POLICY
) -> CaseFile:
    """A case received at `at`, its policy loaded."""
    data = ComplaintIntake.model_validate(intake("C-1", at, description=description))
    case = CaseFile.open(data, "complaint-C-1", at)
    case.adopt_policy(policy, at)
    return case


def classified(
    description: str = "洗衣机漏水", at: datetime = T0, policy: SlaPolicy = DEFAULT_POLICY
) -> CaseFile:
    """A case as the workflow has it once receipt is acknowledged and classification is back."""
    case = opened(description, at, policy)
    for notice in case.outbox:
        case.delivered(notice, at)
    case.classified(grade(case.state.intake, RULES), at)
    return case


AGENT = "agent-a"


actions = st.one_of(
    st.tuples(st.just("reply"), st.sampled_from(list(ReplyIntent))),
    st.tuples(st.just("reopen"), st.just(None)),
    st.tuples(st.just("survey"), st.integers(1, 5)),
    st.tuples(st.just("escalate"), st.sampled_from([None, *Severity])),
    st.tuples(st.just("risk_high"), st.just(None)),
    st.tuples(st.just("override"), st.sampled_from(list(Severity))),
    st.tuples(st.just("confirm"), st.just(None)),
    st.tuples(st.just("respond"), st.just(None)),
    st.tuples(st.just("finding"), st.just(None)),
    st.tuples(st.just("plan"), st.just(None)),
    st.tuples(st.just("progress"), st.booleans()),
    st.tuples(st.just("wait"), st.integers(1, 60 * 24 * 8)),  # minutes
)


def apply(case: CaseFile, action: tuple[str, object], now: datetime) -> datetime:
    kind, arg = action
    if kind == "wait":
        assert isinstance(arg, int)
        target = now + timedelta(minutes=arg)
        while True:  # fire each alarm at its time, as the workflow's loop does
            agenda = case.agenda()
            if not agenda or agenda[0].due_at > target:
                return target
            now = max(agenda[0].due_at, now)
            case.fire_due(now)
    if kind == "reply":
        closing.customer_reply(case, CustomerReply(text="…", intent=ReplyIntent(str(arg))), now)
    elif kind == "reopen":
        closing.reopen_request(case, ReopenRequest(reason="again"), now)
    elif kind == "survey":
        assert isinstance(arg, int)
        closing.survey_answer(case, SurveyAnswer(result=arg, attitude=3, timeliness=3), now)
    elif kind == "escalate":
        sev = Severity(str(arg)) if arg else None
        case.escalate_case(Escalation(by="sup", reason="r", severity=sev), now)
    elif kind == "risk_high":
        case.escalate_case(Escalation(by="sup", reason="press", risk=RiskLevel.HIGH), now)
    else:
        payloads: dict[str, Any] = {
            "respond": lambda: AgentMessage(agent=AGENT, text="t"),
            "finding": lambda: Finding(agent=AGENT, summary="s"),
            "plan": lambda: ResolutionPlan(agent=AGENT, summary="p"),
            "progress": lambda: ProgressNote(agent=AGENT, note="n", completed=bool(arg)),
            "override": lambda: ClassificationOverride(
                by="sup", reason="r", severity=Severity(str(arg))
            ),
            "confirm": lambda: ClassificationConfirmation(by=AGENT),
        }
        row = case_actions.action(kind)  # the table's names line up
        payload = payloads[kind]()
        try:
            action_rules.check(case, row, payload, now)
        except InvalidAction:
            return now  # refused in the validator: nothing reaches the case
        action_rules.apply(case, row, payload, now)
    return now


def played(
    sequence: list[tuple[str, object]], check: Callable[[CaseFile], None] | None = None
) -> CaseFile:
    """A classified case after `sequence` (up to its end), `check`ed after every step."""
    case = classified()
    now = T0
    for action in sequence:
        if case.state.stage is Stage.DONE:
            break
        now = apply(case, action, now)
        if check:
            check(case)
    return case


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)
