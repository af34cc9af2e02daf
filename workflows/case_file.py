"""The rules of one case: what every action, reply and timer does to it (pure, no Temporal).

`ComplaintWorkflow` owns a `CaseFile`, feeds it what happens, sends what lands in `outbox`, and
sleeps until the earliest item of `agenda()`. Everything here takes `now` as an argument, so the
same rules run under unit tests, property tests and the workflow alike. Supervisors' actions and
the escalation chain are in `supervision`, cross-department tasks in `department_tasks`; the
state, timeline and outbox they share in `case_record`.
"""

from __future__ import annotations

from datetime import datetime

from schemas.actions import (
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    CustomerReply,
    Finding,
    ProgressNote,
    ReopenRequest,
    ReplyIntent,
    ResolutionPlan,
    SurveyAnswer,
)
from schemas.case import (
    AnsweredSurvey,
    CaseSnapshot,
    CaseState,
    ClosedBy,
    Deadline,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
)
from schemas.classification import Classification, Reason, RiskLevel, Severity
from schemas.intake import ComplaintIntake
from schemas.notification import Audience, Notification
from schemas.sla import DeadlineKind, SlaPolicy
from schemas.store import CustomerHistory
from workflows import deadlines, department_tasks
from workflows.case_record import (
    APPROVAL,
    CUSTOMER,
    CUSTOMER_PAUSE,
    DELIVERY_FAILURE,
    EMERGENCY,
    FEATURES,
    HANDLING,
    PLAN_REMEDY,
    RISK_ORDER,
    SYSTEM,
    TRIAGE,
    Alarm,
    InvalidAction,
    Step,
    duration_text,
    excerpt,
    hm,
    value_text,
)
from workflows.department_tasks import DepartmentTaskActions
from workflows.stages import Move, can_move
from workflows.supervision import Supervision
from workflows.team_queue import UNROUTED, TeamQueue

__all__ = ["FEATURES", "Alarm", "CaseFile", "InvalidAction"]


