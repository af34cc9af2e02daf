"""What supervisors do to a case (R-OP-2, R-RS-1) and the escalation chain that calls on them
(R-SLA-1: owner warned before a deadline, supervisor at the breach, management after), pure.

Each update has its check (the validator) and its apply; `escalate_case` is also a signal, which
is never refused outright: one that does not apply is recorded as refused.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import NoReturn

from schemas.actions import (
    ClosureOnBehalf,
    CompensationApproval,
    CompensationRejection,
    Escalation,
    Merge,
    MergedCase,
    PolicyChange,
    Reassignment,
)
from schemas.case import (
    HANDLING,
    OPEN_STAGES,
    ClosedBy,
    Deadline,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
)
from schemas.notification import Audience
from schemas.refusals import InvalidAction, RefusalCode
from workflows import closing, deadlines, investigation, sla_clock
from workflows.actors import check_actor, check_new_owner, same_person
from workflows.case_record import (
    RISK_ORDER,
    SYSTEM,
    Alarm,
    CaseRecord,
    Step,
    change_facts,
    hm,
    refusal_facts,
    refuse,
    value_text,
)
from workflows.stages import Move

# ---- escalation (also a signal: alerting tools fire it without waiting) ------------------------


def check_escalate_case(case: CaseRecord, escalation: Escalation, now: datetime) -> None:
    s = case.state
    if s.stage not in OPEN_STAGES:
        refuse(RefusalCode.CASE_ENDED, complaint_id=s.intake.complaint_id)
    check_actor(escalation.by)  # also a signal, which no door checks
    if escalation.assign_to:
        check_new_owner(case, escalation.assign_to)
    if escalation.severity and s.severity and s.severity.is_more_urgent_than(escalation.severity):
        refuse(RefusalCode.SEVERITY_ONLY_RAISED, severity=s.severity.value)
    if escalation.risk and s.risk and RISK_ORDER.index(escalation.risk) < RISK_ORDER.index(s.risk):
        refuse(RefusalCode.RISK_ONLY_RAISED, risk=s.risk.value)


def escalate_case(case: CaseRecord, escalation: Escalation, now: datetime) -> None:
    s = case.state
    try:
        check_escalate_case(case, escalation, now)
    except InvalidAction as refused:
        why = refused.refusal.english()
        case.record_refused(
            f"escalation by {escalation.by} refused: {why}",
            now,
            why="escalation",
            facts={"by": escalation.by, **refusal_facts(refused.refusal)},
        )
        return
    new_owner = escalation.assign_to
    if new_owner and same_person(new_owner, s.owner):
        new_owner = None  # the owner under another spelling: no change
    changed = change_facts(
        [
            ("severity", s.severity, escalation.severity),
            ("risk", s.risk, escalation.risk),
            ("owner", s.owner, new_owner),
        ]
    )
    changes = []
    raise_severity = escalation.severity and escalation.severity != s.severity
    if raise_severity and escalation.severity:
        changes.append(f"severity {value_text(s.severity)} → {escalation.severity.value}")
        case.regrade(escalation.severity)
    raise_risk = escalation.risk and escalation.risk != s.risk
    regraded = bool(raise_severity or raise_risk)
    if raise_risk:
        changes.append(f"risk {value_text(s.risk)} → {value_text(escalation.risk)}")
    if escalation.assign_to and not same_person(escalation.assign_to, s.owner):
        changes.append(f"owner {s.owner} → {escalation.assign_to}")
        s.owner, s.team_owned = escalation.assign_to, False  # an agent, not the team, now
    case.raise_level(EscalationLevel.SUPERVISOR)
    what = ", ".join(changes) or "supervisor attention"
    entry = case.record(
        EntryKind.ESCALATED,
        escalation.by,
        f"{what}: {escalation.reason}",
        now,
        facts={"reason": escalation.reason, **changed},
    )
    if regraded:
        s.graded_by = entry
    if raise_risk and escalation.risk:
        sla_clock.set_risk(case, escalation.risk, now)
    case.tell_staff(
        Audience.OWNER,
        "escalated",
        f"Escalated ({what}): {escalation.reason}",
        now,
        urgent=True,
        facts={"subject": s.intake.subject, "reason": escalation.reason, **changed},
    )


# ---- supervisors' updates ------------------------------------------------------------------------


def check_reassign(case: CaseRecord, reassignment: Reassignment, now: datetime) -> None:
    case.require_open()
    check_new_owner(case, reassignment.to)
    if same_person(reassignment.to, case.state.owner):
        refuse(RefusalCode.ALREADY_OWNER, agent=reassignment.to)


def reassign(case: CaseRecord, reassignment: Reassignment, now: datetime) -> None:
    s = case.state
    before, s.owner, s.team_owned = s.owner, reassignment.to, False
    case.record(
        EntryKind.REASSIGNED,
        reassignment.by,
        f"owner {before} → {s.owner}: {reassignment.reason}",
        now,
        facts={"from_owner": before, "to_owner": s.owner, "reason": reassignment.reason},
    )
    case.tell_staff(
        Audience.OWNER,
        "assigned",
        f"Assigned to you ({reassignment.reason}): {s.intake.subject}",
        now,
        facts={"subject": s.intake.subject, "reason": reassignment.reason},
    )


def check_approve_compensation(
    case: CaseRecord, approval: CompensationApproval, now: datetime
) -> None:
    pending = case.state.plan_awaiting_approval
    if pending is None:
        refuse(RefusalCode.NO_PLAN_AWAITS_APPROVAL)
    if same_person(approval.by, pending.agent):
        refuse(RefusalCode.OWN_PLAN, agent=approval.by)
    case.require_move(Move.PROPOSE_PLAN)


def approve_compensation(case: CaseRecord, approval: CompensationApproval, now: datetime) -> None:
    plan = case.state.plan_awaiting_approval
    assert plan is not None
    case.state.plan_awaiting_approval = None
    note = f": {approval.note}" if approval.note else ""
    case.record(
        EntryKind.APPROVED,
        approval.by,
        f"compensation {plan.compensation_yuan} yuan approved{note}",
        now,
        facts={
            "compensation_yuan": str(plan.compensation_yuan),
            **({"note": approval.note} if approval.note else {}),
        },
    )
    investigation.offer_plan(case, plan, now)


def check_reject_compensation(
    case: CaseRecord, rejection: CompensationRejection, now: datetime
) -> None:
    case.require_open()
    pending = case.state.plan_awaiting_approval
    if pending is None:
        refuse(RefusalCode.NO_PLAN_AWAITS_APPROVAL)
    if same_person(rejection.by, pending.agent):
        refuse(RefusalCode.OWN_PLAN_REJECTION, agent=rejection.by)


def reject_compensation(case: CaseRecord, rejection: CompensationRejection, now: datetime) -> None:
    """The plan goes back to its agent: nothing reaches the customer, the stage and the
    deadlines stay as they were, and the owner is told why."""
    s = case.state
    plan = s.plan_awaiting_approval
    assert plan is not None
    s.plan_awaiting_approval = None
    facts = {
        "compensation_yuan": str(plan.compensation_yuan),
        "agent": plan.agent,
        "reason": rejection.reason,
    }
    case.record(
        EntryKind.COMPENSATION_REJECTED,
        rejection.by,
        f"compensation {plan.compensation_yuan} yuan rejected: {rejection.reason}",
        now,
        facts=facts,
    )
    case.tell_staff(
        Audience.OWNER,
        "compensation_rejected",
        f"Compensation {plan.compensation_yuan} yuan rejected by {rejection.by} on "
        f"{s.intake.subject}: {rejection.reason}",
        now,
        facts={**facts, "by": rejection.by},
    )


def check_close_for_customer(case: CaseRecord, closure: ClosureOnBehalf, now: datetime) -> None:
    s = case.state
    if s.stage is not Stage.CLOSE or s.result_delivered_at is None:
        refuse(RefusalCode.NOT_AWAITING_CONFIRMATION, stage=s.stage.value)
    after = s.policy.close_on_behalf_after if s.policy else None
    if after is None:
        refuse(RefusalCode.POLICY_FORBIDS_CLOSING_FOR_CUSTOMER)
    if now < s.result_delivered_at + after:
        refuse(
            RefusalCode.CUSTOMER_STILL_HAS_TIME,
            until_at=(s.result_delivered_at + after).isoformat(),
        )


def close_for_customer(case: CaseRecord, closure: ClosureOnBehalf, now: datetime) -> None:
    case.record(
        EntryKind.CLOSED_FOR_CUSTOMER,
        closure.by,
        closure.reason,
        now,
        facts={"reason": closure.reason},
    )
    closing.close(case, ClosedBy.SUPERVISOR, Move.CLOSE_ON_SILENCE, now)


def check_change_policy(case: CaseRecord, change: PolicyChange, now: datetime) -> None:
    case.require_open()
    current = case.state.policy
    if current is not None and current == change.policy:
        refuse(RefusalCode.POLICY_UNCHANGED, version=current.version)


def change_policy(case: CaseRecord, change: PolicyChange, now: datetime) -> None:
    s = case.state
    before = s.policy.version if s.policy else "-"
    s.policy = change.policy
    moved = []
    for i, d in enumerate(s.deadlines):
        s.deadlines[i] = deadlines.recompute(d, change.policy)
        if s.deadlines[i].due_at != d.due_at:
            moved.append(f"{deadlines.label(d)} now due {hm(s.deadlines[i].due_at)}")
    what = "; ".join(moved) or "no pending deadline moved"
    case.record(
        EntryKind.POLICY_CHANGED,
        change.by,
        f"policy {before} → {change.policy.version} ({change.reason}): {what}",
        now,
        facts={
            "from_version": before,
            "to_version": change.policy.version,
            "reason": change.reason,
            "moved": str(len(moved)),
        },
    )


def check_merge_into(case: CaseRecord, merge: Merge, now: datetime) -> None:
    case.require_open()
    if merge.into == case.state.intake.complaint_id:
        refuse(RefusalCode.MERGE_INTO_ITSELF)


def merge_into(case: CaseRecord, merge: Merge, now: datetime) -> None:
    """This duplicate ends; the surviving case was told first (see the workflow)."""
    case.state.merged_into = merge.into
    case.record(
        EntryKind.MERGED,
        merge.by,
        f"merged into {merge.into}: {merge.reason}",
        now,
        facts={"into": merge.into, "reason": merge.reason},
    )
    case.tell_customer("merged", now, into=merge.into)
    closing.finish(case, Outcome.MERGED, Move.MERGE, now)


def merged_in(case: CaseRecord, merged: MergedCase, now: datetime) -> None:
    """The surviving case hears of its duplicate (a signal from that case, never refused). A
    case that has ended (or was itself merged) records the message and changes nothing."""
    if case.state.stage not in OPEN_STAGES:
        case.record_refused(
            f"duplicate {merged.complaint_id} merged in by {merged.by} refused: the case has ended",
            now,
            why="merged_in_after_end",
            facts={"duplicate": merged.complaint_id, "by": merged.by},
        )
        return
    case.record(
        EntryKind.MERGED_IN,
        merged.by,
        f"duplicate {merged.complaint_id} merged in ({merged.subject}): {merged.reason}",
        now,
        facts={
            "duplicate": merged.complaint_id,
            "duplicate_subject": merged.subject,
            "reason": merged.reason,
        },
    )
    case.tell_staff(
        Audience.OWNER,
        "merged_in",
        f"Duplicate {merged.complaint_id} merged into this case",
        now,
        facts={"duplicate": merged.complaint_id, "subject": case.state.intake.subject},
    )


def no_case_to_merge_into(merge: Merge) -> NoReturn:
    """The surviving case could not be told (none open under that id): the merge is refused."""
    refuse(RefusalCode.NO_CASE_TO_MERGE_INTO, into=merge.into)


# ---- the escalation chain ------------------------------------------------------------------------


def deadline_alarms(case: CaseRecord) -> list[Alarm]:
    """When the case's deadlines make it act by itself: each running deadline's due time, then
    the escalation chain's steps (the workflow's timer and the SLA back-test both read this)."""
    alarms = [Alarm(d.due_at, deadlines.label(d)) for d in case.state.deadlines if d.running]
    return alarms + [Alarm(due, summary) for due, summary, _ in chain_steps(case)]


def fire_deadlines(case: CaseRecord, now: datetime) -> None:
    """What the deadlines do at `now`: the overdue ones are breached, then the escalation
    chain's steps that are due are taken."""
    for deadline in deadlines.overdue(case.state.deadlines, now):
        sla_clock.breach(case, deadline, now)
    for due, _, act in chain_steps(case):
        if due <= now:
            act(now)


