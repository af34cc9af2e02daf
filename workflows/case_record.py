"""A case's record: its state, its timeline and the messages it queues (pure, no Temporal).

The base that `CaseFile` (the lifecycle) and the rules kept in modules of their own
(`supervision`, `department_tasks`) share: each reads and writes the same state, records on the
same timeline and queues on the same outbox through these methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas.actions import ResolutionPlan
from schemas.case import (
    CaseState,
    ClosedBy,
    Deadline,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
    TimelineEntry,
)
from schemas.classification import RiskLevel, Severity
from schemas.notification import Audience, Notification
from schemas.review import REVIEW_OWNER, REVIEW_WITHIN
from workflows import deadlines
from workflows.customer_messages import customer_text
from workflows.stages import OPEN_STAGES, InvalidMove, Move, next_stage
from workflows.working_time import quiet_until

SYSTEM = "system"
CUSTOMER = "customer"

RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
# Stages in which a case is being handled, before the result is delivered.
HANDLING = frozenset({Stage.RECEIVE, Stage.CLASSIFY, Stage.INVESTIGATE, Stage.RESOLVE, Stage.TRACK})

# Rules added after cases were already running; the workflow enables each through
# `workflow.patched(<feature>)`, so older cases replay without them.
EMERGENCY = "emergency-response"
TRIAGE = "triage"
ESCALATION_CHAIN = "escalation-chain"
APPROVAL = "supervisor-approval"
CUSTOMER_PAUSE = "customer-pause"
REVIEW = "major-event-review"
PLAN_REMEDY = "plan-meets-remedy"
END_WITHDRAWS = "end-withdraws-deadlines"
DELIVERY_FAILURE = "delivery-failure-to-owner"
# A case nobody received waits in a team's queue until an agent takes it (workflows/team_queue.py).
TEAM_ROUTING = "team-routing"
FEATURES = frozenset(
    {EMERGENCY, TRIAGE, ESCALATION_CHAIN, APPROVAL, CUSTOMER_PAUSE, REVIEW, PLAN_REMEDY}
    | {END_WITHDRAWS, DELIVERY_FAILURE, TEAM_ROUTING}
)


class InvalidAction(ValueError):
    """An agent's action that does not apply to the case as it stands; nothing was changed."""


# A moment the case acts by itself: when, the timer's name operators see, and what it does.
Step = tuple[datetime, str, Callable[[datetime], None]]


@dataclass(frozen=True)
class Alarm:
    """A moment at which the case must act by itself, with the name operators see on its timer."""

    due_at: datetime
    summary: str


class CaseRecord:
    def __init__(self, state: CaseState, features: frozenset[str] = FEATURES) -> None:
        self.state = state
        self.features = features  # which of FEATURES this case runs with (see above)

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
            kept = sum(text_bytes(e) for e in s.timeline[drop:])
            while kept > max_bytes and drop < droppable:
                kept -= text_bytes(s.timeline[drop])
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
            size += text_bytes(entry)
            if batch and size > max_bytes:
                break
            batch.append(entry)
        return batch

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

    def _raise_level(self, level: EscalationLevel) -> None:
        """Escalation only goes up: a supervisor's escalation does not undo management's."""
        order = list(EscalationLevel)
        if order.index(level) > order.index(self.state.escalation_level):
            self.state.escalation_level = level

    def _regrade(self, severity: Severity) -> None:
        s = self.state
        s.severity = severity
        if s.policy is not None:
            s.deadlines = [deadlines.retarget(d, s.policy, severity) for d in s.deadlines]

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
        if REVIEW in self.features and s.risk is RiskLevel.HIGH:
            # R-CO-3: a major event is reviewed; the workflow starts the review, which outlives
            # the case (workflows/review.py).
            s.reviews_requested.append(s.reopen_count)
            self._record(
                EntryKind.REVIEW_REQUESTED,
                SYSTEM,
                f"high-risk case closed: major-event review by {REVIEW_OWNER} due "
                f"{hm(now + REVIEW_WITHIN)}",
                now,
            )

    def _finish(self, outcome: Outcome, move: Move, now: datetime) -> None:
        self.state.outcome = outcome
        self._move(move, now)
        self._record(EntryKind.ENDED, SYSTEM, f"Ended: {outcome.value}", now)
        if END_WITHDRAWS in self.features:
            # A merged duplicate must not stay "due in the next hour" in every list.
            for d in self.state.deadlines:
                if d.pending:
                    d.withdrawn_at = now
                    why = f"{deadlines.label(d)} withdrawn: the case ended ({outcome.value})"
                    self._record(EntryKind.DEADLINE_WITHDRAWN, SYSTEM, why, now)

    def unreadable(self, message: str, reason: str, now: datetime) -> None:
        """A message that could not be read is kept as the fact that it came, and why it could
        not be read; nothing of what it carried (that may be personal, or garbage)."""
        self._record(
            EntryKind.UNREADABLE, SYSTEM, f"message could not be read: {message} {reason}", now
        )

    def job_failed(self, job: str, reason: str, now: datetime) -> None:
        self._record(EntryKind.JOB_FAILED, SYSTEM, f"{job} failed: {reason}", now)

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
                # Only an activity argument (encrypted by the codec): no new command, no patch.
                contact=intake.customer.contact if audience is Audience.CUSTOMER else None,
            )
        )

    @staticmethod
    def _deadline_text(d: Deadline) -> str:
        return f"{deadlines.label(d)} due {hm(d.due_at)}"

    # ---- what the lifecycle (CaseFile) provides to the rules kept elsewhere ------------------

    def _set_risk(self, risk: RiskLevel, now: datetime) -> None:
        raise NotImplementedError

    def _offer_plan(self, plan: ResolutionPlan, now: datetime) -> None:
        raise NotImplementedError


def refuse_if(problem: str | None) -> None:
    """A rule's problem (a sentence) becomes a refused action; None lets the action through."""
    if problem:
        raise InvalidAction(problem)


def value_text(x: object) -> str:
    return str(getattr(x, "value", x)) if x is not None else "unset"


def hm(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


def duration_text(span: timedelta) -> str:
    hours, seconds = divmod(int(span.total_seconds()), 3600)
    return f"{hours} h {seconds // 60} min"


def text_bytes(entry: TimelineEntry) -> int:
    return len(entry.summary.encode())


# Staff alerts quote the customer briefly; the whole text is on the case's timeline. This keeps
# the queue of unsent notifications small enough to carry across continue-as-new.
EXCERPT_MAX = 280


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"
