"""The SLA back-test's replay: a case's recorded events run again under another policy (pure).

A recorded timeline holds two sorts of entries: what happened to the case (received, graded,
answered, a plan offered, the customer's reply, the result, re-opened, ended) and what its
deadlines did in consequence (set, met, missed, warned, escalated). The replay feeds the first
sort, in order and at their recorded moments, to the very rule functions the workflow calls at
those moments (`sla_clock`, `deadlines` through them, `supervision.deadline_alarms` and
`fire_deadlines` for the timer), and lets the second sort come out again under the proposed
policy. Nothing here computes a due time, a breach or a warning itself, so the back-test cannot
drift from the workflow; any deadline those functions open (a regulator's clock, say) shows up
in `ReplayedCase.deadlines` without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from schemas.case import CaseState, Deadline, EntryKind, Stage, TimelineEntry
from schemas.classification import Severity
from schemas.intake import Channel, ComplaintIntake, Customer
from schemas.sla import DeadlineKind, SlaPolicy
from workflows import sla_clock, supervision
from workflows.case_record import SYSTEM, CaseRecord

# What an agent's message and a plan offered meet (investigation.respond and .offer_plan).
_ANSWERS = (DeadlineKind.RESPOND, DeadlineKind.TEMPORARY_REMEDY, DeadlineKind.PROGRESS_UPDATE)
_PLAN_ANSWERS = (DeadlineKind.RESPOND, DeadlineKind.TEMPORARY_REMEDY)
# Entries the replay keeps on its own record, because a rule reads them back
# (`sla_clock._responded_this_round`).
_KEPT = frozenset({EntryKind.AGENT_MESSAGE, EntryKind.PLAN_PROPOSED, EntryKind.REOPENED})
# What happened to a case, as opposed to what its deadlines did in consequence: the entries the
# replay acts on (`_happened`); the rest come out of the replay again.
REPLAYED = frozenset(
    {
        EntryKind.STAGE_CHANGED,
        EntryKind.DEADLINE_SET,
        EntryKind.ACKNOWLEDGED,
        EntryKind.CLASSIFIED,
        EntryKind.RECLASSIFIED,
        EntryKind.ESCALATED,
        EntryKind.EMERGENCY,
        EntryKind.AGENT_MESSAGE,
        EntryKind.FINDING,
        EntryKind.PLAN_PROPOSED,
        EntryKind.PROGRESS,
        EntryKind.CUSTOMER_MESSAGE,
        EntryKind.REOPENED,
        EntryKind.ENDED,
    }
)
# Who held a case when (`reports.backtest.peak_load`) and the team whose queue it was in.
HOLDING = frozenset({EntryKind.RECEIVED, EntryKind.ROUTED, EntryKind.TAKEN, EntryKind.REASSIGNED})
# The person and words of a case never matter to its clock: the replay's intake says nothing.
_NOBODY = ComplaintIntake(
    complaint_id="backtest",
    customer=Customer(anonymous=True),
    channel=Channel.APP_FORM,
    subject="-",
    description="-",
)


NO_TEAM = "-"
"""The team of a case an agent received in person (no team queue held it)."""


@dataclass(frozen=True)
class RecordedCase:
    """One case as the store (or its workflow's history) recorded it."""

    complaint_id: str
    received_at: datetime
    severity: Severity | None
    team: str
    entries: Sequence[TimelineEntry]  # in timeline order, with their facts
    deadlines: Sequence[Deadline]  # what its deadlines actually did (the case's own policy)


@dataclass(frozen=True)
class ReplayedCase:
    complaint_id: str
    deadlines: list[Deadline]


def replay(case: RecordedCase, policy: SlaPolicy, as_of: datetime) -> ReplayedCase:
    """`case`'s deadlines had it run under `policy`, its clock stopped at `as_of` (now, for a
    case still open: what would have fallen due by now)."""
    record = CaseRecord(
        CaseState(
            intake=_NOBODY.model_copy(update={"complaint_id": case.complaint_id}),
            workflow_id=f"backtest-{case.complaint_id}",
            received_at=case.received_at,
            owner=SYSTEM,
            round_started_at=case.received_at,
        )
    )
    for entry in case.entries:
        if entry.kind not in REPLAYED:
            continue
        _clock_until(record, entry.at, inclusive=False)
        _happened(record, entry, policy)
    _clock_until(record, as_of, inclusive=True)
    return ReplayedCase(case.complaint_id, record.state.deadlines)


def _clock_until(record: CaseRecord, moment: datetime, inclusive: bool) -> None:
    """Fire the case's own alarms, one due time at a time, stamped with it, as the workflow's
    timer does. Before an event, only those due strictly earlier: an answer at the very instant
    its deadline falls due meets it, as in the workflow, whose activation runs updates and
    signals before a timer that fired at the same moment."""
    while (due := supervision.next_deadline_moment(record)) is not None and (
        due < moment or (due == moment and inclusive)
    ):
        supervision.fire_deadlines(record, due)


def _happened(record: CaseRecord, entry: TimelineEntry, policy: SlaPolicy) -> None:
    """What the workflow's rules did to the deadlines when `entry` happened."""
    s, at, facts, kind = record.state, entry.at, entry.facts, entry.kind
    if kind in _KEPT:
        record.record(kind, entry.actor, "", at, facts=facts)
    if kind is EntryKind.STAGE_CHANGED:
        s.stage = Stage(facts["to_stage"])
    elif kind is EntryKind.DEADLINE_SET and s.policy is None:
        s.policy = policy  # the first deadline set is the policy adopted (intake.adopt_policy)
        sla_clock.open_acknowledgement(record, at)
    elif kind is EntryKind.DEADLINE_SET and facts.get("deadline") == DeadlineKind.TRIAGE:
        sla_clock.open_triage(record, policy, at)  # no rule placed it: policy-independent
    elif kind is EntryKind.ACKNOWLEDGED:
        sla_clock.meet(record, DeadlineKind.ACKNOWLEDGE, at, round=0)
    elif kind is EntryKind.CLASSIFIED:
        s.severity = Severity(facts["severity"])
        sla_clock.open_round_deadlines(record, at)
    elif kind in (EntryKind.RECLASSIFIED, EntryKind.ESCALATED) and "new_severity" in facts:
        record.regrade(Severity(facts["new_severity"]))
    if kind is EntryKind.RECLASSIFIED:
        sla_clock.meet(record, DeadlineKind.TRIAGE, at, round=0)
    elif kind is EntryKind.EMERGENCY:
        sla_clock.convene_emergency(record, at)
    elif kind is EntryKind.AGENT_MESSAGE:
        for answered in _ANSWERS:
            sla_clock.meet(record, answered, at)
    elif kind is EntryKind.FINDING and entry.actor != SYSTEM:
        sla_clock.meet(record, DeadlineKind.FIRST_ASSESSMENT, at)
    elif kind is EntryKind.PLAN_PROPOSED:
        sla_clock.pause(record, at)
        for answered in _PLAN_ANSWERS:
            sla_clock.meet(record, answered, at)
    elif kind is EntryKind.PROGRESS and facts.get("variant") == "result":
        s.result_delivered_at = at
        sla_clock.meet(record, DeadlineKind.RESOLVE, at)
        sla_clock.stand_down(record, at)
    elif kind is EntryKind.PROGRESS:
        sla_clock.meet(record, DeadlineKind.PROGRESS_UPDATE, at)
    elif kind is EntryKind.CUSTOMER_MESSAGE and facts.get("variant") != "reopen_request":
        sla_clock.resume(record, at)  # a reply (closing.customer_reply), not a re-open request
    elif kind is EntryKind.REOPENED:
        s.reopen_count += 1
        s.round_started_at = at
        sla_clock.open_round_deadlines(record, at)
    elif kind is EntryKind.ENDED:
        sla_clock.withdraw_pending(record, facts.get("outcome", "-"), at)


def team_of(facts_of_entries: Iterable[tuple[EntryKind, dict[str, str]]]) -> str:
    """The last team queue that held the case (routing, or the team an agent took it from)."""
    team = NO_TEAM
    for kind, facts in facts_of_entries:
        if kind in (EntryKind.ROUTED, EntryKind.TAKEN) and "team" in facts:
            team = facts["team"]
    return team
