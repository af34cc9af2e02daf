"""The rules of one case: what every action, reply and timer does to it (pure, no Temporal).

`ComplaintWorkflow` owns a `CaseFile`, feeds it what happens, sends what lands in `outbox`, and
sleeps until the earliest item of `agenda()`. Everything here takes `now` as an argument, so the
same rules run under unit tests, property tests and the workflow alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from schemas.actions import (
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    ClosureOnBehalf,
    CompensationApproval,
    CustomerReply,
    Escalation,
    Finding,
    PolicyChange,
    ProgressNote,
    Reassignment,
    ReopenRequest,
    ReplyIntent,
    ResolutionPlan,
    SurveyAnswer,
    TaskDone,
    TaskOverride,
    TaskRequest,
)
from schemas.case import (
    AnsweredSurvey,
    CaseSnapshot,
    CaseState,
    ClosedBy,
    Deadline,
    DepartmentTask,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
    TimelineEntry,
)
from schemas.classification import Classification, Reason, RiskLevel, Severity
from schemas.intake import ComplaintIntake
from schemas.notification import Audience, Notification
from schemas.sla import DeadlineKind, SlaPolicy
from schemas.store import CustomerHistory
from workflows import deadlines, department_tasks
from workflows.customer_messages import customer_text
from workflows.stages import OPEN_STAGES, InvalidMove, Move, can_move, next_stage
from workflows.working_time import quiet_until

SYSTEM = "system"
CUSTOMER = "customer"

_RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
# Stages in which a case is being handled, before the result is delivered.
_HANDLING = frozenset(
    {Stage.RECEIVE, Stage.CLASSIFY, Stage.INVESTIGATE, Stage.RESOLVE, Stage.TRACK}
)


EMERGENCY = "emergency-response"
TRIAGE = "triage"
ESCALATION_CHAIN = "escalation-chain"
APPROVAL = "supervisor-approval"
CUSTOMER_PAUSE = "customer-pause"
FEATURES = frozenset({EMERGENCY, TRIAGE, ESCALATION_CHAIN, APPROVAL, CUSTOMER_PAUSE})


class InvalidAction(ValueError):
    """An agent's action that does not apply to the case as it stands; nothing was changed."""


@dataclass(frozen=True)
class Alarm:
    """A moment at which the case must act by itself, with the name operators see on its timer."""

    due_at: datetime
    summary: str


