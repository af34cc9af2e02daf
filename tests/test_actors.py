"""Who may act on a case and who may own one, at the rules, whatever the door (red-team
findings 1-5): nobody acts as the customer, the system or a team; a new owner is a person of the
desk an address can reach; a person is the same person however their id is spelt."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel

from schemas import EntryKind, Escalation, ResolutionPlan
from schemas.actions import (
    AgentMessage,
    CompensationApproval,
    Reassignment,
    TakeCase,
)
from schemas.case_actions import ACTIONS, action
from schemas.refusals import RefusalCode
from tests.support.cases import T0, classified
from tests.support.refusals import refused
from workflows import action_rules, investigation, supervision, team_queue
from workflows.case_file import CaseFile

LATER = T0 + timedelta(minutes=30)
RESERVED = ["customer", "system", " Customer ", "SYSTEM", "team-quality", "Team-Billing"]


def with_roster(case: CaseFile, *people: str) -> CaseFile:
    assert case.state.policy is not None
    case.state.policy = case.state.policy.model_copy(update={"agents": frozenset(people)})
    return case


@pytest.mark.parametrize("name", RESERVED)
def test_nobody_answers_the_customer_as_the_customer_the_system_or_a_team(name: str) -> None:
    case = classified()
    with refused(RefusalCode.RESERVED_ACTOR, actor=name.strip()):
        action_rules.check(case, action("respond"), AgentMessage(agent=name, text="hi"), LATER)
    assert not [e for e in case.state.timeline if e.kind is EntryKind.AGENT_MESSAGE]


def test_every_staff_action_checks_who_acts() -> None:
    """Each row of the action table that names its actor refuses a reserved one before its own
    rule (whatever else the payload says)."""
    for row in ACTIONS:
        if row.actor is None:
            continue
        case = classified()
        message: BaseModel = row.payload.model_construct(None, **{row.actor: "customer"})
        with refused(RefusalCode.RESERVED_ACTOR, actor="customer"):
            action_rules.check(case, row, message, LATER)


def test_a_backend_key_may_act() -> None:
    case = classified()
    message = AgentMessage(agent="api:crm", text="hi")
    action_rules.check(case, action("respond"), message, LATER)


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("customer", RefusalCode.RESERVED_ACTOR),
        ("team-quality", RefusalCode.RESERVED_ACTOR),
        ("api:dev", RefusalCode.OWNER_NOT_A_PERSON),
        ("a.b@c:d", RefusalCode.OWNER_NOT_A_PERSON),
        ("a.b@c", RefusalCode.OWNER_NOT_A_PERSON),
    ],
)
def test_a_case_is_never_handed_to_someone_who_is_not_a_person(to: str, code: RefusalCode) -> None:
    case = classified()
    params = {"actor": to} if code is RefusalCode.RESERVED_ACTOR else {"agent": to}
    with refused(code, **params):
        supervision.check_reassign(case, Reassignment(by="sup-li", to=to, reason="r"), LATER)
    with refused(code, **params):
        supervision.check_escalate_case(
            case, Escalation(by="sup-li", reason="r", assign_to=to), LATER
        )


def test_with_a_roster_only_its_people_own_cases_however_spelt() -> None:
    case = with_roster(classified(), "agent-wang", "sup-li")
    with refused(RefusalCode.UNKNOWN_AGENT, agent="ghost-agent"):
        supervision.check_reassign(
            case, Reassignment(by="sup-li", to="ghost-agent", reason="r"), T0
        )
    supervision.check_reassign(case, Reassignment(by="sup-li", to="Agent-Wang", reason="r"), T0)


def test_the_owner_spelt_otherwise_is_already_the_owner() -> None:
    case = classified()
    owner = case.state.owner
    with refused(RefusalCode.ALREADY_OWNER, agent=owner.upper()):
        supervision.check_reassign(
            case, Reassignment(by="sup-li", to=owner.upper(), reason="r"), LATER
        )


def test_an_escalation_signal_naming_no_person_is_recorded_as_refused() -> None:
    """A signal cannot be refused: it changes nothing and the timeline says why."""
    case = classified()
    owner = case.state.owner
    case.escalate_case(Escalation(by="sup-li", reason="r", assign_to="ghost@x:y"), LATER)
    case.escalate_case(Escalation(by="customer", reason="r"), LATER)
    assert case.state.owner == owner
    refusals = [e for e in case.state.timeline if e.kind is EntryKind.REFUSED]
    assert len(refusals) == 2
    assert "ghost@x:y" in refusals[0].summary and "customer" in refusals[1].summary
    assert not [e for e in case.state.timeline if e.kind is EntryKind.ESCALATED]


@pytest.mark.parametrize("approver", ["Agent-Zhang", "AGENT-ZHANG", " agent-zhang"])
def test_whoever_proposed_a_plan_cannot_approve_it_however_spelt(approver: str) -> None:
    case = classified()
    plan = ResolutionPlan(agent="agent-zhang", summary="退款", compensation_yuan=Decimal(500))
    investigation.propose_plan(case, plan, LATER)
    assert case.state.plan_awaiting_approval is not None
    with refused(RefusalCode.OWN_PLAN, agent=approver.strip()):
        supervision.check_approve_compensation(case, CompensationApproval(by=approver), LATER)


def test_a_backend_cannot_take_a_case_from_a_queue() -> None:
    case = classified()
    case.state.owner, case.state.team_owned = "team-quality", True
    with refused(RefusalCode.OWNER_NOT_A_PERSON, agent="api:crm"):
        team_queue.check_take(case, TakeCase(by="api:crm"), LATER)
    team_queue.check_take(case, TakeCase(by="agent-wang"), LATER)
