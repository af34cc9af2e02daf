"""Every action a case accepts, declared once.

The workflow's signals and updates, the Python client, the CLI, the HTTP API and the web forms
all read this table: adding an action means adding one row. `handler` is the name in workflow
histories (never renamed: committed histories must replay); `name` is the public one (CLI
subcommand, API path, client method).

Who may do it (`roles`) is checked where the caller is authenticated (API keys, web sessions);
the workflow checks whether the case allows it now. `actor` names the payload field that says who
acted: an authenticated caller's identity fills it, never the request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
from schemas.case import HANDLING, OPEN_STAGES, CaseSnapshot, EntryKind, Stage
from schemas.evidence import EvidenceFile
from schemas.policy_preview import PolicyPreview
from schemas.regulatory import RegulatoryLetter
from schemas.text import Identifier


class Role(StrEnum):
    """Who may ask for an action (R-OP-2, R-OP-4, R-OP-5)."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


class Delivery(StrEnum):
    """Signals are for customers' messages: a channel must never lose one, whatever the case is
    doing. Updates are for staff: the person needs to know at once whether it was accepted."""

    SIGNAL = "signal"
    UPDATE = "update"


# Where the rules let an action apply (workflows/stages.py and the checks in workflows/ decide;
# these sets say the same for the pages, which offer only what fits).


class Requires(StrEnum):
    """A state of the case an action needs besides its stage."""

    CLASSIFIED = "classified"  # a grade to confirm or correct
    TEAM_OWNED = "team_owned"  # nobody took it from the team's queue yet
    PLAN_AWAITS_APPROVAL = "plan_awaits_approval"  # compensation above an agent's authority
    TASK_OPEN = "task_open"  # a department task not done yet
    BLOCKING_TASK_OPEN = "blocking_task_open"  # one that blocks resolution
    RESULT_DELIVERED = "result_delivered"  # the customer is asked to confirm the result
    REGULATED = "regulated"  # a regulator's regime applies (policies/regulatory/)


def holds(requirement: Requires, case: CaseSnapshot) -> bool:
    if requirement is Requires.CLASSIFIED:
        return case.classification is not None
    if requirement is Requires.TEAM_OWNED:
        return case.team_owned
    if requirement is Requires.PLAN_AWAITS_APPROVAL:
        return case.plan_awaiting_approval is not None
    if requirement is Requires.TASK_OPEN:
        return any(t.open for t in case.tasks)
    if requirement is Requires.BLOCKING_TASK_OPEN:
        return any(t.open and t.blocking for t in case.tasks)
    if requirement is Requires.REGULATED:
        return bool(case.regulatory_deadlines)
    return case.result_delivered_at is not None


@dataclass(frozen=True)
class CaseAction:
    name: str
    handler: str
    delivery: Delivery
    payload: type[BaseModel]
    roles: frozenset[Role]
    summary: str
    actor: str | None = None
    # How the CLI spells it (its flags are the payload's fields, `--field-name`): the field given
    # as a positional argument, and other flag names a field also answers to.
    positional: str | None = None
    flag_aliases: tuple[tuple[str, str], ...] = ()
    # Where it applies: the stages, and states of the case it needs (`actions_that_fit`).
    stages: frozenset[Stage] = OPEN_STAGES
    requires: frozenset[Requires] = frozenset()
    # A dry run: what the action would change, answered by the case's query `preview_<handler>`
    # (same payload) as this model, before anything is sent; every door offers it.
    preview: type[BaseModel] | None = None

    @property
    def preview_query(self) -> str | None:
        return f"preview_{self.handler}" if self.preview is not None else None

    def fits(self, case: CaseSnapshot) -> bool:
        return case.stage in self.stages and all(holds(r, case) for r in self.requires)


_CUSTOMER = frozenset({Role.CUSTOMER, Role.SYSTEM})
_STAFF = frozenset({Role.AGENT, Role.SUPERVISOR})
_SUPERVISOR = frozenset({Role.SUPERVISOR})

