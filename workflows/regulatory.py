"""Regulators' day arithmetic: when each regulatory clock falls due, which regimes a case is
under, and which reporting bucket a resolution lands in (pure, deterministic).

A regulator counts days after the day of receipt, in its own calendar, and a deadline ends at
the close of its last day ("by the close of the third business day following the day of
receipt"): so a complaint received on Saturday at 23:00 and one received on Friday at 09:00
are both counted from the day they came. Every result is returned in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from schemas.calendar import BusinessCalendar
from schemas.intake import ComplaintIntake
from schemas.regulatory import (
    DayCount,
    Period,
    RegulatoryClock,
    RegulatoryDeadline,
    RegulatoryRegime,
)

# The last moment of a day: a deadline "by the close of" a day is met by anything on that day.
_CLOSE = time(23, 59, 59)
# A calendar with no counted day in this long is wrong (as in working_time).
_SEARCH_DAYS = 3 * 366


def counted_day(start: date, days: int, count: DayCount, calendar: BusinessCalendar) -> date:
    """The `days`-th counted day after `start` (the day of receipt, which is not counted)."""
    if count is DayCount.CALENDAR_DAYS:
        return start + timedelta(days=days)
    day, found = start, 0
    for _ in range(days + _SEARCH_DAYS):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            found += 1
            if found == days:
                return day
    raise ValueError(f"calendar '{calendar.name}' has no {count.value} within {_SEARCH_DAYS} days")


def due_at(received_at: datetime, period: Period, calendar: BusinessCalendar) -> datetime:
    """The close of the period's last day, in the regulator's zone."""
    zone = calendar.zone
    last = counted_day(received_at.astimezone(zone).date(), period.days, period.count, calendar)
    return datetime.combine(last, _CLOSE, tzinfo=zone).astimezone(UTC)


def within(
    received_at: datetime, moment: datetime, period: Period, calendar: BusinessCalendar
) -> bool:
    return moment <= due_at(received_at, period, calendar)


def applies(regime: RegulatoryRegime, intake: ComplaintIntake) -> bool:
    return regime.scope.matches(intake.jurisdiction, intake.product_line, intake.channel)


def regimes_for(
    regimes: Iterable[RegulatoryRegime], intake: ComplaintIntake
) -> list[RegulatoryRegime]:
    """Every regime whose scope matches the case (several may: PSD2 and a national rule)."""
    return [r for r in regimes if applies(r, intake)]


def open_clock(
    regime: RegulatoryRegime, clock: RegulatoryClock, intake: ComplaintIntake, received_at: datetime
) -> RegulatoryDeadline:
    period = clock.period(intake.product_line)
    return RegulatoryDeadline(
        regime=regime.key,
        clock=clock.key,
        started_at=received_at,
        due_at=due_at(received_at, period, regime.calendar),
    )


def extension(
    regime: RegulatoryRegime, deadline: RegulatoryDeadline, letter: str
) -> tuple[int, datetime] | None:
    """What sending `letter` does to a pending clock: its next extension (number, new end),
    or None when the letter is not that clock's next step."""
    clock = regime.clock(deadline.clock)
    if clock is None or not deadline.pending or deadline.extended >= len(clock.extensions):
        return None
    step = clock.extensions[deadline.extended]
    if step.letter != letter:
        return None
    return deadline.extended + 1, due_at(deadline.started_at, step.to, regime.calendar)


def warning_at(deadline: RegulatoryDeadline, share: float | None) -> datetime | None:
    """When the owner hears a regulator's clock is near: `share` of its time, once."""
    if share is None or deadline.warned_at or not deadline.pending:
        return None
    return deadline.started_at + (deadline.due_at - deadline.started_at) * share


def bucket(regime: RegulatoryRegime, received_at: datetime, resolved_at: datetime) -> str | None:
    """The reporting bucket a result delivered at `resolved_at` falls in (None: no buckets)."""
    for each in regime.buckets:
        if each.within is None or within(received_at, resolved_at, each.within, regime.calendar):
            return each.key
    return None
