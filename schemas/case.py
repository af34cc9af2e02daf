"""A case as the workflow keeps it, and as queries show it (R-TR-2, R-OP-3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.actions import Department, ResolutionPlan, SurveyAnswer
from schemas.classification import Category, Classification, RiskLevel, Severity
from schemas.intake import Channel, ComplaintIntake
from schemas.notification import Notification
from schemas.regulatory import RegulatoryDeadline, RegulatoryRegime
from schemas.routing import RoutingPolicy
from schemas.sla import DeadlineKind, SlaPolicy
from schemas.survey import DEFAULT_QUESTIONS, SurveyQuestion


class Stage(StrEnum):
    """The design card's stages, in order; a case may step back to INVESTIGATE."""

    RECEIVE = "receive"  # accepted; loading the SLA policy
    CLASSIFY = "classify"  # grading severity and category
    INVESTIGATE = "investigate"  # gathering facts, drafting a plan
    RESOLVE = "resolve"  # plan proposed; the customer decides
    TRACK = "track"  # plan accepted; being carried out
    CLOSE = "close"  # result delivered; waiting for the customer to confirm
    FOLLOW_UP = "follow_up"  # closed; satisfaction survey 3-7 days later
    DONE = "done"  # ended; see the outcome


# A case that has not ended; and one being handled, before its result is delivered.
OPEN_STAGES = frozenset(Stage) - {Stage.DONE}
HANDLING = frozenset({Stage.RECEIVE, Stage.CLASSIFY, Stage.INVESTIGATE, Stage.RESOLVE, Stage.TRACK})


class Outcome(StrEnum):
    CLOSED_CONFIRMED = "closed_confirmed"  # the customer answered the follow-up, satisfied
    CLOSED_NO_RESPONSE = "closed_no_response"  # no answer by the end of the follow-up window
    MERGED = "merged"  # a duplicate, merged into the surviving case (`merged_into`)


class ClosedBy(StrEnum):
    CUSTOMER = "customer"  # the customer confirmed the result
    SILENCE = "silence"  # no confirmation within the policy's confirmation wait
    SUPERVISOR = "supervisor"  # closed by a supervisor on behalf of a silent customer


class EscalationLevel(StrEnum):
    OWNER = "owner"
    SUPERVISOR = "supervisor"
    MANAGEMENT = "management"


class Deadline(BaseModel):
    """One durable promise. Breached and met are both kept: a late answer is still recorded."""

    kind: DeadlineKind
    round: int = Field(description="0 for the first handling, +1 for every re-open")
    severity: Severity | None
    started_at: datetime
    due_at: datetime
    met_at: datetime | None = None
    breached_at: datetime | None = None
    warned_at: datetime | None = Field(default=None, description="The owner was warned it is near")
    management_at: datetime | None = Field(
        default=None, description="Still unmet after the breach: management was told"
    )
    paused_at: datetime | None = Field(
        default=None, description="Waiting on the customer since then: the clock is stopped"
    )
    paused_for: timedelta = Field(
        default=timedelta(0),
        description="Time paused so far, on the deadline's own clock (working time if it counts "
        "working time); due_at includes it",
    )

    withdrawn_at: datetime | None = Field(
        default=None, description="The case ended (merged, say) before it fell due: not owed"
    )

    @property
    def pending(self) -> bool:
        return self.met_at is None and self.breached_at is None and self.withdrawn_at is None

    @property
    def running(self) -> bool:
        """Pending and its clock ticking: only a running deadline can fall due."""
        return self.pending and self.paused_at is None