def chain_steps(case: CaseRecord) -> list[Step]:
    """The escalation chain's next steps (R-SLA-1): warn the owner before a deadline, tell
    management of a breach still unmet; the supervisor is told at the breach itself."""
    steps: list[Step] = []
    for due, d, management in _chain(case):
        name = deadlines.label(d)
        if management:
            steps.append(
                (due, f"tell management: {name} still missed", partial(_tell_management, case, d))
            )
        else:
            steps.append((due, f"warn owner: {name} near", partial(_warn, case, d)))
    return steps


def next_deadline_moment(case: CaseRecord) -> datetime | None:
    """The earliest of `deadline_alarms`, unnamed: what the back-test asks before every event
    of every case, where naming each alarm would cost more than the replay itself."""
    moments = [d.due_at for d in case.state.deadlines if d.running]
    moments += [due for due, _, _ in _chain(case)]
    return min(moments, default=None)


def _chain(case: CaseRecord) -> list[tuple[datetime, Deadline, bool]]:
    """When each deadline's next step in the chain falls due: (when, deadline, management?)."""
    s = case.state
    if s.policy is None or s.stage not in HANDLING:
        return []
    found: list[tuple[datetime, Deadline, bool]] = []
    for d in s.deadlines:
        warn = deadlines.warning_due(s.policy, d)
        if warn:
            found.append((warn, d, False))
        tell = deadlines.management_due(s.policy, d)
        if tell:
            found.append((tell, d, True))
    return found


