"""Regulators' clocks as a case lives them (issue 28): opened at receipt for every regime the
case is under, met by the letters the regime requires (or by a quick resolution where the rule
says so), extended by a holding reply, warned and missed like the desk's own, and the result's
reporting bucket recorded (pure; the arithmetic is in `regulatory`).

A regulator's clock counts from receipt and is never paused by the desk's pauses: the time a
customer takes to decide on a plan is still the regulator's time.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from schemas.case import EntryKind, EscalationLevel
from schemas.notification import Audience
from schemas.refusals import RefusalCode
from schemas.regulatory import (
    AUTOMATIC_ACKNOWLEDGEMENT,
    LETTER_TOPIC,
    MET_BY_RESOLUTION,
    RegulatoryDeadline,
    RegulatoryLetter,
    RegulatoryRegime,
)
from workflows import regulatory
from workflows.case_record import SYSTEM, CaseRecord, Step, hm, refuse


def _facts(d: RegulatoryDeadline) -> dict[str, str]:
    return {"regime": d.regime, "regulatory_clock": d.clock, "due_at": d.due_at.isoformat()}


def _label(d: RegulatoryDeadline) -> str:
    return f"{d.regime} {d.clock.replace('_', ' ')}"


def open_clocks(case: CaseRecord, now: datetime) -> None:
    """At receipt: every regime of the policy whose scope matches the case starts its clocks,
    counted from the moment the complaint was received; the regime is kept on the case, so a
    later policy change never rewrites what the regulator asked of it."""
    s = case.state
    if s.policy is None:
        return
    for regime in regulatory.regimes_for(s.policy.regulatory, s.intake):
        s.regimes.append(regime)
        for clock in regime.clocks:
            d = regulatory.open_clock(regime, clock, s.intake, s.received_at)
            s.regulatory_deadlines.append(d)
            case.record(
                EntryKind.REGULATORY_DEADLINE_SET,
                SYSTEM,
                f"{_label(d)} due {hm(d.due_at)} ({regime.name})",
                now,
                facts=_facts(d),
            )


def regime(case: CaseRecord, key: str) -> RegulatoryRegime | None:
    return next((r for r in case.state.regimes if r.key == key), None)


def check_send_letter(case: CaseRecord, request: RegulatoryLetter, now: datetime) -> None:
    """A letter of a regime the case is under, with every field its template needs, sent while
    it still counts (a summary resolution only within its days; an extension only while the
    clock it extends runs)."""
    case.require_open()
    found = regime(case, request.regime)
    if found is None:
        refuse(RefusalCode.REGIME_NOT_APPLICABLE, regime=request.regime)
    letter = found.letter(request.letter)
    if letter is None:
        refuse(RefusalCode.REGULATORY_LETTER_UNKNOWN, regime=found.key, letter=request.letter)
    missing = [f for f in letter.fields if not request.fields.get(f, "").strip()]
    if missing:
        refuse(RefusalCode.REGULATORY_LETTER_INCOMPLETE, letter=letter.key, field=missing[0])
    unknown = sorted(set(request.fields) - set(letter.fields))
    if unknown:
        refuse(RefusalCode.REGULATORY_LETTER_INCOMPLETE, letter=letter.key, field=unknown[0])
    received = case.state.received_at
    if letter.only_within and not regulatory.within(
        received, now, letter.only_within, found.calendar
    ):
        last = regulatory.due_at(received, letter.only_within, found.calendar)
        refuse(RefusalCode.REGULATORY_LETTER_TOO_LATE, letter=letter.key, due_at=last.isoformat())
    if _extends_only(found, letter.key) and not any(
        regulatory.extension(found, d, letter.key) for d in _clocks_of(case, found.key)
    ):
        refuse(RefusalCode.REGULATORY_EXTENSION_UNAVAILABLE, letter=letter.key)


def send_letter(case: CaseRecord, request: RegulatoryLetter, now: datetime) -> None:
    """Recorded on the case, sent through the customer's letter path in their language, and
    meeting (or extending) the regime's clocks it answers."""
    found = regime(case, request.regime)
    assert found is not None
    letter = found.letter(request.letter)
    assert letter is not None
    words = request.fields.get("decision") or request.fields.get("reason")
    case.record(
        EntryKind.REGULATORY_LETTER_SENT,
        request.agent,
        f"{found.key} {letter.key.replace('_', ' ')} sent",
        now,
        public=True,
        facts={
            "regime": found.key,
            "regulatory_letter": letter.key,
            **({"note": words} if words else {}),
            **(
                {"variant": "declared"}
                if letter.declaration
                else {"variant": "approved", "approved_by": request.fields["approved_by"]}
                if "approved_by" in request.fields
                else {}
            ),
        },
    )
    _answer(case, found, letter.key, now)
    case.tell_customer(
        LETTER_TOPIC,
        now,
        regime=found.key,
        regulatory_letter=letter.key,
        **request.fields,
        **({"declaration": letter.declaration} if letter.declaration else {}),
        **_letter_dates(case, found),
    )