class EntryKind(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    CLASSIFIED = "classified"
    STAGE_CHANGED = "stage_changed"
    CUSTOMER_MESSAGE = "customer_message"
    AGENT_MESSAGE = "agent_message"
    FINDING = "finding"
    PLAN_PROPOSED = "plan_proposed"
    PROGRESS = "progress"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    RECLASSIFIED = "reclassified"
    EMERGENCY = "emergency"
    DEADLINE_SET = "deadline_set"
    DEADLINE_MET = "deadline_met"
    DEADLINE_BREACHED = "deadline_breached"
    DEADLINE_WARNING = "deadline_warning"
    DEADLINE_PAUSED = "deadline_paused"
    DEADLINE_RESUMED = "deadline_resumed"
    DEADLINE_WITHDRAWN = "deadline_withdrawn"  # the case ended before it fell due
    POLICY_CHANGED = "policy_changed"
    MERGED = "merged"  # this duplicate went into another case
    MERGED_IN = "merged_in"  # a duplicate came into this case
    REVIEW_REQUESTED = "review_requested"  # a high-risk case closed: major-event review (R-CO-3)
    REASSIGNED = "reassigned"
    APPROVAL_REQUESTED = "approval_requested"
    APPROVED = "approved"
    COMPENSATION_REJECTED = "compensation_rejected"  # the plan went back to its agent
    CLOSED_FOR_CUSTOMER = "closed_for_customer"  # who closed it for a silent customer, and why
    TASK_OPENED = "task_opened"
    TASK_DONE = "task_done"
    TASK_OVERDUE = "task_overdue"
    TASK_OVERRIDDEN = "task_overridden"
    SURVEY_SENT = "survey_sent"
    SURVEY_REMINDED = "survey_reminded"  # no answer by the reminder's day (R-FU-1)
    SURVEY_ANSWERED = "survey_answered"
    CLOSED = "closed"
    ENDED = "ended"
    NOTIFICATION_FAILED = "notification_failed"
    REFUSED = "refused"  # a signal that could not apply; kept so nothing a customer said is lost
    UNREADABLE = "unreadable"  # a message that could not be read: its name and why, not its content
    ROUTED = "routed"  # a case nobody received, queued for a team (policies/routing.json)
    TAKEN = "taken"  # an agent took a team's case and owns it to the end (R-IN-5)
    JOB_FAILED = "job_failed"  # background work of the workflow's own that failed (a defect)
    EVIDENCE_ADDED = "evidence_added"  # a file kept in the evidence store (schemas/evidence.py)
    EVIDENCE_NOT_KEPT = "evidence_not_kept"  # a file that came and was not kept, with why
    # regulators' clocks (workflows/regulatory_clock.py)
    REGULATORY_DEADLINE_SET = "regulatory_deadline_set"
    REGULATORY_DEADLINE_WARNING = "regulatory_deadline_warning"
    REGULATORY_DEADLINE_MET = "regulatory_deadline_met"
    REGULATORY_DEADLINE_EXTENDED = "regulatory_deadline_extended"
    REGULATORY_DEADLINE_BREACHED = "regulatory_deadline_breached"
    REGULATORY_DEADLINE_WITHDRAWN = "regulatory_deadline_withdrawn"
    REGULATORY_LETTER_SENT = "regulatory_letter_sent"
    REGULATORY_REPORTED = "regulatory_reported"  # the result's reporting bucket


class DepartmentTask(BaseModel):
    """Cross-department work on a case (R-IV-2), with its own deadline; cycle time is
    `done_at - opened_at`."""

    number: int
    department: Department
    owner: str
    title: str
    opened_by: str
    opened_at: datetime
    due_at: datetime
    blocking: bool
    done_at: datetime | None = None
    escalated_at: datetime | None = Field(default=None, description="Overdue: supervisor told")
    overridden_by: str | None = None

    @property
    def open(self) -> bool:
        return self.done_at is None


class AnsweredSurvey(BaseModel):
    round: int
    answered_at: datetime
    answer: SurveyAnswer


class TimelineEntry(BaseModel):
    seq: int = Field(description="Position in the case's timeline; with the workflow id, a key")
    at: datetime
    stage: Stage
    kind: EntryKind
    actor: str = Field(description="'system', 'customer' or an agent id")
    summary: str = Field(description="Operators' English, for the Temporal UI and logs of record")
    public: bool = Field(description="May be shown to the customer")
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="The entry's structured fields: pages and letters render `entry.<kind>` from "
        "these in the reader's language (catalogue/), never from `summary`",
    )


