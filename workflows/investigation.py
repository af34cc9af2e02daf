"""The agent's handling of a case: messages to the customer, findings, the plan (with a
supervisor's approval above the agent's authority, R-RS-1) and progress until the result is
delivered (R-IV-*, R-RS-*), pure. Each update has its check (the validator) and its apply.
"""

from __future__ import annotations

from datetime import datetime

from schemas.actions import AgentMessage, Finding, ProgressNote, ResolutionPlan
from schemas.case import EntryKind, Stage
from schemas.notification import Audience
from schemas.refusals import RefusalCode
from schemas.sla import DeadlineKind
from workflows import department_tasks, regulatory_clock, sla_clock
from workflows.case_record import CaseRecord, refuse
from workflows.stages import Move


def check_respond(case: CaseRecord, message: AgentMessage, now: datetime) -> None:
    case.require_open()


def respond(case: CaseRecord, message: AgentMessage, now: datetime) -> None:
    case.record(
        EntryKind.AGENT_MESSAGE,
        message.agent,
        message.text,
        now,
        public=True,
        facts={"text": message.text},
    )
    case.tell_customer("agent_message", now, text=message.text)
    sla_clock.meet(case, DeadlineKind.RESPOND, now)
    sla_clock.meet(case, DeadlineKind.TEMPORARY_REMEDY, now)
    sla_clock.meet(case, DeadlineKind.PROGRESS_UPDATE, now)


def check_add_finding(case: CaseRecord, finding: Finding, now: datetime) -> None:
    case.require_open()


def add_finding(case: CaseRecord, finding: Finding, now: datetime) -> None:
    refs = ", ".join(e.ref for e in finding.evidence)
    text = finding.summary + (f" [evidence: {refs}]" if refs else "")
    case.record(
        EntryKind.FINDING,
        finding.agent,
        text,
        now,
        facts={
            "finding": finding.summary,
            **({"variant": "evidence", "evidence": refs} if refs else {}),
        },
    )
    sla_clock.meet(case, DeadlineKind.FIRST_ASSESSMENT, now)


def check_propose_plan(case: CaseRecord, plan: ResolutionPlan, now: datetime) -> None:
    case.require_move(Move.PROPOSE_PLAN)


def propose_plan(case: CaseRecord, plan: ResolutionPlan, now: datetime) -> None:
    """A plan within the agent's authority goes to the customer; one above it waits for a
    supervisor (R-RS-1). A new plan replaces one still waiting."""
    s = case.state
    limit = s.policy.agent_compensation_limit_yuan if s.policy else None
    money = plan.compensation_yuan
    if limit is not None and money and money > limit:
        s.plan_awaiting_approval = plan
        case.record(
            EntryKind.APPROVAL_REQUESTED,
            plan.agent,
            f"{plan.summary} (compensation {money} yuan, above an agent's {limit}): "
            "awaiting a supervisor's approval",
            now,
            facts={"plan": plan.summary, "compensation_yuan": str(money), "limit_yuan": str(limit)},
        )
        case.tell_staff(
            Audience.SUPERVISOR,
            "approval_needed",
            f"Approve {money} yuan for {s.intake.subject}? {plan.summary}",
            now,
            urgent=True,
            facts={
                "subject": s.intake.subject,
                "plan": plan.summary,
                "compensation_yuan": str(money),
            },
        )
        return
    s.plan_awaiting_approval = None
    offer_plan(case, plan, now)


def offer_plan(case: CaseRecord, plan: ResolutionPlan, now: datetime) -> None:
    """The plan goes to the customer: their decision stops the resolve clock, and a plan
    offered is the remedy the emergency promised."""
    case.state.plan = plan
    money = f" (compensation {plan.compensation_yuan} yuan)" if plan.compensation_yuan else ""
    amount = plan.compensation_yuan
    offered = (
        {"variant": "compensation", "plan": plan.summary, "compensation_yuan": str(amount)}
        if amount
        else {"plan": plan.summary}
    )
    case.record(
        EntryKind.PLAN_PROPOSED, plan.agent, plan.summary + money, now, public=True, facts=offered
    )
    case.move(Move.PROPOSE_PLAN, now, actor=plan.agent)
    sla_clock.pause(case, now)
    facts = {"plan": plan.summary}
    if plan.compensation_yuan:
        facts["compensation_yuan"] = str(plan.compensation_yuan)
    if plan.next_update_by:
        facts["next_update_at"] = plan.next_update_by.isoformat()
    case.tell_customer("plan_proposed", now, **facts)
    sla_clock.meet(case, DeadlineKind.RESPOND, now)
    sla_clock.meet(case, DeadlineKind.TEMPORARY_REMEDY, now)


def check_record_progress(case: CaseRecord, progress: ProgressNote, now: datetime) -> None:
    if progress.completed:
        case.require_move(Move.CARRY_OUT_PLAN)
        blocked = department_tasks.blocking(case.state.tasks)
        if blocked:
            task = blocked[0]
            refuse(
                RefusalCode.TASK_STILL_BLOCKS,
                task=task.number,
                department=task.department.value,
                title=task.title,
            )
    elif case.state.stage is not Stage.TRACK:
        refuse(RefusalCode.PROGRESS_OUTSIDE_TRACK, stage=case.state.stage.value)


def record_progress(case: CaseRecord, progress: ProgressNote, now: datetime) -> None:
    case.record(
        EntryKind.PROGRESS,
        progress.agent,
        progress.note,
        now,
        public=True,
        facts={"progress": progress.note, **({"variant": "result"} if progress.completed else {})},
    )
    if not progress.completed:
        sla_clock.meet(case, DeadlineKind.PROGRESS_UPDATE, now)
        return
    case.state.result_delivered_at = now
    sla_clock.meet(case, DeadlineKind.RESOLVE, now)
    sla_clock.stand_down(case, now)
    regulatory_clock.resolved(case, now)
    case.move(Move.CARRY_OUT_PLAN, now, actor=progress.agent)
    case.tell_customer("result_delivered", now, note=progress.note)