def acknowledged(case: CaseRecord, now: datetime) -> None:
    """The desk's automatic acknowledgement reached the customer: it is every regime's written
    acknowledgement."""
    for each in case.state.regimes:
        if each.letter(AUTOMATIC_ACKNOWLEDGEMENT) is not None or any(
            AUTOMATIC_ACKNOWLEDGEMENT in c.met_by for c in each.clocks
        ):
            case.record(
                EntryKind.REGULATORY_LETTER_SENT,
                SYSTEM,
                f"{each.key} acknowledgement sent (the desk's own)",
                now,
                facts={"regime": each.key, "regulatory_letter": AUTOMATIC_ACKNOWLEDGEMENT},
            )
            _answer(case, each, AUTOMATIC_ACKNOWLEDGEMENT, now)


def _answer(case: CaseRecord, found: RegulatoryRegime, letter: str, now: datetime) -> None:
    for d in _clocks_of(case, found.key):
        step = regulatory.extension(found, d, letter)
        clock = found.clock(d.clock)
        if step is not None:
            d.extended, d.due_at = step
            d.warned_at = None  # the owner hears again before the new end
            case.record(
                EntryKind.REGULATORY_DEADLINE_EXTENDED,
                SYSTEM,
                f"{_label(d)} extended by the {letter.replace('_', ' ')}: due {hm(d.due_at)}",
                now,
                facts={**_facts(d), "regulatory_letter": letter},
            )
        elif clock is not None and letter in clock.met_by:
            _meet(case, d, letter, now)


def resolved(case: CaseRecord, now: datetime) -> None:
    """The first result is delivered: a clock the rule lets a quick resolution meet is met
    (recorded, no letter), and each regime's reporting bucket is recorded once."""
    s = case.state
    if case.round != 0:
        return
    for each in s.regimes:
        for d in _clocks_of(case, each.key):
            clock = each.clock(d.clock)
            quick = clock.resolved_within if clock else None
            if quick and regulatory.within(s.received_at, now, quick, each.calendar):
                _meet(case, d, MET_BY_RESOLUTION, now)
        found = regulatory.bucket(each, s.received_at, now)
        if found is not None and each.key not in s.regulatory_buckets:
            s.regulatory_buckets[each.key] = found
            case.record(
                EntryKind.REGULATORY_REPORTED,
                SYSTEM,
                f"{each.key}: resolved {found.replace('_', ' ')}",
                now,
                facts={"regime": each.key, "regulatory_bucket": found},
            )


def _meet(case: CaseRecord, d: RegulatoryDeadline, by: str, now: datetime) -> None:
    if d.met_at is not None or d.withdrawn_at is not None:
        return
    if d.breached_at is None and now > d.due_at:
        breach(case, d, now)  # the loop was busy when it fell due; the miss still counts
    d.met_at, d.met_by = now, by
    late = {"variant": "late"} if d.breached_at else {}
    case.record(
        EntryKind.REGULATORY_DEADLINE_MET,
        SYSTEM,
        f"{_label(d)} met by {by.replace('_', ' ')}" + (" (late)" if late else ""),
        now,
        facts={
            "regime": d.regime,
            "regulatory_clock": d.clock,
            "met_by_regulatory_letter": by,
            **late,
        },
    )