ACTIONS: tuple[CaseAction, ...] = (
    # customers (signals)
    CaseAction(
        "reply",
        "customer_reply",
        Delivery.SIGNAL,
        CustomerReply,
        _CUSTOMER,
        "a customer's message, or their answer to a plan or a result",
        positional="text",
    ),
    CaseAction(
        "reopen",
        "reopen_request",
        Delivery.SIGNAL,
        ReopenRequest,
        _CUSTOMER,
        "a customer's request to re-open the case",
        positional="reason",
        stages=frozenset({Stage.CLOSE, Stage.FOLLOW_UP}),
    ),
    CaseAction(
        "survey",
        "survey_answer",
        Delivery.SIGNAL,
        SurveyAnswer,
        _CUSTOMER,
        "a customer's follow-up answer",
        stages=frozenset({Stage.FOLLOW_UP}),
    ),
    CaseAction(
        "attach",
        "add_evidence",
        Delivery.SIGNAL,
        EvidenceFile,
        frozenset({Role.CUSTOMER, Role.SYSTEM, Role.AGENT, Role.SUPERVISOR}),
        "a file kept in the evidence store (or not kept, and why) recorded on the case",
    ),
    # agents (updates)
    CaseAction(
        "regulatory-letter",
        "send_regulatory_letter",
        Delivery.UPDATE,
        RegulatoryLetter,
        _STAFF,
        "a regulator's required letter (final response, holding reply …) from its template",
        actor="agent",
        positional="letter",
        requires=frozenset({Requires.REGULATED}),
    ),
    CaseAction(
        "respond",
        "respond",
        Delivery.UPDATE,
        AgentMessage,
        _STAFF,
        "an agent's message to the customer",
        actor="agent",
        positional="text",
    ),
    CaseAction(
        "finding",
        "add_finding",
        Delivery.UPDATE,
        Finding,
        _STAFF,
        "an investigation finding",
        actor="agent",
        positional="summary",
    ),
    CaseAction(
        "plan",
        "propose_plan",
        Delivery.UPDATE,
        ResolutionPlan,
        _STAFF,
        "a resolution plan for the customer to accept",
        actor="agent",
        positional="summary",
        flag_aliases=(("compensation_yuan", "compensation"),),
        stages=frozenset({Stage.INVESTIGATE}),
    ),
    CaseAction(
        "progress",
        "record_progress",
        Delivery.UPDATE,
        ProgressNote,
        _STAFF,
        "progress on the accepted plan",
        actor="agent",
        positional="note",
        stages=frozenset({Stage.TRACK}),
    ),
    CaseAction(
        "confirm",
        "confirm_classification",
        Delivery.UPDATE,
        ClassificationConfirmation,
        _STAFF,
        "confirm the automatic classification",
        actor="by",
        requires=frozenset({Requires.CLASSIFIED}),
    ),
    CaseAction(
        "override",
        "override_classification",
        Delivery.UPDATE,
        ClassificationOverride,
        _STAFF,
        "correct the classification",
        actor="by",
        requires=frozenset({Requires.CLASSIFIED}),
    ),
    CaseAction(
        "task-open",
        "open_task",
        Delivery.UPDATE,
        TaskRequest,
        _STAFF,
        "ask a department for work on the case",
        actor="by",
        flag_aliases=(("due_at", "within"),),
        stages=HANDLING,
    ),
    CaseAction(
        "task-done",
        "complete_task",
        Delivery.UPDATE,
        TaskDone,
        _STAFF,
        "a department's task is done",
        actor="by",
        requires=frozenset({Requires.TASK_OPEN}),
    ),
    CaseAction(
        "take",
        "take",
        Delivery.UPDATE,
        TakeCase,
        _STAFF,
        "take a case from a team's queue: you own it to the end (R-IN-5)",
        actor="by",
        requires=frozenset({Requires.TEAM_OWNED}),
    ),
    # supervisors (updates)
    CaseAction(
        "escalate",
        "escalate_case",
        Delivery.UPDATE,
        Escalation,
        _SUPERVISOR,
        "raise severity or risk, or hand the case on",
        actor="by",
    ),
    CaseAction(
        "assign",
        "reassign",
        Delivery.UPDATE,
        Reassignment,
        _SUPERVISOR,
        "hand the case to another agent",
        actor="by",
    ),
    CaseAction(
        "approve",
        "approve_compensation",
        Delivery.UPDATE,
        CompensationApproval,
        _SUPERVISOR,
        "approve compensation above an agent's authority",
        actor="by",
        requires=frozenset({Requires.PLAN_AWAITS_APPROVAL}),
    ),
    CaseAction(
        "reject",
        "reject_compensation",
        Delivery.UPDATE,
        CompensationRejection,
        _SUPERVISOR,
        "reject compensation above an agent's authority: the plan goes back to its agent",
        actor="by",
        requires=frozenset({Requires.PLAN_AWAITS_APPROVAL}),
    ),
    CaseAction(
        "close-for-customer",
        "close_for_customer",
        Delivery.UPDATE,
        ClosureOnBehalf,
        _SUPERVISOR,
        "close a delivered case whose customer went silent",
        actor="by",
        stages=frozenset({Stage.CLOSE}),
        requires=frozenset({Requires.RESULT_DELIVERED}),
    ),
    CaseAction(
        "task-override",
        "override_task",
        Delivery.UPDATE,
        TaskOverride,
        _SUPERVISOR,
        "close a department's task without it",
        actor="by",
        requires=frozenset({Requires.BLOCKING_TASK_OPEN}),
    ),
    CaseAction(
        "merge",
        "merge_into",
        Delivery.UPDATE,
        Merge,
        _SUPERVISOR,
        "merge this duplicate into the case that carries on",
        actor="by",
    ),
    CaseAction(
        "policy",
        "change_policy",
        Delivery.UPDATE,
        PolicyChange,
        _SUPERVISOR,
        "a new SLA policy for this case",
        actor="by",
        preview=PolicyPreview,
    ),
)

# Not in the table, on purpose: the `escalate` signal (the design card's supervisor signal, kept
# for backends that signal; `escalate_case` is the same rules as an update) and `merged_case`
# (one case telling another, never a person's action).

BY_NAME: dict[str, CaseAction] = {action.name: action for action in ACTIONS}


def actions_that_fit(case: CaseSnapshot, roles: frozenset[Role]) -> list[CaseAction]:
    """The actions these roles may take on the case as it stands, in the table's order: what a
    page offers. The case still checks each one when it comes (its stage may have moved)."""
    return [a for a in ACTIONS if a.roles & roles and a.fits(case)]


def action(name: str) -> CaseAction:
    """The action of that public name (KeyError names the unknown one)."""
    return BY_NAME[name]


class ActionAck(BaseModel):
    """What an update answers: which case, which action, the stage after it and the kinds of
    timeline entry it recorded (`approval_requested`: a plan waits for a supervisor). Nothing
    personal, so it travels in clear (`encryption.public_payloads`) and a plain `temporal` CLI
    can read it; the case itself is read by query (`ComplaintDesk.snapshot`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    complaint_id: Identifier
    action: str = Field(description="The action's public name (schemas/case_actions.py)")
    stage: Stage
    recorded: list[EntryKind] = Field(max_length=64)

    @field_validator("action")
    @classmethod
    def _a_table_action(cls, name: str) -> str:
        if name not in BY_NAME:
            raise ValueError("not an action of the table")
        return name