def _warn(case: CaseRecord, deadline: Deadline, now: datetime) -> None:
    deadline.warned_at = now
    text = f"{deadlines.label(deadline)} due {hm(deadline.due_at)}"
    near = {"deadline": deadline.kind.value, "due_at": deadline.due_at.isoformat()}
    case.record(EntryKind.DEADLINE_WARNING, SYSTEM, f"{text}: owner warned", now, facts=near)
    case.tell_staff(
        Audience.OWNER,
        "deadline_warning",
        f"{text} on {case.state.intake.subject}",
        now,
        facts={**near, "subject": case.state.intake.subject},
    )


def _tell_management(case: CaseRecord, deadline: Deadline, now: datetime) -> None:
    deadline.management_at = now
    case.raise_level(EscalationLevel.MANAGEMENT)
    name = deadlines.label(deadline)
    assert deadline.breached_at is not None
    text = f"{name} missed at {hm(deadline.breached_at)} and still unmet"
    unmet = {"deadline": deadline.kind.value, "breached_at": deadline.breached_at.isoformat()}
    case.record(
        EntryKind.ESCALATED,
        SYSTEM,
        f"{text}: escalated to management",
        now,
        facts={"variant": "management", **unmet},
    )
    case.tell_staff(
        Audience.MANAGEMENT,
        "deadline_unmet",
        f"{text} on {case.state.intake.subject}",
        now,
        urgent=True,
        facts={**unmet, "subject": case.state.intake.subject},
    )
