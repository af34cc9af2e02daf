"""A case's deadlines as the case lives them (R-SLA-1, R-IV-3): opened for each round, met by
what the agents do, missed and escalated, paused while the customer decides, and the emergency
response whose deadlines a high risk convenes (pure; the arithmetic is in `deadlines`).
"""

from __future__ import annotations

from datetime import datetime

from schemas.case import HANDLING, Deadline, EntryKind, EscalationLevel
from schemas.classification import RiskLevel
from schemas.notification import Audience
from schemas.sla import DeadlineKind, SlaPolicy
from workflows import deadlines
from workflows.case_record import SYSTEM, CaseRecord, duration_text, hm


def open_acknowledgement(case: CaseRecord, now: datetime) -> None:
    """The receipt's acknowledgement, counted from receipt, not from when the policy came."""
    s = case.state
    assert s.policy is not None
    ack = deadlines.open_deadline(s.policy, DeadlineKind.ACKNOWLEDGE, None, 0, s.received_at)
    s.deadlines.append(ack)
    case.record_deadline_set(ack, now)


def open_round_deadlines(case: CaseRecord, now: datetime) -> None:
    """Respond and resolve for this round, from its start; a response already given counts."""
    s = case.state
    assert s.policy is not None and s.severity is not None
    for kind in (DeadlineKind.RESPOND, DeadlineKind.RESOLVE):
        d = deadlines.open_deadline(s.policy, kind, s.severity, case.round, s.round_started_at)
        s.deadlines.append(d)
        case.record_deadline_set(d, now)
    if _responded_this_round(case):
        meet(case, DeadlineKind.RESPOND, now)


def _responded_this_round(case: CaseRecord) -> bool:
    s = case.state
    return any(
        e.kind in (EntryKind.AGENT_MESSAGE, EntryKind.PLAN_PROPOSED) and e.at >= s.round_started_at
        for e in s.timeline
    )


def meet(case: CaseRecord, kind: DeadlineKind, now: datetime, round: int | None = None) -> None:
    """The deadline of `kind` in `round` (default: this one) is met now, late if it was missed."""
    round = case.round if round is None else round
    d = deadlines.unmet(case.state.deadlines, kind, round)
    if d is None:
        return
    if d.running and now > d.due_at:
        breach(case, d, now)  # the loop was busy when it fell due; the miss still counts
        if kind is DeadlineKind.PROGRESS_UPDATE:
            return  # the breach opened the next day's update; this late one was yesterday's
    d.met_at = now
    late = " (late)" if d.breached_at else ""
    case.record(
        EntryKind.DEADLINE_MET,
        SYSTEM,
        f"{deadlines.label(d)} met{late}",
        now,
        facts={"deadline": d.kind.value, **({"variant": "late"} if d.breached_at else {})},
    )
    if kind is DeadlineKind.PROGRESS_UPDATE:
        open_emergency(case, DeadlineKind.PROGRESS_UPDATE, now)


def breach(case: CaseRecord, deadline: Deadline, now: datetime) -> None:
    """Missed: the supervisor hears of it at once (R-SLA-1), the owner too."""
    deadline.breached_at = now
    name = deadlines.label(deadline)
    missed = {"deadline": deadline.kind.value, "due_at": deadline.due_at.isoformat()}
    case.record(
        EntryKind.DEADLINE_BREACHED,
        SYSTEM,
        f"{name} missed (due {hm(deadline.due_at)})",
        now,
        facts=missed,
    )
    case.raise_level(EscalationLevel.SUPERVISOR)
    case.record(
        EntryKind.ESCALATED,
        SYSTEM,
        f"{name} missed: escalated to supervisor",
        now,
        facts={"variant": "breach", "deadline": deadline.kind.value},
    )
    text = f"{name} missed on {case.state.intake.subject}"
    told = {**missed, "subject": case.state.intake.subject}
    case.tell_staff(Audience.OWNER, "deadline_breached", text, now, urgent=True, facts=told)
    case.tell_staff(Audience.SUPERVISOR, "deadline_breached", text, now, urgent=True, facts=told)
    if deadline.kind is DeadlineKind.PROGRESS_UPDATE:
        open_emergency(case, DeadlineKind.PROGRESS_UPDATE, now)  # the daily cadence goes on


