"""A case's record: its state, its timeline and the messages it queues (pure, no Temporal).

Every rule module (`intake`, `sla_clock`, `investigation`, `closing`, `supervision`,
`department_tasks`, `team_queue`) is a set of functions over a `CaseRecord`: each reads and writes
the same state, records on the same timeline and queues on the same outbox through the methods
here, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from schemas.case import (
    OPEN_STAGES,
    CaseState,
    Deadline,
    EntryKind,
    EscalationLevel,
    TimelineEntry,
)
from schemas.classification import RiskLevel, Severity
from schemas.notification import Audience, Notification
from schemas.refusals import InvalidAction, Refusal, RefusalCode
from workflows import deadlines
from workflows.stages import InvalidMove, Move, next_stage
from workflows.working_time import quiet_until

SYSTEM = "system"
CUSTOMER = "customer"

RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]

# A moment the case acts by itself: when, the timer's name operators see, and what it does.
Step = tuple[datetime, str, Callable[[datetime], None]]


@dataclass(frozen=True)
class Alarm:
    """A moment at which the case must act by itself, with the name operators see on its timer."""

    due_at: datetime
    summary: str


class CaseRecord:
    def __init__(self, state: CaseState) -> None:
        self.state = state

    @property
    def outbox(self) -> list[Notification]:
        """What the workflow must still send; part of the state, so a new run sends it."""
        return self.state.outbox

    @property
    def next_seq(self) -> int:
        return self.state.timeline_offset + len(self.state.timeline)

    @property
    def round(self) -> int:
        """The handling round: 0, then one more at every re-open."""
        return self.state.reopen_count

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

    # ---- what every rule may refuse on ------------------------------------------------------

    def require_open(self) -> None:
        if self.state.stage not in OPEN_STAGES:
            refuse(RefusalCode.CASE_ENDED, complaint_id=self.state.intake.complaint_id)

    def require_move(self, move: Move) -> None:
        self.require_open()
        try:
            next_stage(self.state.stage, move)
        except InvalidMove as err:
            raise InvalidAction(err.refusal) from None

    # ---- what every rule may change ---------------------------------------------------------

    def move(self, move: Move, now: datetime, actor: str = SYSTEM) -> None:
        before = self.state.stage
        self.state.stage = next_stage(before, move)
        self.record(
            EntryKind.STAGE_CHANGED,
            actor,
            f"{before.value} → {self.state.stage.value}",
            now,
            public=True,
            facts={"from_stage": before.value, "to_stage": self.state.stage.value},
        )

    def raise_level(self, level: EscalationLevel) -> None:
        """Escalation only goes up: a supervisor's escalation does not undo management's."""
        order = list(EscalationLevel)
        if order.index(level) > order.index(self.state.escalation_level):
            self.state.escalation_level = level

    def regrade(self, severity: Severity) -> None:
        s = self.state
        s.severity = severity
        if s.policy is not None:
            s.deadlines = [deadlines.retarget(d, s.policy, severity) for d in s.deadlines]

    def record(
        self,
        kind: EntryKind,
        actor: str,
        summary: str,
        now: datetime,
        public: bool = False,
        facts: Mapping[str, str] | None = None,
    ) -> TimelineEntry:
        entry = TimelineEntry(
            seq=self.next_seq,
            at=now,
            stage=self.state.stage,
            kind=kind,
            actor=actor,
            summary=summary,
            public=public,
            facts=dict(facts or {}),
        )
        self.state.timeline.append(entry)
        return entry

    def record_refused(
        self,
        summary: str,
        now: datetime,
        why: str | None = None,
        facts: Mapping[str, str] | None = None,
    ) -> None:
        """A signal that could not apply: kept on the timeline, since signals are never lost.
        `why` is the code a reader's words come from (`entry.refused.<why>`), with `facts`."""
        given = {**(facts or {}), "why": why} if why else {}
        self.record(EntryKind.REFUSED, SYSTEM, summary, now, facts=given)

    def record_deadline_set(self, d: Deadline, now: datetime) -> None:
        self.record(
            EntryKind.DEADLINE_SET,
            SYSTEM,
            f"{deadlines.label(d)} due {hm(d.due_at)}",
            now,
            facts={"deadline": d.kind.value, "due_at": d.due_at.isoformat()},
        )

    # ---- what every rule may say --------------------------------------------------------------

    def tell_customer(self, topic: str, now: datetime, **facts: str) -> None:
        """The customer hears of `topic`: the letter, SMS or push is worded at delivery from the
        facts (moments as ISO `*_at`, money as `*_yuan`, their own words as they are), in their
        language; `text` stays a summary for operators."""
        name = self.state.intake.customer.name
        told = {**facts, **({"customer": name} if name else {})}
        text = f"Customer told: {topic.replace('_', ' ')}"
        # The receipt is answered at once, day or night (R-IN-6); the rest respects quiet hours.
        self.notify(
            Audience.CUSTOMER, None, topic, text, now, urgent=topic == "acknowledged", facts=told
        )

    def tell_staff(
        self,
        audience: Audience,
        topic: str,
        text: str,
        now: datetime,
        urgent: bool = False,
        facts: Mapping[str, str] | None = None,
    ) -> None:
        recipient = self.state.owner if audience is Audience.OWNER else None
        self.notify(audience, recipient, topic, text, now, urgent=urgent, facts=facts)

    def notify(
        self,
        audience: Audience,
        recipient: str | None,
        topic: str,
        text: str,
        now: datetime,
        urgent: bool = False,
        facts: Mapping[str, str] | None = None,
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
                facts=dict(facts or {}),
                urgent=urgent,
                channel=intake.channel if audience is Audience.CUSTOMER else None,
                language=intake.language,
                not_before=quiet_until(now, quiet) if quiet and not urgent else None,
                # Only an activity argument (encrypted by the codec): no new command, no patch.
                contact=intake.customer.contact if audience is Audience.CUSTOMER else None,
            )
        )


