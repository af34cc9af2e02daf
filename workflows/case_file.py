"""The case the workflow holds: its record, and what the workflow's loop asks of it (pure).

`ComplaintWorkflow` owns a `CaseFile`, feeds it what happens, sends what lands in `outbox`, and
sleeps until the earliest item of `agenda()`. The rules themselves are plain functions in their
own modules (`intake`, `sla_clock`, `investigation`, `closing`, `supervision`,
`department_tasks`, `team_queue`); the table's actions reach them through `action_rules`.
Everything takes `now` as an argument, so the same rules run under unit tests, property tests
and the workflow alike.
"""

from __future__ import annotations

from datetime import datetime

from schemas.actions import Escalation, MergedCase
from schemas.case import CaseSnapshot, CaseState, EntryKind
from schemas.classification import Classification
from schemas.intake import ComplaintIntake
from schemas.notification import Notification
from schemas.routing import RoutingPolicy
from schemas.sla import SlaPolicy
from schemas.store import CustomerHistory
from schemas.survey import DEFAULT_QUESTIONS
from workflows import (
    closing,
    deadlines,
    department_tasks,
    follow_up,
    intake,
    regulatory_clock,
    supervision,
    team_queue,
)
from workflows.case_record import SYSTEM, Alarm, CaseRecord, Step
from workflows.team_queue import UNROUTED

__all__ = ["Alarm", "CaseFile"]


def received_facts(start: ComplaintIntake) -> dict[str, str]:
    """Who received the complaint (or that a team's queue did), and the case it re-opens."""
    heard = {"channel": start.channel.value, "subject": start.subject}
    if start.linked_to:
        return {**heard, "variant": "reopens", "linked_to": start.linked_to}
    if start.receiver:
        return {**heard, "receiver": start.receiver}
    return {**heard, "variant": "to_team"}


class CaseFile(CaseRecord):
    @classmethod
    def open(cls, start: ComplaintIntake, workflow_id: str, now: datetime) -> CaseFile:
        received_at = start.received_at or now
        case = cls(
            CaseState(
                intake=start,
                workflow_id=workflow_id,
                received_at=received_at,
                owner=start.receiver or UNROUTED,
                team_owned=start.receiver is None,
                round_started_at=received_at,
            )
        )
        case.record(
            EntryKind.RECEIVED,
            SYSTEM,
            f"Received via {start.channel.value} by {start.receiver or 'nobody (team queue)'}: "
            f"{start.subject}"
            + (f" (re-opens {start.linked_to}, which had ended)" if start.linked_to else ""),
            now,
            public=True,
            facts=received_facts(start),
        )
        return case

    # ---- the workflow's own steps ---------------------------------------------------------------

    def adopt_policy(self, policy: SlaPolicy, now: datetime) -> None:
        intake.adopt_policy(self, policy, now)

    def adopt_routing(self, routing: RoutingPolicy, now: datetime) -> None:
        team_queue.adopt_routing(self, routing, now)

    def record_history(self, history: CustomerHistory, now: datetime) -> None:
        intake.record_history(self, history, now)

    def classified(self, result: Classification, now: datetime) -> None:
        intake.classified(self, result, now)

    def delivered(self, notification: Notification, now: datetime) -> None:
        intake.delivered(self, notification, now)

    def undeliverable(self, notification: Notification, error: str, now: datetime) -> None:
        intake.undeliverable(self, notification, error, now)

    def escalate_case(self, escalation: Escalation, now: datetime) -> None:
        """The `escalate` signal (outside the action table): the update's rules, never refused."""
        supervision.escalate_case(self, escalation, now)

    def merged_in(self, merged: MergedCase, now: datetime) -> None:
        supervision.merged_in(self, merged, now)

    def unreadable(self, message: str, reason: str, now: datetime) -> None:
        """A message that could not be read is kept as the fact that it came, and why it could
        not be read; nothing of what it carried (that may be personal, or garbage)."""
        self.record(
            EntryKind.UNREADABLE,
            SYSTEM,
            f"message could not be read: {message} {reason}",
            now,
            facts={"message": message},
        )

    def job_failed(self, job: str, reason: str, now: datetime) -> None:
        self.record(
            EntryKind.JOB_FAILED, SYSTEM, f"{job} failed: {reason}", now, facts={"job": job}
        )

    # ---- timers ---------------------------------------------------------------------------------

    def agenda(self) -> list[Alarm]:
        """Every moment the case must wake up by itself, earliest first."""
        alarms = supervision.deadline_alarms(self)
        alarms += [Alarm(due, summary) for due, summary, _ in self._steps()]
        alarms += closing.alarms(self)
        return sorted(alarms, key=lambda a: a.due_at)

    def fire_due(self, now: datetime) -> None:
        """Act on every alarm that is due at `now`."""
        supervision.fire_deadlines(self, now)
        for due, _, act in self._steps():
            if due <= now:
                act(now)
        closing.fire_due(self, now)

    def _steps(self) -> list[Step]:
        """The alarms the rules keep besides the deadlines': tasks, the owner's message digest,
        the regulators' clocks."""
        return (
            department_tasks.steps(self) + closing.owner_steps(self) + regulatory_clock.steps(self)
        )

    # ---- what queries show ----------------------------------------------------------------------

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
            regulatory_deadlines=list(s.regulatory_deadlines),
            regulatory_buckets=dict(s.regulatory_buckets),
            regulatory_letters={r.key: [x.key for x in r.letters] for r in s.regimes},
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
            survey_reminded_at=s.survey_reminded_at,
            survey_open=follow_up.survey_open(s),
            survey_questions=list(s.policy.survey_questions if s.policy else DEFAULT_QUESTIONS),
            survey=s.survey,
            surveys=list(s.surveys),
            timeline_length=self.next_seq,
            runs=s.runs,
        )