def pause(case: CaseRecord, now: datetime) -> None:
    """The plan is with the customer: the resolve deadline stops until they answer, since
    the time they take to decide is not the company's (the pause is recorded)."""
    d = deadlines.unmet(case.state.deadlines, DeadlineKind.RESOLVE, case.round)
    if d is None or not d.running:
        return
    deadlines.pause(d, now)
    case.record(
        EntryKind.DEADLINE_PAUSED,
        SYSTEM,
        f"{deadlines.label(d)} paused: waiting on the customer",
        now,
        facts={"deadline": d.kind.value},
    )


def resume(case: CaseRecord, now: datetime) -> None:
    """The customer answered: every paused clock runs again, moved on by the pause."""
    for d in case.state.deadlines:
        if d.paused_at is not None and case.state.policy is not None:
            paused = deadlines.resume(d, case.state.policy, now)
            case.record(
                EntryKind.DEADLINE_RESUMED,
                SYSTEM,
                f"{deadlines.label(d)} resumed after {duration_text(paused)} waiting on "
                f"the customer; due {hm(d.due_at)}",
                now,
                facts={"deadline": d.kind.value, "due_at": d.due_at.isoformat()},
            )


def open_triage(case: CaseRecord, policy: SlaPolicy, now: datetime) -> None:
    """No rule placed the case: a person confirms or corrects the grade, counted from
    receipt and as fast as an L1 answer, since an unplaced case may be one."""
    d = deadlines.open_deadline(policy, DeadlineKind.TRIAGE, None, 0, case.state.received_at)
    case.state.deadlines.append(d)
    case.record_deadline_set(d, now)
    case.tell_staff(
        Audience.OWNER,
        "triage",
        f"No rule placed this case: confirm or correct its grade by {hm(d.due_at)}",
        now,
        urgent=True,
        facts={"subject": case.state.intake.subject, "due_at": d.due_at.isoformat()},
    )


def set_risk(case: CaseRecord, risk: RiskLevel, now: datetime) -> None:
    case.state.risk = risk
    if risk is RiskLevel.HIGH and case.state.stage in HANDLING:
        convene_emergency(case, now)


def convene_emergency(case: CaseRecord, now: datetime) -> None:
    """R-IV-3: service, PR, legal and tech take the case; first assessment within 1 h,
    a temporary remedy within 2 h, progress at least daily (durations from the policy)."""
    s = case.state
    if any(d.kind.emergency and d.round == case.round for d in s.deadlines):
        return  # already convened for this handling
    case.record(
        EntryKind.EMERGENCY,
        SYSTEM,
        "High risk: emergency response convened (service, PR, legal, tech)",
        now,
    )
    for kind in (
        DeadlineKind.FIRST_ASSESSMENT,
        DeadlineKind.TEMPORARY_REMEDY,
        DeadlineKind.PROGRESS_UPDATE,
    ):
        open_emergency(case, kind, now)
    case.tell_staff(
        Audience.SUPERVISOR,
        "emergency_response",
        f"Emergency response convened: {s.intake.subject}",
        now,
        urgent=True,
        facts={"subject": s.intake.subject},
    )


def open_emergency(case: CaseRecord, kind: DeadlineKind, now: datetime) -> None:
    s = case.state
    if s.policy is None or s.stage not in HANDLING:
        return
    d = deadlines.open_deadline(s.policy, kind, None, case.round, now)
    s.deadlines.append(d)
    case.record_deadline_set(d, now)


def stand_down(case: CaseRecord, now: datetime) -> None:
    """The result is delivered: the emergency deadlines not yet met, missed ones included,
    are no longer owed (a missed one keeps its breach)."""
    for d in case.state.deadlines:
        if d.kind.emergency and d.met_at is None:
            d.met_at = now
            case.record(
                EntryKind.DEADLINE_MET,
                SYSTEM,
                f"{deadlines.label(d)} closed: result delivered",
                now,
                facts={"variant": "stood_down", "deadline": d.kind.value},
            )


def withdraw_pending(case: CaseRecord, outcome: str, now: datetime) -> None:
    """The case ended: a merged duplicate must not stay "due in the next hour" in every list."""
    for d in case.state.deadlines:
        if d.pending:
            d.withdrawn_at = now
            text = f"{deadlines.label(d)} withdrawn: the case ended ({outcome})"
            case.record(
                EntryKind.DEADLINE_WITHDRAWN,
                SYSTEM,
                text,
                now,
                facts={"deadline": d.kind.value, "outcome": outcome},
            )
