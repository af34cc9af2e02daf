"""Which rule answers each action of the table (`schemas.case_actions.ACTIONS`): its check (the
update's validator; a customer's signal has none, since it is never refused) and its apply.

Read a row to follow an action: `"propose_plan"` → `investigation.check_propose_plan` →
`investigation.propose_plan`. The workflow reaches the rules only through `rules_for`;
`tests/test_case_actions.py` checks that every row of the table has exactly one entry here, with
the same payload type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from schemas.actions import (
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    ClosureOnBehalf,
    CompensationApproval,
    CompensationRejection,
    CustomerReply,
    Escalation,
    Finding,
    Merge,
    PolicyChange,
    ProgressNote,
    Reassignment,
    ReopenRequest,
    ResolutionPlan,
    SurveyAnswer,
    TakeCase,
    TaskDone,
    TaskOverride,
    TaskRequest,
)
from schemas.case_actions import CaseAction
from schemas.evidence import EvidenceFile
from schemas.regulatory import RegulatoryLetter
from workflows import (
    closing,
    department_tasks,
    evidence,
    intake,
    investigation,
    regulatory_clock,
    supervision,
    team_queue,
)
from workflows.actors import check_actor
from workflows.case_record import CaseRecord

Payload = TypeVar("Payload", bound=BaseModel)


@dataclass(frozen=True)
class ActionRule(Generic[Payload]):
    payload: type[Payload]
    check: Callable[[CaseRecord, Payload, datetime], None] | None
    apply: Callable[[CaseRecord, Payload, datetime], None]


RULES: dict[str, ActionRule[Any]] = {
    # customers (signals: never refused)
    "customer_reply": ActionRule(CustomerReply, None, closing.customer_reply),
    "reopen_request": ActionRule(ReopenRequest, None, closing.reopen_request),
    "survey_answer": ActionRule(SurveyAnswer, None, closing.survey_answer),
    "add_evidence": ActionRule(EvidenceFile, None, evidence.add_evidence),
    # agents
    "send_regulatory_letter": ActionRule(
        RegulatoryLetter, regulatory_clock.check_send_letter, regulatory_clock.send_letter
    ),
    "respond": ActionRule(AgentMessage, investigation.check_respond, investigation.respond),
    "add_finding": ActionRule(Finding, investigation.check_add_finding, investigation.add_finding),
    "propose_plan": ActionRule(
        ResolutionPlan, investigation.check_propose_plan, investigation.propose_plan
    ),
    "record_progress": ActionRule(
        ProgressNote, investigation.check_record_progress, investigation.record_progress
    ),
    "confirm_classification": ActionRule(
        ClassificationConfirmation,
        intake.check_confirm_classification,
        intake.confirm_classification,
    ),
    "override_classification": ActionRule(
        ClassificationOverride,
        intake.check_override_classification,
        intake.override_classification,
    ),
    "open_task": ActionRule(
        TaskRequest, department_tasks.check_open_task, department_tasks.open_task
    ),
    "complete_task": ActionRule(
        TaskDone, department_tasks.check_complete_task, department_tasks.complete_task
    ),
    "take": ActionRule(TakeCase, team_queue.check_take, team_queue.take),
    # supervisors
    "escalate_case": ActionRule(
        Escalation, supervision.check_escalate_case, supervision.escalate_case
    ),
    "reassign": ActionRule(Reassignment, supervision.check_reassign, supervision.reassign),
    "approve_compensation": ActionRule(
        CompensationApproval,
        supervision.check_approve_compensation,
        supervision.approve_compensation,
    ),
    "reject_compensation": ActionRule(
        CompensationRejection,
        supervision.check_reject_compensation,
        supervision.reject_compensation,
    ),
    "close_for_customer": ActionRule(
        ClosureOnBehalf, supervision.check_close_for_customer, supervision.close_for_customer
    ),
    "override_task": ActionRule(
        TaskOverride, department_tasks.check_override_task, department_tasks.override_task
    ),
    "merge_into": ActionRule(Merge, supervision.check_merge_into, supervision.merge_into),
    "change_policy": ActionRule(
        PolicyChange, supervision.check_change_policy, supervision.change_policy
    ),
}


def rules_for(action: CaseAction) -> ActionRule[Any]:
    """The check and the apply of a row of the action table (keyed by its history name)."""
    return RULES[action.handler]


def check(case: CaseRecord, action: CaseAction, message: BaseModel, now: datetime) -> None:
    """Raise `InvalidAction` if the case does not allow `action` now; a signal always passes."""
    rule = rules_for(action)
    if action.actor is not None:
        check_actor(getattr(message, action.actor))
    if rule.check is not None:
        rule.check(case, message, now)


def apply(case: CaseRecord, action: CaseAction, message: BaseModel, now: datetime) -> None:
    rules_for(action).apply(case, message, now)
