"""The SLA back-test's report: every case of a period replayed under a proposed policy, beside
what its deadlines actually did (pure; the replay is `workflows.backtest`).

The "actual" side is each case's recorded deadlines (the policy it ran under, changes of policy
included); the "proposed" side is the replay's. Both are read by the same functions here, so a
difference is the policy's and nothing else's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from reports.periods import ZONE
from schemas.case import HANDLING, Deadline, EntryKind, Stage
from schemas.sla import SlaPolicy
from workflows.backtest import NO_TEAM, RecordedCase, replay


class Verdict(StrEnum):
    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"  # not yet due when the back-test ran
    NOT_OWED = "not_owed"  # the case ended before it fell due


def verdict(deadline: Deadline) -> Verdict:
    if deadline.breached_at is not None:
        return Verdict.BREACHED
    if deadline.met_at is not None:
        return Verdict.MET
    return Verdict.NOT_OWED if deadline.withdrawn_at is not None else Verdict.RUNNING


class Figures(BaseModel):
    """What a set of deadlines did: met and missed, owners warned, management told (the
    supervisor is told at every breach, so `breached` counts those escalations too)."""

    met: int = 0
    breached: int = 0
    warnings: int = 0
    management: int = 0

    def add(self, deadlines: Iterable[Deadline]) -> None:
        for d in deadlines:
            v = verdict(d)
            self.met += v is Verdict.MET
            self.breached += v is Verdict.BREACHED
            self.warnings += d.warned_at is not None
            self.management += d.management_at is not None


class Group(BaseModel):
    severity: str
    team: str
    cases: int = 0
    actual: Figures = Field(default_factory=Figures)
    proposed: Figures = Field(default_factory=Figures)


class Change(BaseModel):
    """A deadline whose outcome the proposed policy changes."""

    complaint_id: str
    deadline: str
    round: int
    due_at: datetime  # as it was
    proposed_due_at: datetime
    was: Verdict
    becomes: Verdict


class AgentLoad(BaseModel):
    agent: str
    open_cases: int


class PeakLoad(BaseModel):
    """Cases in hand per agent (being handled: received, not yet resolved) at the moment the
    agents had the most cases of the period in hand."""

    at: datetime | None = None
    agents: list[AgentLoad] = Field(default_factory=list)


class BacktestReport(BaseModel):
    policy: str
    calendar: str | None
    period_from: date
    period_to: date
    as_of: datetime
    cases: int
    without_timeline: list[str] = Field(
        default_factory=list, description="Cases whose recorded events could not be replayed"
    )
    actual: Figures = Field(default_factory=Figures)
    proposed: Figures = Field(default_factory=Figures)
    groups: list[Group] = Field(default_factory=list)
    breaches_by_hour: dict[str, list[int]] = Field(
        default_factory=dict, description="'actual', 'proposed': 24 counts, by local hour"
    )
    peak_load: PeakLoad = Field(default_factory=PeakLoad)
    changes: list[Change] = Field(default_factory=list)


def backtest(
    cases: Sequence[RecordedCase],
    policy: SlaPolicy,
    period: tuple[date, date],
    as_of: datetime,
    without_timeline: Sequence[str] = (),
) -> BacktestReport:
    """Replay every case under `policy` and set the result beside what happened."""
    report = BacktestReport(
        policy=policy.version,
        calendar=policy.calendar.name if policy.calendar else None,
        period_from=period[0],
        period_to=period[1],
        as_of=as_of,
        cases=len(cases),
        without_timeline=list(without_timeline),
    )
    groups: dict[tuple[str, str], Group] = {}
    hours = {"actual": [0] * 24, "proposed": [0] * 24}
    for case in cases:
        proposed = replay(case, policy, as_of).deadlines
        severity = case.severity.value if case.severity else NO_TEAM
        group = groups.setdefault((severity, case.team), Group(severity=severity, team=case.team))
        group.cases += 1
        for side, deadlines in (("actual", case.deadlines), ("proposed", proposed)):
            getattr(group, side).add(deadlines)
            getattr(report, side).add(deadlines)
            for d in deadlines:
                if d.breached_at is not None:
                    hours[side][d.breached_at.astimezone(ZONE).hour] += 1
        report.changes += _changes(case.complaint_id, case.deadlines, proposed)
    report.groups = sorted(groups.values(), key=lambda g: (g.severity, g.team))
    report.breaches_by_hour = hours
    report.peak_load = peak_load(cases, as_of)
    return report


def _changes(
    complaint_id: str, was: Sequence[Deadline], becomes: Sequence[Deadline]
) -> list[Change]:
    """Deadlines met under one policy and missed under the other, matched by kind, round and
    their order among the same kind in the round (the daily progress updates)."""
    proposed = _keyed(becomes)
    changed: list[Change] = []
    for key, before in _keyed(was).items():
        after = proposed.get(key)
        if after is None:
            continue
        v1, v2 = verdict(before), verdict(after)
        if {v1, v2} == {Verdict.MET, Verdict.BREACHED}:
            changed.append(
                Change(
                    complaint_id=complaint_id,
                    deadline=before.kind.value,
                    round=before.round,
                    due_at=before.due_at,
                    proposed_due_at=after.due_at,
                    was=v1,
                    becomes=v2,
                )
            )
    return changed


def _keyed(deadlines: Sequence[Deadline]) -> dict[tuple[str, int, int], Deadline]:
    seen: Counter[tuple[str, int]] = Counter()
    keyed = {}
    for d in deadlines:
        n = seen[(d.kind.value, d.round)]
        seen[(d.kind.value, d.round)] += 1
        keyed[(d.kind.value, d.round, n)] = d
    return keyed


def _held(case: RecordedCase, as_of: datetime) -> list[tuple[datetime, datetime, str]]:
    """Who had the case in hand from when to when: (from, until, agent), while it was being
    handled (before its result was delivered, again after a re-open); a team holds no agent."""
    spans: list[tuple[datetime, datetime, str]] = []
    holder: str | None = None
    handling, since = True, case.received_at
    for e in case.entries:
        now_holder, now_handling = holder, handling
        if e.kind is EntryKind.RECEIVED:
            now_holder = e.facts.get("receiver")
        elif e.kind is EntryKind.ROUTED:
            now_holder = None
        elif e.kind is EntryKind.TAKEN:
            now_holder = e.facts.get("by", e.actor)
        elif e.kind is EntryKind.REASSIGNED:
            now_holder = e.facts.get("to_owner", holder)
        elif e.kind is EntryKind.ESCALATED and "new_owner" in e.facts:
            now_holder = e.facts["new_owner"]
        elif e.kind is EntryKind.STAGE_CHANGED:
            now_handling = Stage(e.facts["to_stage"]) in HANDLING
        if (now_holder, now_handling) != (holder, handling):
            if holder and handling:
                spans.append((since, e.at, holder))
            holder, handling, since = now_holder, now_handling, e.at
    if holder and handling and since < as_of:
        spans.append((since, as_of, holder))
    return spans


def peak_load(cases: Sequence[RecordedCase], as_of: datetime) -> PeakLoad:
    """The moment agents had the most cases of the period in hand, and who had how many."""
    changes: list[tuple[datetime, int, str]] = []
    for case in cases:
        for start, end, agent in _held(case, as_of):
            changes += [(start, 1, agent), (end, -1, agent)]
    changes.sort(key=lambda c: (c[0], c[1]))  # a case handed over leaves before it arrives
    held: defaultdict[str, int] = defaultdict(int)
    total, best, best_at, best_held = 0, 0, None, {}
    for at, step, agent in changes:
        held[agent] += step
        total += step
        if total > best:
            best, best_at, best_held = total, at, {a: n for a, n in held.items() if n}
    ranked = sorted(best_held.items(), key=lambda item: (-item[1], item[0]))
    return PeakLoad(at=best_at, agents=[AgentLoad(agent=a, open_cases=n) for a, n in ranked])