class CaseFile:
    def __init__(self, state: CaseState, features: frozenset[str] = FEATURES) -> None:
        self.state = state
        # Rules added after cases were already running; the workflow enables each through
        # `workflow.patched(<feature>)`, so older cases replay without them.
        self.features = features

    @classmethod
    def open(
        cls,
        intake: ComplaintIntake,
        workflow_id: str,
        now: datetime,
        features: frozenset[str] = FEATURES,
    ) -> CaseFile:
        received_at = intake.received_at or now
        case = cls(
            CaseState(
                intake=intake,
                workflow_id=workflow_id,
                received_at=received_at,
                owner=intake.receiver,
                round_started_at=received_at,
            ),
            features,
        )
        case._record(
            EntryKind.RECEIVED,
            SYSTEM,
            f"Received via {intake.channel.value} by {intake.receiver}: {intake.subject}"
            + (f" (re-opens {intake.linked_to}, which had ended)" if intake.linked_to else ""),
            now,
            public=True,
        )
        return case

    # ---- the workflow's own steps -------------------------------------------------------------

    def adopt_policy(self, policy: SlaPolicy, now: datetime) -> None:
        """Start the clock: the acknowledgement deadline counts from receipt, not from now."""
        self.state.policy = policy
        ack = deadlines.open_deadline(
            policy, DeadlineKind.ACKNOWLEDGE, None, 0, self.state.received_at
        )
        self.state.deadlines.append(ack)
        self._record(EntryKind.DEADLINE_SET, SYSTEM, self._deadline_text(ack), now)
        self._move(Move.REGISTER, now)
        self._tell_customer("acknowledged", now)

    def delivered(self, notification: Notification, now: datetime) -> None:
        if notification.topic == "acknowledged":
            self._meet(DeadlineKind.ACKNOWLEDGE, now, round=0)
            self._record(
                EntryKind.ACKNOWLEDGED, SYSTEM, "Receipt acknowledged to the customer", now
            )

    def undeliverable(self, notification: Notification, error: str, now: datetime) -> None:
        self._record(
            EntryKind.NOTIFICATION_FAILED,
            SYSTEM,
            f"{notification.topic} to {notification.audience.value} not delivered: {error}",
            now,
        )

    def record_history(self, history: CustomerHistory, now: datetime) -> None:
        """What the store knows about the customer, kept on the case as evidence (R-IV-1)."""
        if history.customer_id is None:
            return
        tier = history.tier.value if history.tier else "unknown"
        past = ", ".join(p.complaint_id for p in history.past_complaints[:5]) or "none"
        self._record(
            EntryKind.FINDING,
            SYSTEM,
            f"Customer {history.customer_id} ({tier}): {len(history.orders)} recent orders, "
            f"{len(history.service_records)} service records, past complaints: {past}; "
            f"complaint #{history.repeat_count} on this product in 90 days",
            now,
        )

    def classified(self, result: Classification, now: datetime) -> None:
        """Grade the case. An escalation that arrived first and is more urgent is kept."""
        s = self.state
        s.classification = result
        s.severity = _most_urgent(s.severity, result.severity)
        risk = _riskiest(s.risk, result.risk)
        reasons = "; ".join(_reason(r) for r in result.reasons) or "no signal"
        self._record(
            EntryKind.CLASSIFIED,
            SYSTEM,
            f"{result.category.value} / {s.severity.value} / risk {risk.value} "
            f"(rules {result.rules_version}; {reasons})",
            now,
        )
        self._open_round_deadlines(now)
        if result.needs_triage and TRIAGE in self.features and s.policy:
            self._open_triage(s.policy, now)
        self._move(Move.CLASSIFY, now)
        self._set_risk(risk, now)
        self._tell_staff(
            Audience.OWNER, "new_case", f"New {s.severity.value} case: {s.intake.subject}", now
        )
        if s.severity is Severity.L1:
            self._tell_staff(
                Audience.SUPERVISOR, "urgent_case", f"L1 case opened: {s.intake.subject}", now
            )

    # ---- customers' signals: never refused outright, since nothing a customer says is lost ----

    def customer_reply(self, reply: CustomerReply, now: datetime) -> None:
        self._record(EntryKind.CUSTOMER_MESSAGE, CUSTOMER, reply.text, now, public=True)
        self._resume_clock(now)
        self._tell_staff(
            Audience.OWNER, "customer_message", f"Customer wrote: {_excerpt(reply.text)}", now
        )
        intent = reply.intent
        if intent is ReplyIntent.MESSAGE:
            return
        if intent is ReplyIntent.NOT_RESOLVED and self.state.stage in (
            Stage.CLOSE,
            Stage.FOLLOW_UP,
        ):
            self._reopen("customer says the problem is not resolved", CUSTOMER, now)
        elif intent is ReplyIntent.ACCEPT_PLAN and can_move(self.state.stage, Move.ACCEPT_PLAN):
            self._move(Move.ACCEPT_PLAN, now, actor=CUSTOMER)
            resolve = deadlines.unmet(self.state.deadlines, DeadlineKind.RESOLVE, self._round)
            due = resolve.due_at.isoformat(timespec="minutes") if resolve else "-"
            self._tell_customer("plan_accepted", now, due=due)
        elif intent is ReplyIntent.REJECT_PLAN and can_move(self.state.stage, Move.REJECT_PLAN):
            self.state.plan = None
            self._move(Move.REJECT_PLAN, now, actor=CUSTOMER)
            self._tell_staff(Audience.OWNER, "plan_rejected", "The customer rejected the plan", now)
        elif intent is ReplyIntent.CONFIRM_RESOLVED and can_move(
            self.state.stage, Move.CONFIRM_RESULT
        ):
            self._close(ClosedBy.CUSTOMER, Move.CONFIRM_RESULT, now)
        else:
            self._refuse(f"'{intent.value}' does not apply at this stage; kept as a message", now)

    def reopen_request(self, request: ReopenRequest, now: datetime) -> None:
        self._record(
            EntryKind.CUSTOMER_MESSAGE,
            CUSTOMER,
            f"Re-open request: {request.reason}",
            now,
            public=True,
        )
        if can_move(self.state.stage, Move.REOPEN):
            self._reopen(request.reason, CUSTOMER, now)
        else:
            self._refuse("the case is still being handled; the request is kept as a message", now)
            self._tell_staff(
                Audience.OWNER,
                "customer_message",
                f"Customer asks: {_excerpt(request.reason)}",
                now,
            )

    def survey_answer(self, answer: SurveyAnswer, now: datetime) -> None:
        s = self.state
        scores = (
            f"result {answer.result}, attitude {answer.attitude}, timeliness {answer.timeliness}"
        )
        if s.stage is not Stage.FOLLOW_UP:
            self._refuse(f"survey answer outside follow-up ({scores}); kept as a message", now)
            return
        s.survey = answer
        s.surveys.append(AnsweredSurvey(round=s.reopen_count, answered_at=now, answer=answer))
        text = scores + (f"; suggestions: {answer.suggestions}" if answer.suggestions else "")
        self._record(EntryKind.SURVEY_ANSWERED, CUSTOMER, text, now, public=True)
        assert s.policy is not None  # FOLLOW_UP is only reached with a policy
        if answer.result < s.policy.reopen_below_score:
            self._reopen(f"follow-up result score {answer.result}", CUSTOMER, now)
        else:
            self._finish(Outcome.CLOSED_CONFIRMED, Move.FINISH_SATISFIED, now)

    # ---- supervisors' escalation (a signal: supervisors fire it from many tools) --------------

    def escalate(self, escalation: Escalation, now: datetime) -> None:
        s = self.state
        problem = self._escalation_problem(escalation)
        if problem:
            self._refuse(f"escalation by {escalation.by} refused: {problem}", now)
            return
        changes = []
        if escalation.severity and escalation.severity != s.severity:
            changes.append(f"severity {_value(s.severity)} → {escalation.severity.value}")
            self._regrade(escalation.severity)
        raise_risk = escalation.risk and escalation.risk != s.risk
        if raise_risk:
            changes.append(f"risk {_value(s.risk)} → {_value(escalation.risk)}")
        if escalation.assign_to and escalation.assign_to != s.owner:
            changes.append(f"owner {s.owner} → {escalation.assign_to}")
            s.owner = escalation.assign_to
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

    def check_escalate(self, escalation: Escalation) -> None:
        problem = self._escalation_problem(escalation)
        if problem:
            raise InvalidAction(problem)

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
            and _RISK_ORDER.index(escalation.risk) < _RISK_ORDER.index(s.risk)
        ):
            return f"risk can only be raised (it is {s.risk.value})"
        return None

    # ---- supervisors' updates: check_* is the validator, the plain method applies ------------

    def check_reassign(self, reassignment: Reassignment) -> None:
        self._require_open()
        if not self._known_agent(reassignment.to):
            raise InvalidAction(f"unknown agent '{reassignment.to}'")
        if reassignment.to == self.state.owner:
            raise InvalidAction(f"the case is already owned by {reassignment.to}")

    def reassign(self, reassignment: Reassignment, now: datetime) -> None:
        s = self.state
        before, s.owner = s.owner, reassignment.to
        self._record(EntryKind.REASSIGNED, reassignment.by,
                     f"owner {before} → {s.owner}: {reassignment.reason}", now)  # fmt: skip
        self._tell_staff(Audience.OWNER, "assigned",
                         f"Assigned to you ({reassignment.reason}): {s.intake.subject}", now)  # fmt: skip

    def check_approve(self, approval: CompensationApproval) -> None:
        pending = self.state.plan_awaiting_approval
        if pending is None:
            raise InvalidAction("no plan awaits approval")
        if approval.by == pending.agent:
            raise InvalidAction(f"{approval.by} proposed this plan and cannot approve it")
        self._require_move(Move.PROPOSE_PLAN)

    def approve(self, approval: CompensationApproval, now: datetime) -> None:
        plan = self.state.plan_awaiting_approval
        assert plan is not None
        self.state.plan_awaiting_approval = None
        note = f": {approval.note}" if approval.note else ""
        self._record(EntryKind.APPROVED, approval.by,
                     f"compensation {plan.compensation_yuan} yuan approved{note}", now)  # fmt: skip
        self._offer_plan(plan, now)

    def check_close_for_customer(self, closure: ClosureOnBehalf, now: datetime) -> None:
        s = self.state
        if s.stage is not Stage.CLOSE or s.result_delivered_at is None:
            raise InvalidAction("only a case whose result was delivered and awaits the customer's "
                                f"confirmation can be closed for them; this one is at "
                                f"'{s.stage.value}'")  # fmt: skip
        after = s.policy.close_on_behalf_after if s.policy else None
        if after is None:
            raise InvalidAction("the policy does not let a supervisor close a case for a customer")
        if now < s.result_delivered_at + after:
            raise InvalidAction(f"the customer has until {_hm(s.result_delivered_at + after)} "
                                "to answer before a supervisor may close for them")  # fmt: skip

    def close_for_customer(self, closure: ClosureOnBehalf, now: datetime) -> None:
        self._record(EntryKind.CLOSED_FOR_CUSTOMER, closure.by, closure.reason, now)
        self._close(ClosedBy.SUPERVISOR, Move.CLOSE_ON_SILENCE, now)

    def check_change_policy(self, change: PolicyChange) -> None:
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
                moved.append(f"{deadlines.label(d)} now due {_hm(s.deadlines[i].due_at)}")
        what = "; ".join(moved) or "no pending deadline moved"
        self._record(EntryKind.POLICY_CHANGED, change.by,
                     f"policy {before} → {change.policy.version} ({change.reason}): {what}", now)  # fmt: skip

    def _known_agent(self, agent: str) -> bool:
        roster = self.state.policy.agents if self.state.policy else None
        return roster is None or agent in roster

    # ---- cross-department tasks (updates; the rules are in department_tasks) -----------------

    def check_open_task(self, request: TaskRequest, now: datetime) -> None:
        if self.state.stage not in _HANDLING:
            raise InvalidAction(f"tasks are opened while the case is handled; it is at "
                                f"'{self.state.stage.value}'")  # fmt: skip
        _refuse(department_tasks.request_problem(self.state.tasks, request, now))

    def open_task(self, request: TaskRequest, now: datetime) -> None:
        task = department_tasks.opened(self.state.tasks, request, now)
        name = department_tasks.label(task)
        block = ", blocks resolution" if task.blocking else ""
        self._record(EntryKind.TASK_OPENED, request.by,
                     f"{name} → {task.owner}, due {_hm(task.due_at)}{block}", now)  # fmt: skip
        self._notify(Audience.DEPARTMENT, task.owner, "task_assigned",
                     f"{name} on {self.state.intake.subject}: due {_hm(task.due_at)}", now)  # fmt: skip

    def check_complete_task(self, done: TaskDone) -> None:
        _refuse(department_tasks.done_problem(self.state.tasks, done))

    def complete_task(self, done: TaskDone, now: datetime) -> None:
        task = self.state.tasks[done.task - 1]
        task.done_at = now
        hours = (now - task.opened_at).total_seconds() / 3600
        late = " (late)" if now > task.due_at else ""
        note = f": {done.note}" if done.note else ""
        self._record(EntryKind.TASK_DONE, done.by, f"{department_tasks.label(task)} done in "
                     f"{hours:.1f} h{late}{note}", now)  # fmt: skip
        self._tell_staff(Audience.OWNER, "task_done", f"{department_tasks.label(task)} done", now)

    def check_override_task(self, override: TaskOverride) -> None:
        _refuse(department_tasks.done_problem(self.state.tasks, override))

    def override_task(self, override: TaskOverride, now: datetime) -> None:
        task = self.state.tasks[override.task - 1]
        task.blocking, task.overridden_by = False, override.by
        self._record(EntryKind.TASK_OVERRIDDEN, override.by, f"{department_tasks.label(task)} no "
                     f"longer blocks resolution: {override.reason}", now)  # fmt: skip

    def _task_overdue(self, task: DepartmentTask, now: datetime) -> None:
        task.escalated_at = now
        name = department_tasks.label(task)
        self._record(EntryKind.TASK_OVERDUE, SYSTEM,
                     f"{name} overdue (due {_hm(task.due_at)}): {task.department.value} "
                     "supervisor told", now)  # fmt: skip
        self._notify(Audience.DEPARTMENT_SUPERVISOR, task.department.value, "task_overdue",
                     f"{name}, owner {task.owner}, was due {_hm(task.due_at)}", now, urgent=True)  # fmt: skip
        self._tell_staff(Audience.OWNER, "task_overdue", f"{name} is overdue", now)

    # ---- agents' updates: check_* is the validator, the plain method applies -----------------

    def check_confirm(self, confirmation: ClassificationConfirmation) -> None:
        self._require_open()
        if self.state.classification is None:
            raise InvalidAction("the case is not classified yet")

    def confirm(self, confirmation: ClassificationConfirmation, now: datetime) -> None:
        s = self.state
        note = f": {confirmation.note}" if confirmation.note else ""
        self._record(EntryKind.RECLASSIFIED, confirmation.by,
                     f"classification confirmed ({_value(s.severity)}, risk {_value(s.risk)}){note}",
                     now)  # fmt: skip
        self._meet(DeadlineKind.TRIAGE, now, round=0)

    def check_override(self, override: ClassificationOverride) -> None:
        self._require_open()
        current = self.state.classification
        if current is None:
            raise InvalidAction("the case is not classified yet; override it once it is")
        if not self._override_changes(override):
            raise InvalidAction("the override changes nothing")

    def override(self, override: ClassificationOverride, now: datetime) -> None:
        s = self.state
        assert s.classification is not None
        changes = self._override_changes(override)
        s.classification = s.classification.model_copy(
            update={
                "category": override.category or s.classification.category,
                "sub_category": override.sub_category or s.classification.sub_category,
                "severity": override.severity or s.classification.severity,
                "risk": override.risk or s.classification.risk,
                "reasons": [
                    *s.classification.reasons,
                    Reason(factor=f"override by {override.by}", detail=override.reason),
                ],
            }
        )
        if override.severity:
            self._regrade(override.severity)
        self._record(
            EntryKind.RECLASSIFIED, override.by, f"{', '.join(changes)}: {override.reason}", now
        )
        self._meet(DeadlineKind.TRIAGE, now, round=0)
        if override.risk:
            self._set_risk(override.risk, now)
        self._tell_staff(
            Audience.OWNER, "reclassified", f"Reclassified ({', '.join(changes)})", now
        )

    def _override_changes(self, override: ClassificationOverride) -> list[str]:
        s = self.state
        c = s.classification
        pairs = [
            ("category", c.category if c else None, override.category),
            ("sub-category", c.sub_category if c else None, override.sub_category),
            ("severity", s.severity, override.severity),
            ("risk", s.risk, override.risk),
        ]
        return [f"{name} {_value(old)} → {_value(new)}" for name, old, new in pairs
                if new is not None and new != old]  # fmt: skip

    def check_respond(self, message: AgentMessage) -> None:
        self._require_open()

    def respond(self, message: AgentMessage, now: datetime) -> None:
        self._record(EntryKind.AGENT_MESSAGE, message.agent, message.text, now, public=True)
        self._tell_customer("agent_message", now, text=message.text)
        self._responded(now)
        self._meet(DeadlineKind.TEMPORARY_REMEDY, now, round=self._round)
        self._meet(DeadlineKind.PROGRESS_UPDATE, now, round=self._round)

    def check_add_finding(self, finding: Finding) -> None:
        self._require_open()

    def add_finding(self, finding: Finding, now: datetime) -> None:
        refs = ", ".join(e.ref for e in finding.evidence)
        text = finding.summary + (f" [evidence: {refs}]" if refs else "")
        self._record(EntryKind.FINDING, finding.agent, text, now)
        self._meet(DeadlineKind.FIRST_ASSESSMENT, now, round=self._round)

    def check_propose_plan(self, plan: ResolutionPlan) -> None:
        self._require_move(Move.PROPOSE_PLAN)

    def propose_plan(self, plan: ResolutionPlan, now: datetime) -> None:
        """A plan within the agent's authority goes to the customer; one above it waits for a
        supervisor (R-RS-1). A new plan replaces one still waiting."""
        s = self.state
        limit = s.policy.agent_compensation_limit_yuan if s.policy else None
        money = plan.compensation_yuan
        if APPROVAL in self.features and limit is not None and money and money > limit:
            s.plan_awaiting_approval = plan
            self._record(EntryKind.APPROVAL_REQUESTED, plan.agent,
                         f"{plan.summary} (compensation {money} yuan, above an agent's {limit}): "
                         "awaiting a supervisor's approval", now)  # fmt: skip
            self._tell_staff(Audience.SUPERVISOR, "approval_needed",
                             f"Approve {money} yuan for {s.intake.subject}? {plan.summary}", now,
                             urgent=True)  # fmt: skip
            return
        s.plan_awaiting_approval = None
        self._offer_plan(plan, now)

    def _offer_plan(self, plan: ResolutionPlan, now: datetime) -> None:
        self.state.plan = plan
        money = f" (compensation {plan.compensation_yuan} yuan)" if plan.compensation_yuan else ""
        self._record(EntryKind.PLAN_PROPOSED, plan.agent, plan.summary + money, now, public=True)
        self._move(Move.PROPOSE_PLAN, now, actor=plan.agent)
        self._pause_clock(now)
        next_update = (
            plan.next_update_by.isoformat(timespec="minutes") if plan.next_update_by else "-"
        )
        self._tell_customer(
            "plan_proposed", now, plan=plan.summary + money, next_update=next_update
        )
        self._responded(now)

    def check_record_progress(self, progress: ProgressNote) -> None:
        if progress.completed:
            self._require_move(Move.CARRY_OUT_PLAN)
            blocked = department_tasks.blocking(self.state.tasks)
            if blocked:
                raise InvalidAction(f"{department_tasks.label(blocked[0])} is still open: it must "
                                    "be done, or a supervisor must override it, first")  # fmt: skip
        elif self.state.stage is not Stage.TRACK:
            raise InvalidAction(
                f"progress is recorded while the plan is carried out (stage 'track'); "
                f"the case is at '{self.state.stage.value}'"
            )

    def record_progress(self, progress: ProgressNote, now: datetime) -> None:
        self._record(EntryKind.PROGRESS, progress.agent, progress.note, now, public=True)
        if not progress.completed:
            self._meet(DeadlineKind.PROGRESS_UPDATE, now, round=self._round)
            return
        self.state.result_delivered_at = now
        self._meet(DeadlineKind.RESOLVE, now, round=self._round)
        self._stand_down(now)
        self._move(Move.CARRY_OUT_PLAN, now, actor=progress.agent)
        self._tell_customer("result_delivered", now, note=progress.note)

    # ---- timers -----------------------------------------------------------------------------

    def agenda(self) -> list[Alarm]:
        """Every moment the case must wake up by itself, earliest first."""
        s = self.state
        alarms = [Alarm(d.due_at, deadlines.label(d)) for d in s.deadlines if d.running]
        alarms += [Alarm(due, summary) for due, summary, _ in self._chain()]
        if s.stage in OPEN_STAGES:
            alarms += [Alarm(t.due_at, f"{department_tasks.label(t)} due")
                       for t in department_tasks.overdue_unescalated(s.tasks)]  # fmt: skip
        if s.policy and s.stage is Stage.CLOSE and s.result_delivered_at:
            alarms.append(
                Alarm(s.result_delivered_at + s.policy.confirmation_wait, "confirmation wait ends")
            )
        if s.policy and s.stage is Stage.FOLLOW_UP and s.closed_at:
            if s.survey_sent_at is None:
                alarms.append(Alarm(s.closed_at + s.policy.follow_up_after, "follow-up survey due"))
            alarms.append(Alarm(s.closed_at + s.policy.follow_up_until, "follow-up window ends"))
        return sorted(alarms, key=lambda a: a.due_at)

    def fire_due(self, now: datetime) -> None:
        """Act on every alarm that is due at `now`."""
        s = self.state
        for deadline in deadlines.overdue(s.deadlines, now):
            self._breach(deadline, now)
        for due, _, act in self._chain():
            if due <= now:
                act(now)
        if s.stage in OPEN_STAGES:
            for task in department_tasks.overdue_unescalated(s.tasks):
                if task.due_at <= now:
                    self._task_overdue(task, now)
        if s.policy is None:
            return
        if (
            s.stage is Stage.CLOSE
            and s.result_delivered_at
            and now >= s.result_delivered_at + s.policy.confirmation_wait
        ):
            self._close(ClosedBy.SILENCE, Move.CLOSE_ON_SILENCE, now)
        if s.stage is Stage.FOLLOW_UP and s.closed_at:
            if now >= s.closed_at + s.policy.follow_up_until:
                self._finish(Outcome.CLOSED_NO_RESPONSE, Move.FINISH_NO_RESPONSE, now)
            elif s.survey_sent_at is None and now >= s.closed_at + s.policy.follow_up_after:
                s.survey_sent_at = now
                self._record(
                    EntryKind.SURVEY_SENT, SYSTEM, "Satisfaction survey sent", now, public=True
                )
                self._tell_customer("survey", now)

    # ---- what queries show ------------------------------------------------------------------

    def snapshot(self) -> CaseSnapshot:
        s = self.state
        return CaseSnapshot(
            complaint_id=s.intake.complaint_id,
            workflow_id=s.workflow_id,
            stage=s.stage,
            outcome=s.outcome,
            closed_by=s.closed_by,
            channel=s.intake.channel,
            subject=s.intake.subject,
            product=s.intake.product,
            category=s.classification.category if s.classification else None,
            severity=s.severity,
            risk=s.risk,
            owner=s.owner,
            escalation_level=s.escalation_level,
            reopen_count=s.reopen_count,
            deadlines=list(s.deadlines),
            next_deadline=deadlines.next_pending(s.deadlines),
            plan=s.plan,
            plan_awaiting_approval=s.plan_awaiting_approval,
            tasks=list(s.tasks),
            linked_to=s.intake.linked_to,
            classification=s.classification,
            policy_version=s.policy.version if s.policy else None,
            received_at=s.received_at,
            result_delivered_at=s.result_delivered_at,
            closed_at=s.closed_at,
            survey_sent_at=s.survey_sent_at,
            survey=s.survey,
            surveys=list(s.surveys),
            timeline_length=self.next_seq,
            runs=s.runs,
        )

    # ---- the timeline across runs ----------------------------------------------------------

    @property
    def outbox(self) -> list[Notification]:
        """What the workflow must still send; part of the state, so a new run sends it."""
        return self.state.outbox

    @property
    def next_seq(self) -> int:
        return self.state.timeline_offset + len(self.state.timeline)

    def entries_since(self, seq: int) -> list[TimelineEntry]:
        """The kept entries from `seq` on (earlier ones may live only in the case store)."""
        return self.state.timeline[max(0, seq - self.state.timeline_offset) :]

    def carried(self, keep: int, stored_upto: int, max_bytes: int | None = None) -> CaseState:
        """The state for the next run: at most `keep` timeline entries and `max_bytes` of their
        text, and only entries the case store already holds (`seq < stored_upto`) are dropped,
        so nothing is ever lost and the continue-as-new input stays bounded however long the
        conversation (4,000-character replies in Chinese are 12 KB each)."""
        s = self.state
        droppable = max(0, stored_upto - s.timeline_offset)
        drop = max(0, min(len(s.timeline) - keep, droppable))
        if max_bytes is not None:
            kept = sum(_text_bytes(e) for e in s.timeline[drop:])
            while kept > max_bytes and drop < droppable:
                kept -= _text_bytes(s.timeline[drop])
                drop += 1
        return s.model_copy(
            update={
                "runs": s.runs + 1,
                "timeline": s.timeline[drop:],
                "timeline_offset": s.timeline_offset + drop,
            }
        )

    def projection_batch(self, since: int, max_entries: int, max_bytes: int) -> list[TimelineEntry]:
        """The next entries for the case store, from `since`, bounded so that one activity's
        input stays far below Temporal's payload limit even after a long store outage."""
        batch: list[TimelineEntry] = []
        size = 0
        for entry in self.entries_since(since)[:max_entries]:
            size += _text_bytes(entry)
            if batch and size > max_bytes:
                break
            batch.append(entry)
        return batch

    # ---- internals --------------------------------------------------------------------------

    @property
    def _round(self) -> int:
        return self.state.reopen_count

    def _require_open(self) -> None:
        if self.state.stage not in OPEN_STAGES:
            raise InvalidAction(f"case {self.state.intake.complaint_id} has ended")

    def _require_move(self, move: Move) -> None:
        self._require_open()
        try:
            next_stage(self.state.stage, move)
        except InvalidMove as err:
            raise InvalidAction(str(err)) from None

    def _move(self, move: Move, now: datetime, actor: str = SYSTEM) -> None:
        before = self.state.stage
        self.state.stage = next_stage(before, move)
        self._record(
            EntryKind.STAGE_CHANGED,
            actor,
            f"{before.value} → {self.state.stage.value}",
            now,
            public=True,
        )

    def _open_round_deadlines(self, now: datetime) -> None:
        s = self.state
        assert s.policy is not None and s.severity is not None
        for kind in (DeadlineKind.RESPOND, DeadlineKind.RESOLVE):
            d = deadlines.open_deadline(s.policy, kind, s.severity, self._round, s.round_started_at)
            s.deadlines.append(d)
            self._record(EntryKind.DEADLINE_SET, SYSTEM, self._deadline_text(d), now)
        if self._responded_this_round():
            self._meet(DeadlineKind.RESPOND, now, round=self._round)

    def _responded_this_round(self) -> bool:
        s = self.state
        return any(
            e.kind in (EntryKind.AGENT_MESSAGE, EntryKind.PLAN_PROPOSED)
            and e.at >= s.round_started_at
            for e in s.timeline
        )

    def _responded(self, now: datetime) -> None:
        self._meet(DeadlineKind.RESPOND, now, round=self._round)

    def _meet(self, kind: DeadlineKind, now: datetime, round: int) -> None:
        d = deadlines.unmet(self.state.deadlines, kind, round)
        if d is None:
            return
        if d.running and now > d.due_at:
            self._breach(d, now)  # the loop was busy when it fell due; the miss still counts
            if kind is DeadlineKind.PROGRESS_UPDATE:
                return  # the breach opened the next day's update; this late one was yesterday's
        d.met_at = now
        late = " (late)" if d.breached_at else ""
        self._record(EntryKind.DEADLINE_MET, SYSTEM, f"{deadlines.label(d)} met{late}", now)
        if kind is DeadlineKind.PROGRESS_UPDATE:
            self._open_emergency(DeadlineKind.PROGRESS_UPDATE, now)

    def _chain(self) -> list[tuple[datetime, str, Callable[[datetime], None]]]:
        """The escalation chain's next steps (R-SLA-1): warn the owner before a deadline, tell
        management of a breach still unmet; the supervisor is told at the breach itself."""
        s = self.state
        if ESCALATION_CHAIN not in self.features or s.policy is None or s.stage not in _HANDLING:
            return []
        steps: list[tuple[datetime, str, Callable[[datetime], None]]] = []
        for d in s.deadlines:
            name = deadlines.label(d)
            warn = deadlines.warning_due(s.policy, d)
            if warn:
                steps.append((warn, f"warn owner: {name} near", partial(self._warn, d)))
            tell = deadlines.management_due(s.policy, d)
            if tell:
                steps.append((tell, f"tell management: {name} still missed",
                              partial(self._tell_management, d)))  # fmt: skip
        return steps

    def _warn(self, deadline: Deadline, now: datetime) -> None:
        deadline.warned_at = now
        text = f"{deadlines.label(deadline)} due {_hm(deadline.due_at)}"
        self._record(EntryKind.DEADLINE_WARNING, SYSTEM, f"{text}: owner warned", now)
        self._tell_staff(
            Audience.OWNER, "deadline_warning", f"{text} on {self.state.intake.subject}", now
        )

    def _tell_management(self, deadline: Deadline, now: datetime) -> None:
        deadline.management_at = now
        self._raise_level(EscalationLevel.MANAGEMENT)
        name = deadlines.label(deadline)
        assert deadline.breached_at is not None
        text = f"{name} missed at {_hm(deadline.breached_at)} and still unmet"
        self._record(EntryKind.ESCALATED, SYSTEM, f"{text}: escalated to management", now)
        self._tell_staff(Audience.MANAGEMENT, "deadline_unmet",
                         f"{text} on {self.state.intake.subject}", now, urgent=True)  # fmt: skip

    def _pause_clock(self, now: datetime) -> None:
        """The plan is with the customer: the resolve deadline stops until they answer, since
        the time they take to decide is not the company's (the pause is recorded)."""
        d = deadlines.unmet(self.state.deadlines, DeadlineKind.RESOLVE, self._round)
        if CUSTOMER_PAUSE not in self.features or d is None or not d.running:
            return
        deadlines.pause(d, now)
        self._record(EntryKind.DEADLINE_PAUSED, SYSTEM,
                     f"{deadlines.label(d)} paused: waiting on the customer", now)  # fmt: skip

    def _resume_clock(self, now: datetime) -> None:
        for d in self.state.deadlines:
            if d.paused_at is not None and self.state.policy is not None:
                paused = deadlines.resume(d, self.state.policy, now)
                self._record(EntryKind.DEADLINE_RESUMED, SYSTEM,
                             f"{deadlines.label(d)} resumed after {_duration(paused)} waiting on "
                             f"the customer; due {_hm(d.due_at)}", now)  # fmt: skip

    def _raise_level(self, level: EscalationLevel) -> None:
        """Escalation only goes up: a supervisor's escalation does not undo management's."""
        order = list(EscalationLevel)
        if order.index(level) > order.index(self.state.escalation_level):
            self.state.escalation_level = level

    def _breach(self, deadline: Deadline, now: datetime) -> None:
        deadline.breached_at = now
        name = deadlines.label(deadline)
        self._record(
            EntryKind.DEADLINE_BREACHED, SYSTEM, f"{name} missed (due {_hm(deadline.due_at)})", now
        )
        self._raise_level(EscalationLevel.SUPERVISOR)
        self._record(EntryKind.ESCALATED, SYSTEM, f"{name} missed: escalated to supervisor", now)
        text = f"{name} missed on {self.state.intake.subject}"
        self._tell_staff(Audience.OWNER, "deadline_breached", text, now, urgent=True)
        self._tell_staff(Audience.SUPERVISOR, "deadline_breached", text, now, urgent=True)
        if deadline.kind is DeadlineKind.PROGRESS_UPDATE:
            self._open_emergency(DeadlineKind.PROGRESS_UPDATE, now)  # the daily cadence goes on

    def _open_triage(self, policy: SlaPolicy, now: datetime) -> None:
        """No rule placed the case: a person confirms or corrects the grade, counted from
        receipt and as fast as an L1 answer, since an unplaced case may be one."""
        d = deadlines.open_deadline(policy, DeadlineKind.TRIAGE, None, 0, self.state.received_at)
        self.state.deadlines.append(d)
        self._record(EntryKind.DEADLINE_SET, SYSTEM, self._deadline_text(d), now)
        self._tell_staff(Audience.OWNER, "triage", "No rule placed this case: confirm or correct "
                         f"its grade by {_hm(d.due_at)}", now, urgent=True)  # fmt: skip

    def _set_risk(self, risk: RiskLevel, now: datetime) -> None:
        self.state.risk = risk
        if risk is RiskLevel.HIGH and EMERGENCY in self.features and self.state.stage in _HANDLING:
            self._convene_emergency(now)

    def _convene_emergency(self, now: datetime) -> None:
        """R-IV-3: service, PR, legal and tech take the case; first assessment within 1 h,
        a temporary remedy within 2 h, progress at least daily (durations from the policy)."""
        s = self.state
        if any(d.kind.emergency and d.round == self._round for d in s.deadlines):
            return  # already convened for this handling
        self._record(EntryKind.EMERGENCY, SYSTEM,
                     "High risk: emergency response convened (service, PR, legal, tech)", now)  # fmt: skip
        for kind in (DeadlineKind.FIRST_ASSESSMENT, DeadlineKind.TEMPORARY_REMEDY,
                     DeadlineKind.PROGRESS_UPDATE):  # fmt: skip
            self._open_emergency(kind, now)
        self._tell_staff(Audience.SUPERVISOR, "emergency_response",
                         f"Emergency response convened: {s.intake.subject}", now, urgent=True)  # fmt: skip

    def _open_emergency(self, kind: DeadlineKind, now: datetime) -> None:
        s = self.state
        if s.policy is None or s.stage not in _HANDLING:
            return
        d = deadlines.open_deadline(s.policy, kind, None, self._round, now)
        s.deadlines.append(d)
        self._record(EntryKind.DEADLINE_SET, SYSTEM, self._deadline_text(d), now)

    def _stand_down(self, now: datetime) -> None:
        """The result is delivered: the emergency deadlines not yet met, missed ones included,
        are no longer owed (a missed one keeps its breach)."""
        for d in self.state.deadlines:
            if d.kind.emergency and d.met_at is None:
                d.met_at = now
                self._record(EntryKind.DEADLINE_MET, SYSTEM,
                             f"{deadlines.label(d)} closed: result delivered", now)  # fmt: skip

    def _regrade(self, severity: Severity) -> None:
        s = self.state
        s.severity = severity
        if s.policy is not None:
            s.deadlines = [deadlines.retarget(d, s.policy, severity) for d in s.deadlines]

    def _reopen(self, reason: str, actor: str, now: datetime) -> None:
        s = self.state
        s.reopen_count += 1
        s.round_started_at = now
        s.plan = None
        s.result_delivered_at = None
        s.closed_at = None
        s.closed_by = None
        s.survey_sent_at = None
        s.survey = None
        self._record(
            EntryKind.REOPENED, actor, f"Re-open #{s.reopen_count}: {reason}", now, public=True
        )
        self._move(Move.REOPEN, now, actor=actor)
        self._open_round_deadlines(now)
        self._tell_staff(Audience.OWNER, "reopened", f"Case re-opened: {reason}", now, urgent=True)
        self._tell_customer("reopened", now)

    def _close(self, closed_by: ClosedBy, move: Move, now: datetime) -> None:
        s = self.state
        s.closed_by = closed_by
        s.closed_at = now
        how = {
            ClosedBy.CUSTOMER: "confirmed by the customer",
            ClosedBy.SILENCE: "no confirmation",
            ClosedBy.SUPERVISOR: "closed by the service team after no confirmation",
        }[closed_by]
        self._record(EntryKind.CLOSED, SYSTEM, f"Closed: {how}", now, public=True)
        self._move(move, now)
        self._tell_customer("closed", now)

    def _finish(self, outcome: Outcome, move: Move, now: datetime) -> None:
        self.state.outcome = outcome
        self._move(move, now)
        self._record(EntryKind.ENDED, SYSTEM, f"Ended: {outcome.value}", now)

    def _refuse(self, why: str, now: datetime) -> None:
        self._record(EntryKind.REFUSED, SYSTEM, why, now)

    def _record(
        self, kind: EntryKind, actor: str, summary: str, now: datetime, public: bool = False
    ) -> TimelineEntry:
        entry = TimelineEntry(
            seq=self.next_seq,
            at=now,
            stage=self.state.stage,
            kind=kind,
            actor=actor,
            summary=summary,
            public=public,
        )
        self.state.timeline.append(entry)
        return entry

    def _tell_customer(self, topic: str, now: datetime, **facts: str) -> None:
        intake = self.state.intake
        text = customer_text(
            topic,
            intake.language,
            intake.channel,
            intake.customer.name,
            complaint_id=intake.complaint_id,
            **facts,
        )
        # The receipt is answered at once, day or night (R-IN-6); the rest respects quiet hours.
        self._notify(Audience.CUSTOMER, None, topic, text, now, urgent=topic == "acknowledged")

    def _tell_staff(
        self, audience: Audience, topic: str, text: str, now: datetime, urgent: bool = False
    ) -> None:
        recipient = self.state.owner if audience is Audience.OWNER else None
        self._notify(audience, recipient, topic, text, now, urgent=urgent)

    def _notify(
        self,
        audience: Audience,
        recipient: str | None,
        topic: str,
        text: str,
        now: datetime,
        urgent: bool = False,
    ) -> None:
        # The key ties the message to the timeline position that caused it, so a retried
        # delivery, or a replay of the workflow, can never send it twice.
        seq = self.next_seq - 1
        intake = self.state.intake
        urgent = urgent or self.state.severity is Severity.L1
        quiet = self.state.policy.quiet_hours if self.state.policy else None
        self.outbox.append(
            Notification(
                key=f"{self.state.workflow_id}/{seq}/{audience.value}/{topic}",
                complaint_id=intake.complaint_id,
                audience=audience,
                recipient=recipient,
                topic=topic,
                text=text,
                urgent=urgent,
                channel=intake.channel if audience is Audience.CUSTOMER else None,
                language=intake.language,
                not_before=quiet_until(now, quiet) if quiet and not urgent else None,
            )
        )

    @staticmethod
    def _deadline_text(d: Deadline) -> str:
        return f"{deadlines.label(d)} due {_hm(d.due_at)}"


def _refuse(problem: str | None) -> None:
    if problem:
        raise InvalidAction(problem)


def _most_urgent(a: Severity | None, b: Severity) -> Severity:
    return a if a is not None and a.is_more_urgent_than(b) else b


def _riskiest(a: RiskLevel | None, b: RiskLevel) -> RiskLevel:
    return a if a is not None and _RISK_ORDER.index(a) > _RISK_ORDER.index(b) else b


def _value(x: object) -> str:
    return str(getattr(x, "value", x)) if x is not None else "unset"


def _reason(r: Reason) -> str:
    return f"{r.factor}: {r.detail}" + (f" (+{r.score})" if r.score else "")


def _hm(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


def _duration(span: timedelta) -> str:
    hours, seconds = divmod(int(span.total_seconds()), 3600)
    return f"{hours} h {seconds // 60} min"


def _text_bytes(entry: TimelineEntry) -> int:
    return len(entry.summary.encode())


# Staff alerts quote the customer briefly; the whole text is on the case's timeline. This keeps
# the queue of unsent notifications small enough to carry across continue-as-new.
EXCERPT_MAX = 280


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"