class CaseState(BaseModel):
    """Everything the workflow needs to carry a case across continue-as-new."""

    intake: ComplaintIntake
    workflow_id: str
    received_at: datetime
    stage: Stage = Stage.RECEIVE
    outcome: Outcome | None = None
    closed_by: ClosedBy | None = None
    policy: SlaPolicy | None = None
    classification: Classification | None = None
    severity: Severity | None = None
    risk: RiskLevel | None = None
    owner: str
    team_owned: bool = Field(default=False, description="The owner is a team: nobody took it yet")
    routing: RoutingPolicy | None = Field(default=None, description="Read once, if team-owned")
    escalation_level: EscalationLevel = EscalationLevel.OWNER
    reopen_count: int = 0
    round_started_at: datetime
    deadlines: list[Deadline] = Field(default_factory=list)
    regimes: list[RegulatoryRegime] = Field(
        default_factory=list, description="The regulators' regimes the case is under, as adopted"
    )
    regulatory_deadlines: list[RegulatoryDeadline] = Field(default_factory=list)
    regulatory_buckets: dict[str, str] = Field(
        default_factory=dict, description="Each regime's reporting bucket, once resolved"
    )
    plan: ResolutionPlan | None = None
    plan_awaiting_approval: ResolutionPlan | None = Field(
        default=None, description="Compensation above the agent's authority: a supervisor decides"
    )
    result_delivered_at: datetime | None = None
    closed_at: datetime | None = None
    survey_sent_at: datetime | None = None
    survey_reminded_at: datetime | None = None
    survey: SurveyAnswer | None = None
    surveys: list[AnsweredSurvey] = Field(default_factory=list, description="Every round's answer")
    tasks: list[DepartmentTask] = Field(default_factory=list)
    merged_into: str | None = None
    graded_by: TimelineEntry | None = Field(
        default=None,
        description="The entry of the latest grade a person gave (None: the rules' own grade)",
    )
    owner_told_of_messages_at: datetime | None = Field(
        default=None, description="When the owner was last told the customer wrote"
    )
    messages_untold: int = Field(
        default=0, description="Customer messages since then, told together when the wait ends"
    )
    reviews_requested: list[int] = Field(default_factory=list, description="Rounds to review")
    reviews_started: list[int] = Field(default_factory=list, description="Reviews under way")
    timeline: list[TimelineEntry] = Field(default_factory=list)
    runs: int = Field(default=1, description="Workflow runs so far (continue-as-new adds one)")
    projected_seq: int = Field(default=0, description="Timeline entries already in the case store")
    outbox: list[Notification] = Field(
        default_factory=list,
        description="Notifications queued and not yet handed to a gateway; carried across runs",
    )
    timeline_offset: int = Field(
        default=0, description="Seq of the first entry kept here; earlier ones are in the store"
    )


class CaseSnapshot(BaseModel):
    """What an operator or a backend needs to know about a case right now."""

    complaint_id: str
    workflow_id: str
    stage: Stage
    outcome: Outcome | None
    closed_by: ClosedBy | None
    channel: Channel
    subject: str
    product: str | None
    category: Category | None
    severity: Severity | None
    risk: RiskLevel | None
    owner: str
    escalation_level: EscalationLevel
    reopen_count: int
    deadlines: list[Deadline]
    next_deadline: Deadline | None
    regulatory_deadlines: list[RegulatoryDeadline] = Field(
        default_factory=list, description="Regulators' clocks, beside the desk's own"
    )
    regulatory_buckets: dict[str, str] = Field(default_factory=dict)
    regulatory_letters: dict[str, list[str]] = Field(
        default_factory=dict, description="The letters each regime the case is under requires"
    )
    plan: ResolutionPlan | None
    plan_awaiting_approval: ResolutionPlan | None = None
    tasks: list[DepartmentTask] = Field(default_factory=list)
    linked_to: str | None = Field(default=None, description="The ended case this one re-opens")
    merged_into: str | None = Field(default=None, description="The case this duplicate went into")
    team_owned: bool = Field(default=False, description="The owner is a team: nobody took it yet")

    @property
    def waiting_on_customer(self) -> bool:
        """A proposed plan waits on the customer's answer, with the resolve clock paused."""
        return any(d.paused_at for d in self.deadlines if d.pending)

    classification: Classification | None
    policy_version: str | None
    received_at: datetime
    result_delivered_at: datetime | None
    closed_at: datetime | None
    survey_sent_at: datetime | None
    survey_reminded_at: datetime | None = None
    survey_open: bool = Field(
        default=False, description="The case takes a survey answer now (follow-up policy)"
    )
    survey_questions: list[SurveyQuestion] = Field(default_factory=lambda: list(DEFAULT_QUESTIONS))
    survey: SurveyAnswer | None
    surveys: list[AnsweredSurvey] = Field(default_factory=list)
    timeline_length: int
    runs: int
