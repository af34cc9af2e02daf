"""The SLA policy: every deadline the workflow enforces comes from here (R-CL-2, R-SLA, R-FU).

The defaults are seed 000's numbers; seed 004's finer variant is `policies/sla-seed-004.json`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.calendar import BusinessCalendar, QuietHours
from schemas.classification import Severity
from schemas.regulatory import RegulatoryRegime, resolve_presets
from schemas.survey import DEFAULT_QUESTIONS, FIXED_SCORES, QuestionKind, SurveyQuestion

PositiveDuration = Annotated[timedelta, Field(gt=timedelta(0))]
REMINDER_DAY = timedelta(days=5)


class DeadlineKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # receipt confirmed to the customer (R-IN-6)
    RESPOND = "respond"  # first real answer: L1 response, L2 initial plan, L3 feedback direction
    RESOLVE = "resolve"  # the agreed result delivered
    # R-IV-3, while a high-risk case is handled by the emergency team:
    FIRST_ASSESSMENT = "first_assessment"  # an agent's first finding
    TEMPORARY_REMEDY = "temporary_remedy"  # an interim measure told to the customer
    PROGRESS_UPDATE = "progress_update"  # every day until the result is delivered
    TRIAGE = "triage"  # a person confirms a grade the rules could not place

    @property
    def per_severity(self) -> bool:
        return self in (DeadlineKind.RESPOND, DeadlineKind.RESOLVE)

    @property
    def emergency(self) -> bool:
        return self in EMERGENCY_KINDS


EMERGENCY_KINDS = frozenset(
    {DeadlineKind.FIRST_ASSESSMENT, DeadlineKind.TEMPORARY_REMEDY, DeadlineKind.PROGRESS_UPDATE}
)


class EmergencyTargets(BaseModel):
    """Seed 001's emergency response for high-risk cases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_assessment: PositiveDuration = timedelta(hours=1)
    temporary_remedy: PositiveDuration = timedelta(hours=2)
    progress_every: PositiveDuration = timedelta(days=1)