def refuse(code: RefusalCode, **params: str | int) -> NoReturn:
    """Refuse the action: nothing was changed, and the caller reads why in their language."""
    raise InvalidAction(Refusal(code, params))


def value_text(x: object) -> str:
    return str(getattr(x, "value", x)) if x is not None else "unset"


def hm(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


def duration_text(span: timedelta) -> str:
    hours, seconds = divmod(int(span.total_seconds()), 3600)
    return f"{hours} h {seconds // 60} min"


def text_bytes(entry: TimelineEntry) -> int:
    """An entry's text: its summary, and its facts (a message's words are in both)."""
    facts = sum(len(name) + len(value.encode()) for name, value in entry.facts.items())
    return len(entry.summary.encode()) + facts


def change_facts(changes: Iterable[tuple[str, object, object]]) -> dict[str, str]:
    """What a person changed, as facts (`old_<name>`, `new_<name>`; catalogue/entries.py shows
    them as `{changes}`): one pair for each `(name, before, after)` whose after is new."""
    facts: dict[str, str] = {}
    for name, old, new in changes:
        if new is not None and new != old:
            facts[f"old_{name}"] = _fact(old)
            facts[f"new_{name}"] = _fact(new)
    return facts


def refusal_facts(refusal: Refusal) -> dict[str, str]:
    """A refusal as facts: its code (`refusal`) and its parameters, shown in its own words."""
    return {"refusal": refusal.code.value, **{k: str(v) for k, v in refusal.params.items()}}


def _fact(x: object) -> str:
    return str(getattr(x, "value", x)) if x is not None else "-"


# Staff alerts quote the customer briefly; the whole text is on the case's timeline. This keeps
# the queue of unsent notifications small enough to carry across continue-as-new.
EXCERPT_MAX = 280


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"