def breach(case: CaseRecord, d: RegulatoryDeadline, now: datetime) -> None:
    """A regulator's deadline missed: the owner and the supervisor hear at once."""
    d.breached_at = now
    case.record(
        EntryKind.REGULATORY_DEADLINE_BREACHED,
        SYSTEM,
        f"{_label(d)} missed (due {hm(d.due_at)})",
        now,
        facts=_facts(d),
    )
    case.raise_level(EscalationLevel.SUPERVISOR)
    told = {**_facts(d), "subject": case.state.intake.subject}
    text = f"{_label(d)} missed on {case.state.intake.subject}"
    for audience in (Audience.OWNER, Audience.SUPERVISOR):
        case.tell_staff(audience, "regulatory_breached", text, now, urgent=True, facts=told)


def warn(case: CaseRecord, d: RegulatoryDeadline, now: datetime) -> None:
    d.warned_at = now
    case.record(
        EntryKind.REGULATORY_DEADLINE_WARNING,
        SYSTEM,
        f"{_label(d)} near (due {hm(d.due_at)}): owner warned",
        now,
        facts=_facts(d),
    )
    told = {**_facts(d), "subject": case.state.intake.subject}
    text = f"{_label(d)} due {hm(d.due_at)} on {case.state.intake.subject}"
    case.tell_staff(Audience.OWNER, "regulatory_warning", text, now, facts=told)


def steps(case: CaseRecord) -> list[Step]:
    """The moments a regulator's clock acts: the owner's warning, then the breach."""
    found: list[Step] = []
    share = case.state.policy.escalation.warn_at if case.state.policy else None
    for d in case.state.regulatory_deadlines:
        if not d.pending:
            continue
        warning = regulatory.warning_at(d, share)
        if warning is not None:
            found.append((warning, f"{_label(d)} warning", partial(_warn_once, case, d)))
        found.append((d.due_at, _label(d), partial(_breach_once, case, d)))
    return found


def _warn_once(case: CaseRecord, d: RegulatoryDeadline, now: datetime) -> None:
    if d.pending and d.warned_at is None:
        warn(case, d, now)


def _breach_once(case: CaseRecord, d: RegulatoryDeadline, now: datetime) -> None:
    if d.pending:
        breach(case, d, now)


def withdraw_pending(case: CaseRecord, outcome: str, now: datetime) -> None:
    """The case ended with a regulator's clock still running (merged into another case, or
    closed without the letter): recorded as withdrawn, so the lists do not show it due."""
    for d in case.state.regulatory_deadlines:
        if d.pending:
            d.withdrawn_at = now
            case.record(
                EntryKind.REGULATORY_DEADLINE_WITHDRAWN,
                SYSTEM,
                f"{_label(d)} withdrawn: the case ended ({outcome})",
                now,
                facts={"regime": d.regime, "regulatory_clock": d.clock, "outcome": outcome},
            )


def _clocks_of(case: CaseRecord, regime_key: str) -> list[RegulatoryDeadline]:
    return [d for d in case.state.regulatory_deadlines if d.regime == regime_key]


def _extends_only(found: RegulatoryRegime, letter: str) -> bool:
    """A letter whose only purpose is to extend a clock (a holding reply)."""
    extends = any(e.letter == letter for c in found.clocks for e in c.extensions)
    meets = any(letter in c.met_by for c in found.clocks)
    return extends and not meets


def _letter_dates(case: CaseRecord, found: RegulatoryRegime) -> dict[str, str]:
    """The day of receipt and each clock's last day, as the regulator's days (dates in its
    zone, `received_on`, `<clock>_due_on`): a letter promises a day, whatever the reader's zone."""
    zone = found.calendar.zone
    dates = {"received_on": case.state.received_at.astimezone(zone).date().isoformat()}
    for d in _clocks_of(case, found.key):
        dates[f"{d.clock}_due_on"] = d.due_at.astimezone(zone).date().isoformat()
    return dates