class EscalationChain(BaseModel):
    """R-SLA-1: owner → supervisor → management. The owner is warned before a deadline, the
    supervisor told at the breach, management if the deadline is still unmet after a while."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    warn_at: float | None = Field(
        default=0.75, gt=0, lt=1, description="Share of the allowed time; None: no warning"
    )
    management_after: PositiveDuration | None = Field(
        default=timedelta(hours=4), description="After the breach; None: never management"
    )


class SeverityTargets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    respond: PositiveDuration
    resolve: PositiveDuration
    clock: Literal["calendar", "working"] = Field(
        default="calendar",
        description="'working': respond and resolve count in the policy calendar's working time: "
        "whole days (P3D, also PT24H) as working days, the rest as working hours (PT4H)",
    )

    @model_validator(mode="after")
    def _respond_first(self) -> Self:
        if self.respond > self.resolve:
            raise ValueError("respond must not be later than resolve")
        return self


class SlaPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    acknowledge: PositiveDuration = timedelta(minutes=5)
    targets: dict[Severity, SeverityTargets]
    confirmation_wait: PositiveDuration = Field(
        default=timedelta(days=3),
        description="Silence after the result is delivered, after which the case closes unconfirmed",
    )
    follow_up_after: PositiveDuration = Field(
        default=timedelta(days=3),
        description="The survey invitation is due this long after closing (day 3), and goes out "
        "at the first moment from then in the calendar's working hours and outside quiet hours",
    )
    follow_up_reminder_after: PositiveDuration | None = Field(
        default=REMINDER_DAY,
        description="A reminder is due this long after closing (day 5) if no answer came, sent "
        "by the same rule; None: no reminder. Left out, day 5 applies only if it falls within "
        "the window",
    )
    follow_up_until: PositiveDuration = Field(
        default=timedelta(days=7), description="No answer by this long after closing: no-response"
    )
    survey_before_invitation: bool = Field(
        default=False,
        description="The case takes a survey answer from closing on, before the invitation "
        "(e.g. from the progress page); off: an earlier answer is refused and kept as a message",
    )
    survey_questions: tuple[SurveyQuestion, ...] = Field(
        default=DEFAULT_QUESTIONS,
        description="The follow-up survey's questions: seed 000's four, and any a desk adds "
        "(each needs `survey.question.<key>` in every catalogue language)",
    )
    emergency: EmergencyTargets = EmergencyTargets()
    triage: PositiveDuration = Field(
        default=timedelta(hours=1),
        description="From receipt; as short as L1's respond, since an unplaced case may be L1",
    )
    reopen_below_score: int = Field(
        default=3, ge=1, le=5, description="A survey result score below this re-opens the case"
    )
    escalation: EscalationChain = EscalationChain()
    agent_compensation_limit_yuan: Decimal | None = Field(
        default=None, ge=0, description="R-RS-1: above this a supervisor approves; None: no limit"
    )
    agents: frozenset[str] | None = Field(
        default=None, description="Agent ids a case may be assigned to; None: anyone"
    )
    close_on_behalf_after: PositiveDuration | None = Field(
        default=None,
        description="A supervisor may close a delivered case for a silent customer this long "
        "after delivery (before the confirmation wait ends); None: never",
    )
    quiet_hours: QuietHours | None = Field(
        default=None, description="Non-urgent messages wait for their end; L1 always goes through"
    )
    calendar: BusinessCalendar | None = Field(
        default=None, description="Working time for targets whose clock is 'working'"
    )
    regulatory: tuple[RegulatoryRegime, ...] = Field(
        default=(),
        description="Regulators' clocks beside the desk's own, each on the cases its scope "
        "matches: a preset's name (policies/regulatory/), or a regime (docs/regulatory-clocks.md)",
    )

    @field_validator("regulatory", mode="before")
    @classmethod
    def _presets(cls, value: object) -> object:
        return resolve_presets(value)

    @model_validator(mode="after")
    def _complete_and_ordered(self) -> Self:
        missing = [s.value for s in Severity if s not in self.targets]
        if missing:
            raise ValueError(f"targets missing for severity {', '.join(missing)}")
        self._follow_up_in_order()
        self._questions_answerable()
        working = [s.value for s, t in self.targets.items() if t.clock == "working"]
        if working and self.calendar is None:
            raise ValueError(f"targets of {', '.join(working)} count working time: give a calendar")
        regimes = [r.key for r in self.regulatory]
        if len(set(regimes)) != len(regimes):
            raise ValueError("a regulatory regime is listed twice")
        return self

    def _follow_up_in_order(self) -> None:
        """Invitation, then reminder, then the end of the window. A policy that names no
        reminder and whose window does not hold day 5 (one written before reminders, a
        benchmark's window of seconds) has none, so that a case carrying it still reads."""
        reminder = self.follow_up_reminder_after
        fits = reminder is None or self.follow_up_after < reminder < self.follow_up_until
        if not fits and "follow_up_reminder_after" not in self.model_fields_set:
            object.__setattr__(self, "follow_up_reminder_after", None)
        elif not fits:
            raise ValueError(
                "follow_up_reminder_after must be after follow_up_after and before follow_up_until"
            )
        if self.follow_up_after >= self.follow_up_until:
            raise ValueError("follow_up_after must be before follow_up_until")

    def _questions_answerable(self) -> None:
        keys = [q.key for q in self.survey_questions]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValueError(f"survey question asked twice: {', '.join(doubled)}")
        scores = {q.key for q in self.survey_questions if q.kind is QuestionKind.SCORE}
        missing = [k for k in FIXED_SCORES if k not in scores]
        if missing:
            raise ValueError(f"the survey must ask the scores {', '.join(missing)}")

    def working_calendar(self, kind: DeadlineKind, severity: Severity) -> BusinessCalendar | None:
        """The calendar whose working time `kind` counts in at `severity`; None: calendar time."""
        if kind.per_severity and self.targets[severity].clock == "working":
            return self.calendar
        return None

    def allowance(self, kind: DeadlineKind, severity: Severity) -> timedelta:
        """How long the case has for `kind` at `severity`, counted from the deadline's start."""
        if kind is DeadlineKind.ACKNOWLEDGE:
            return self.acknowledge
        if kind is DeadlineKind.FIRST_ASSESSMENT:
            return self.emergency.first_assessment
        if kind is DeadlineKind.TEMPORARY_REMEDY:
            return self.emergency.temporary_remedy
        if kind is DeadlineKind.PROGRESS_UPDATE:
            return self.emergency.progress_every
        if kind is DeadlineKind.TRIAGE:
            return self.triage
        targets = self.targets[severity]
        return targets.respond if kind is DeadlineKind.RESPOND else targets.resolve


DEFAULT_POLICY = SlaPolicy(
    version="seed-000",
    agent_compensation_limit_yuan=Decimal(50),
    close_on_behalf_after=timedelta(days=1),
    quiet_hours=QuietHours(),
    targets={
        Severity.L1: SeverityTargets(respond=timedelta(hours=1), resolve=timedelta(hours=24)),
        Severity.L2: SeverityTargets(respond=timedelta(hours=24), resolve=timedelta(hours=48)),
        Severity.L3: SeverityTargets(respond=timedelta(hours=48), resolve=timedelta(hours=72)),
    },
)
"""Seed 000: L1 respond 1 h, L2 initial plan 24 h, L3 feedback 48 h; resolution from seed 004."""