class CaseFile(Supervision, DepartmentTaskActions, TeamQueue):
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
                owner=intake.receiver or UNROUTED,
                team_owned=intake.receiver is None,
                round_started_at=received_at,
            ),
            features,
        )
        case._record(
            EntryKind.RECEIVED,
            SYSTEM,
            f"Received via {intake.channel.value} by {intake.receiver or 'nobody (team queue)'}: "
            f"{intake.subject}"
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
        if DELIVERY_FAILURE in self.features and notification.audience is not Audience.OWNER:
            self._tell_staff(
                Audience.OWNER,
                "delivery_failed",
                f"{notification.topic} to the {notification.audience.value} of "
                f"{notification.complaint_id} was not delivered ({error}): reach them another way",
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
        self._reroute(now)
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
            Audience.OWNER, "customer_message", f"Customer wrote: {excerpt(reply.text)}", now
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
            # Done: it ended a moment before the request came (`ComplaintDesk.reopen` asked
            # again opens a new linked case).
            why = "has ended" if self.state.stage is Stage.DONE else "is still being handled"
            self._refuse(f"the case {why}; the request is kept as a message", now)
            self._tell_staff(
                Audience.OWNER,
                "customer_message",
                f"Customer asks: {excerpt(request.reason)}",
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

    # ---- agents' updates: check_* is the validator, the plain method applies -----------------

    def check_confirm_classification(
        self, confirmation: ClassificationConfirmation, now: datetime
    ) -> None:
        self._require_open()
        if self.state.classification is None:
            raise InvalidAction("the case is not classified yet")

    def confirm_classification(
        self, confirmation: ClassificationConfirmation, now: datetime
    ) -> None:
        s = self.state
        note = f": {confirmation.note}" if confirmation.note else ""
        self._record(
            EntryKind.RECLASSIFIED,
            confirmation.by,
            f"classification confirmed ({value_text(s.severity)}, risk {value_text(s.risk)}){note}",
            now,
        )
        self._meet(DeadlineKind.TRIAGE, now, round=0)

    def check_override_classification(
        self, override: ClassificationOverride, now: datetime
    ) -> None:
        self._require_open()
        current = self.state.classification
        if current is None:
            raise InvalidAction("the case is not classified yet; override it once it is")
        if not self._override_changes(override):
            raise InvalidAction("the override changes nothing")

    def override_classification(self, override: ClassificationOverride, now: datetime) -> None:
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
        return [
            f"{name} {value_text(old)} → {value_text(new)}"
            for name, old, new in pairs
            if new is not None and new != old
        ]

    def check_respond(self, message: AgentMessage, now: datetime) -> None:
        self._require_open()

    def respond(self, message: AgentMessage, now: datetime) -> None:
        self._record(EntryKind.AGENT_MESSAGE, message.agent, message.text, now, public=True)
        self._tell_customer("agent_message", now, text=message.text)
        self._responded(now)
        self._meet(DeadlineKind.TEMPORARY_REMEDY, now, round=self._round)
        self._meet(DeadlineKind.PROGRESS_UPDATE, now, round=self._round)

    def check_add_finding(self, finding: Finding, now: datetime) -> None:
        self._require_open()

    def add_finding(self, finding: Finding, now: datetime) -> None:
        refs = ", ".join(e.ref for e in finding.evidence)
        text = finding.summary + (f" [evidence: {refs}]" if refs else "")
        self._record(EntryKind.FINDING, finding.agent, text, now)
        self._meet(DeadlineKind.FIRST_ASSESSMENT, now, round=self._round)

    def check_propose_plan(self, plan: ResolutionPlan, now: datetime) -> None:
        self._require_move(Move.PROPOSE_PLAN)

    def propose_plan(self, plan: ResolutionPlan, now: datetime) -> None:
        """A plan within the agent's authority goes to the customer; one above it waits for a
        supervisor (R-RS-1). A new plan replaces one still waiting."""
        s = self.state
        limit = s.policy.agent_compensation_limit_yuan if s.policy else None
        money = plan.compensation_yuan
        if APPROVAL in self.features and limit is not None and money and money > limit:
            s.plan_awaiting_approval = plan
            self._record(
                EntryKind.APPROVAL_REQUESTED,
                plan.agent,
                f"{plan.summary} (compensation {money} yuan, above an agent's {limit}): "
                "awaiting a supervisor's approval",
                now,
            )
            self._tell_staff(
                Audience.SUPERVISOR,
                "approval_needed",
                f"Approve {money} yuan for {s.intake.subject}? {plan.summary}",
                now,
                urgent=True,
            )
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
        if PLAN_REMEDY in self.features:  # a plan offered is the remedy the emergency promised
            self._meet(DeadlineKind.TEMPORARY_REMEDY, now, round=self._round)

    def check_record_progress(self, progress: ProgressNote, now: datetime) -> None:
        if progress.completed:
            self._require_move(Move.CARRY_OUT_PLAN)
            blocked = department_tasks.blocking(self.state.tasks)
            if blocked:
                raise InvalidAction(
                    f"{department_tasks.label(blocked[0])} is still open: it must "
                    "be done, or a supervisor must override it, first"
                )
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
        alarms += [Alarm(due, summary) for due, summary, _ in self._steps()]
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
        for due, _, act in self._steps():
            if due <= now:
                act(now)
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

    def _steps(self) -> list[Step]:
        """The alarms kept by the rules in their own modules: the escalation chain, tasks."""
        return self._chain() + self._task_steps()

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
            merged_into=s.merged_into,
            team_owned=s.team_owned,
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

    # ---- internals --------------------------------------------------------------------------

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

    def _pause_clock(self, now: datetime) -> None:
        """The plan is with the customer: the resolve deadline stops until they answer, since
        the time they take to decide is not the company's (the pause is recorded)."""
        d = deadlines.unmet(self.state.deadlines, DeadlineKind.RESOLVE, self._round)
        if CUSTOMER_PAUSE not in self.features or d is None or not d.running:
            return
        deadlines.pause(d, now)
        self._record(
            EntryKind.DEADLINE_PAUSED,
            SYSTEM,
            f"{deadlines.label(d)} paused: waiting on the customer",
            now,
        )

    def _resume_clock(self, now: datetime) -> None:
        for d in self.state.deadlines:
            if d.paused_at is not None and self.state.policy is not None:
                paused = deadlines.resume(d, self.state.policy, now)
                self._record(
                    EntryKind.DEADLINE_RESUMED,
                    SYSTEM,
                    f"{deadlines.label(d)} resumed after {duration_text(paused)} waiting on "
                    f"the customer; due {hm(d.due_at)}",
                    now,
                )

    def _breach(self, deadline: Deadline, now: datetime) -> None:
        deadline.breached_at = now
        name = deadlines.label(deadline)
        self._record(
            EntryKind.DEADLINE_BREACHED, SYSTEM, f"{name} missed (due {hm(deadline.due_at)})", now
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
        self._tell_staff(
            Audience.OWNER,
            "triage",
            f"No rule placed this case: confirm or correct its grade by {hm(d.due_at)}",
            now,
            urgent=True,
        )

    def _set_risk(self, risk: RiskLevel, now: datetime) -> None:
        self.state.risk = risk
        if risk is RiskLevel.HIGH and EMERGENCY in self.features and self.state.stage in HANDLING:
            self._convene_emergency(now)

    def _convene_emergency(self, now: datetime) -> None:
        """R-IV-3: service, PR, legal and tech take the case; first assessment within 1 h,
        a temporary remedy within 2 h, progress at least daily (durations from the policy)."""
        s = self.state
        if any(d.kind.emergency and d.round == self._round for d in s.deadlines):
            return  # already convened for this handling
        self._record(
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
            self._open_emergency(kind, now)
        self._tell_staff(
            Audience.SUPERVISOR,
            "emergency_response",
            f"Emergency response convened: {s.intake.subject}",
            now,
            urgent=True,
        )

    def _open_emergency(self, kind: DeadlineKind, now: datetime) -> None:
        s = self.state
        if s.policy is None or s.stage not in HANDLING:
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
                self._record(
                    EntryKind.DEADLINE_MET,
                    SYSTEM,
                    f"{deadlines.label(d)} closed: result delivered",
                    now,
                )

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


def _most_urgent(a: Severity | None, b: Severity) -> Severity:
    return a if a is not None and a.is_more_urgent_than(b) else b


def _riskiest(a: RiskLevel | None, b: RiskLevel) -> RiskLevel:
    return a if a is not None and RISK_ORDER.index(a) > RISK_ORDER.index(b) else b


def _reason(r: Reason) -> str:
    return f"{r.factor}: {r.detail}" + (f" (+{r.score})" if r.score else "")
