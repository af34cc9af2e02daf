"""What supervisors do to a case (R-OP-2, R-RS-1) and the escalation chain that calls on them
(R-SLA-1: owner warned before a deadline, supervisor at the breach, management after), pure.

A part of `CaseFile`; check_* methods are the updates' validators, the plain ones apply.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from schemas.actions import (
    ClosureOnBehalf,
    CompensationApproval,
    Escalation,
    Merge,
    MergedCase,
    PolicyChange,
    Reassignment,
)
from schemas.case import (
    ClosedBy,
    Deadline,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
)
from schemas.notification import Audience
from workflows import deadlines
from workflows.case_record import (
    ESCALATION_CHAIN,
    HANDLING,
    RISK_ORDER,
    SYSTEM,
    CaseRecord,
    InvalidAction,
    Step,
    hm,
    refuse_if,
    value_text,
)
from workflows.stages import OPEN_STAGES, Move


class Supervision(CaseRecord):
    """Supervisors' actions on a case, and the chain that brings a missed deadline to them."""

    # ---- escalation (also a signal: alerting tools fire it without waiting) ------------------

    def escalate_case(self, escalation: Escalation, now: datetime) -> None:
        s = self.state
        problem = self._escalation_problem(escalation)
        if problem:
            self._refuse(f"escalation by {escalation.by} refused: {problem}", now)
            return
        changes = []
        if escalation.severity and escalation.severity != s.severity:
            changes.append(f"severity {value_text(s.severity)} → {escalation.severity.value}")
            self._regrade(escalation.severity)
        raise_risk = escalation.risk and escalation.risk != s.risk
        if raise_risk:
            changes.append(f"risk {value_text(s.risk)} → {value_text(escalation.risk)}")
        if escalation.assign_to and escalation.assign_to != s.owner:
            changes.append(f"owner {s.owner} → {escalation.assign_to}")
            s.owner, s.team_owned = escalation.assign_to, False  # an agent, not the team, now
        self._raise_level(EscalationLevel.SUPERVISOR)
        what = ", ".join(changes) or "supervisor attention"
        self._record(EntryKind.ESCALATED, escalation.by, f"{what}: {escalation.reason}", now)
        if raise_risk and escalation.risk:
            self._set_risk(escalation.risk, now)
        self._tell_staff(
            Audience.OWNER,
            "escalated",
            f"Escalated ({what}): {escalation.reason}",
            now,
            urgent=True,
        )

    def check_escalate_case(self, escalation: Escalation, now: datetime) -> None:
        refuse_if(self._escalation_problem(escalation))

    def _escalation_problem(self, escalation: Escalation) -> str | None:
        s = self.state
        if s.stage not in OPEN_STAGES:
            return "the case has ended"
        if escalation.assign_to and not self._known_agent(escalation.assign_to):
            return f"unknown agent '{escalation.assign_to}'"
        if (
            escalation.severity
            and s.severity
            and s.severity.is_more_urgent_than(escalation.severity)
        ):
            return f"severity can only be raised ({s.severity.value} is more urgent)"
        if (
            escalation.risk
            and s.risk
            and RISK_ORDER.index(escalation.risk) < RISK_ORDER.index(s.risk)
        ):
            return f"risk can only be raised (it is {s.risk.value})"
        return None

    # ---- supervisors' updates ---------------------------------------------------------------

    def check_reassign(self, reassignment: Reassignment, now: datetime) -> None:
        self._require_open()
        if not self._known_agent(reassignment.to):
            raise InvalidAction(f"unknown agent '{reassignment.to}'")
        if reassignment.to == self.state.owner:
            raise InvalidAction(f"the case is already owned by {reassignment.to}")

    def reassign(self, reassignment: Reassignment, now: datetime) -> None:
        s = self.state
        before, s.owner, s.team_owned = s.owner, reassignment.to, False
        self._record(
            EntryKind.REASSIGNED,
            reassignment.by,
            f"owner {before} → {s.owner}: {reassignment.reason}",
            now,
        )
        self._tell_staff(
            Audience.OWNER,
            "assigned",
            f"Assigned to you ({reassignment.reason}): {s.intake.subject}",
            now,
        )

    def check_approve_compensation(self, approval: CompensationApproval, now: datetime) -> None:
        pending = self.state.plan_awaiting_approval
        if pending is None:
            raise InvalidAction("no plan awaits approval")
        if approval.by == pending.agent:
            raise InvalidAction(f"{approval.by} proposed this plan and cannot approve it")
        self._require_move(Move.PROPOSE_PLAN)

    def approve_compensation(self, approval: CompensationApproval, now: datetime) -> None:
        plan = self.state.plan_awaiting_approval
        assert plan is not None
        self.state.plan_awaiting_approval = None
        note = f": {approval.note}" if approval.note else ""
        self._record(
            EntryKind.APPROVED,
            approval.by,
            f"compensation {plan.compensation_yuan} yuan approved{note}",
            now,
        )
        self._offer_plan(plan, now)

    def check_close_for_customer(self, closure: ClosureOnBehalf, now: datetime) -> None:
        s = self.state
        if s.stage is not Stage.CLOSE or s.result_delivered_at is None:
            raise InvalidAction(
                "only a case whose result was delivered and awaits the customer's "
                f"confirmation can be closed for them; this one is at "
                f"'{s.stage.value}'"
            )
        after = s.policy.close_on_behalf_after if s.policy else None
        if after is None:
            raise InvalidAction("the policy does not let a supervisor close a case for a customer")
        if now < s.result_delivered_at + after:
            raise InvalidAction(
                f"the customer has until {hm(s.result_delivered_at + after)} "
                "to answer before a supervisor may close for them"
            )

    def close_for_customer(self, closure: ClosureOnBehalf, now: datetime) -> None:
        self._record(EntryKind.CLOSED_FOR_CUSTOMER, closure.by, closure.reason, now)
        self._close(ClosedBy.SUPERVISOR, Move.CLOSE_ON_SILENCE, now)

    def check_change_policy(self, change: PolicyChange, now: datetime) -> None:
        self._require_open()
        current = self.state.policy
        if current is not None and current == change.policy:
            raise InvalidAction(f"the case already runs on policy {current.version}")

    def change_policy(self, change: PolicyChange, now: datetime) -> None:
        s = self.state
        before = s.policy.version if s.policy else "-"
        s.policy = change.policy
        moved = []
        for i, d in enumerate(s.deadlines):
            s.deadlines[i] = deadlines.recompute(d, change.policy)
            if s.deadlines[i].due_at != d.due_at:
                moved.append(f"{deadlines.label(d)} now due {hm(s.deadlines[i].due_at)}")
        what = "; ".join(moved) or "no pending deadline moved"
        self._record(
            EntryKind.POLICY_CHANGED,
            change.by,
            f"policy {before} → {change.policy.version} ({change.reason}): {what}",
            now,
        )

    def _known_agent(self, agent: str) -> bool:
        roster = self.state.policy.agents if self.state.policy else None
        return roster is None or agent in roster

    def check_merge_into(self, merge: Merge, now: datetime) -> None:
        self._require_open()
        if merge.into == self.state.intake.complaint_id:
            raise InvalidAction("a case cannot be merged into itself")

    def merge_into(self, merge: Merge, now: datetime) -> None:
        """This duplicate ends; the surviving case was told first (see the workflow)."""
        self.state.merged_into = merge.into
        self._record(EntryKind.MERGED, merge.by, f"merged into {merge.into}: {merge.reason}", now)
        self._tell_customer("merged", now, into=merge.into)
        self._finish(Outcome.MERGED, Move.MERGE, now)

    def merged_in(self, merged: MergedCase, now: datetime) -> None:
        self._record(
            EntryKind.MERGED_IN,
            merged.by,
            f"duplicate {merged.complaint_id} merged in ({merged.subject}): {merged.reason}",
            now,
        )
        self._tell_staff(
            Audience.OWNER,
            "merged_in",
            f"Duplicate {merged.complaint_id} merged into this case",
            now,
        )

    # ---- the escalation chain ----------------------------------------------------------------

    def _chain(self) -> list[Step]:
        """The escalation chain's next steps (R-SLA-1): warn the owner before a deadline, tell
        management of a breach still unmet; the supervisor is told at the breach itself."""
        s = self.state
        if ESCALATION_CHAIN not in self.features or s.policy is None or s.stage not in HANDLING:
            return []
        steps: list[Step] = []
        for d in s.deadlines:
            name = deadlines.label(d)
            warn = deadlines.warning_due(s.policy, d)
            if warn:
                steps.append((warn, f"warn owner: {name} near", partial(self._warn, d)))
            tell = deadlines.management_due(s.policy, d)
            if tell:
                steps.append(
                    (
                        tell,
                        f"tell management: {name} still missed",
                        partial(self._tell_management, d),
                    )
                )
        return steps

    def _warn(self, deadline: Deadline, now: datetime) -> None:
        deadline.warned_at = now
        text = f"{deadlines.label(deadline)} due {hm(deadline.due_at)}"
        self._record(EntryKind.DEADLINE_WARNING, SYSTEM, f"{text}: owner warned", now)
        self._tell_staff(
            Audience.OWNER, "deadline_warning", f"{text} on {self.state.intake.subject}", now
        )

    def _tell_management(self, deadline: Deadline, now: datetime) -> None:
        deadline.management_at = now
        self._raise_level(EscalationLevel.MANAGEMENT)
        name = deadlines.label(deadline)
        assert deadline.breached_at is not None
        text = f"{name} missed at {hm(deadline.breached_at)} and still unmet"
        self._record(EntryKind.ESCALATED, SYSTEM, f"{text}: escalated to management", now)
        self._tell_staff(
            Audience.MANAGEMENT,
            "deadline_unmet",
            f"{text} on {self.state.intake.subject}",
            now,
            urgent=True,
        )
