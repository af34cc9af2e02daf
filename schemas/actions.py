"""Payloads of every signal and update a case accepts.

Customers' messages are signals: a channel relays them and must never lose one, whatever the
case is doing. Agents' actions are updates: the agent needs to know whether it was accepted.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from schemas.classification import Category, RiskLevel, Severity
from schemas.intake import EVIDENCE_MAX, CaseDate, Channel, Evidence, Strict
from schemas.sla import SlaPolicy
from schemas.survey import SCORE_MAX, SCORE_MIN, QuestionKey
from schemas.text import Identifier, Line, Text


class ReplyIntent(StrEnum):
    """What a customer's message means for the case, as the relaying channel understood it."""

    MESSAGE = "message"
    ACCEPT_PLAN = "accept_plan"
    REJECT_PLAN = "reject_plan"
    CONFIRM_RESOLVED = "confirm_resolved"
    NOT_RESOLVED = "not_resolved"


class CustomerReply(Strict):
    text: Text
    intent: ReplyIntent = ReplyIntent.MESSAGE
    channel: Channel | None = None


class ReopenRequest(Strict):
    reason: Text
    channel: Channel | None = None


Score = int
# Well above any survey a desk would ask, well below a payload's limit.
ADDED_ANSWERS_MAX = 20


class SurveyAnswer(Strict):
    """Seed 000's follow-up questions, each scored 1 (very poor) to 5 (very good), and the
    answers to any question the policy adds (`SlaPolicy.survey_questions`), by its key: the
    workflow checks those against the policy, since only the case knows its policy."""

    result: Score = Field(ge=SCORE_MIN, le=SCORE_MAX)
    attitude: Score = Field(ge=SCORE_MIN, le=SCORE_MAX)
    timeliness: Score = Field(ge=SCORE_MIN, le=SCORE_MAX)
    suggestions: Text | None = None
    answers: dict[QuestionKey, Score | Text] = Field(
        default_factory=dict, max_length=ADDED_ANSWERS_MAX
    )

    def given(self) -> dict[str, int | str]:
        """Every answer by its question's key, seed 000's and the added ones."""
        fixed: dict[str, int | str] = {
            "result": self.result,
            "attitude": self.attitude,
            "timeliness": self.timeliness,
        }
        if self.suggestions is not None:
            fixed["suggestions"] = self.suggestions
        return {**fixed, **{k: v for k, v in self.answers.items() if k not in fixed}}


class Escalation(Strict):
    """A supervisor's escalation: raise severity or risk, hand the case to someone else, or both."""

    by: Identifier
    reason: Text
    severity: Severity | None = None
    risk: RiskLevel | None = None
    assign_to: Identifier | None = None


class Department(StrEnum):
    """Where a complaint's cross-department work goes (R-IV-2)."""

    AFTER_SALES = "after_sales"
    LOGISTICS = "logistics"
    R_AND_D = "r_and_d"
    TECH = "tech"
    QUALITY = "quality"
    LEGAL = "legal"
    PR = "pr"
    FINANCE = "finance"


class TaskRequest(Strict):
    """An agent asks a department for work the case needs, with an owner there and a due time."""

    by: Identifier
    department: Department
    owner: Identifier
    title: Line
    due_at: CaseDate
    blocking: bool = Field(default=True, description="The case cannot be resolved while open")


class TaskDone(Strict):
    task: int = Field(ge=1, description="The task's number on the case")
    by: Identifier
    note: Text | None = None


class TaskOverride(Strict):
    """A supervisor lets the case be resolved although the task is still open."""

    task: int = Field(ge=1)
    by: Identifier
    reason: Text


class PolicyChange(Strict):
    """A new SLA policy (or calendar) for a running case: its pending deadlines recompute."""

    by: Identifier
    reason: Text
    policy: SlaPolicy


class Merge(Strict):
    """A supervisor merges this duplicate into the case that carries on."""

    by: Identifier
    into: Identifier = Field(description="The surviving complaint id")
    reason: Text


class MergedCase(Strict):
    """What the surviving case is told of a duplicate merged into it."""

    complaint_id: Identifier
    subject: Line
    by: Identifier
    reason: Text


class Reassignment(Strict):
    """A supervisor hands the case to another agent (otherwise its first agent keeps it, R-IN-5)."""

    by: Identifier
    to: Identifier
    reason: Text


class TakeCase(Strict):
    """An agent takes a case from a team's queue and owns it from then to the end (R-IN-5)."""

    by: Identifier


class CompensationApproval(Strict):
    """A supervisor approves a plan whose compensation is above an agent's authority (R-RS-1)."""

    by: Identifier
    note: Text | None = None


class CompensationRejection(Strict):
    """A supervisor turns down a plan's compensation: the plan goes back to its agent, who
    proposes another; the case stays where it was."""

    by: Identifier
    reason: Text


class ClosureOnBehalf(Strict):
    """A supervisor closes a delivered case whose customer has gone silent, where policy allows."""

    by: Identifier
    reason: Text


class ClassificationOverride(Strict):
    """A person correcting the automatic classification (R-CL-5); who and why are kept."""

    by: Identifier
    reason: Text
    category: Category | None = None
    sub_category: Line | None = None
    severity: Severity | None = None
    risk: RiskLevel | None = None


class ClassificationConfirmation(Strict):
    """A person has read the case and agrees with its classification."""

    by: Identifier
    note: Text | None = None


class AgentMessage(Strict):
    """An agent's message to the customer; the first one meets the respond deadline."""

    agent: Identifier
    text: Text


class Finding(Strict):
    agent: Identifier
    summary: Text
    evidence: list[Evidence] = Field(default_factory=list, max_length=EVIDENCE_MAX)


class ResolutionPlan(Strict):
    agent: Identifier
    summary: Text
    compensation_yuan: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    next_update_by: CaseDate | None = Field(
        default=None, description="When the customer will next hear from us (R-RS-2)"
    )


class ProgressNote(Strict):
    agent: Identifier
    note: Text
    completed: bool = Field(default=False, description="The plan is carried out; ask to confirm")
