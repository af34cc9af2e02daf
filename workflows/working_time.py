"""Working-time arithmetic on a business calendar (pure, deterministic).

An allowance in working time reads the way people say it: whole days are working days ("3
working days" from Friday 16:00 is Wednesday 16:00), the rest is working hours ("4 working hours"
from 16:00 is 11:00 the next working day, with 09:00-18:00 hours). A clock that starts outside
working hours starts when work next begins. All instants are aware datetimes; the arithmetic
runs on the calendar's wall clock and every result is returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from schemas.calendar import BusinessCalendar, QuietHours

# A calendar always has a working day within a week; a run of holidays can stretch that, but no
# real calendar closes for years. Past this the calendar is wrong, not the deadline far.
_SEARCH_DAYS = 3 * 366


def add_working_time(start: datetime, allowance: timedelta, calendar: BusinessCalendar) -> datetime:
    """The moment `allowance` of working time after `start` has passed."""
    if allowance < timedelta(0):
        raise ValueError("a working-time allowance cannot be negative")
    moment = next_working_moment(start, calendar)
    if allowance.days:
        local = moment.astimezone(calendar.zone)
        day = local.date()
        for _ in range(allowance.days):
            day = _next_working_day(day, calendar)
        moment = _at(day, local.time(), calendar)
    return add_working_hours(moment, allowance - timedelta(days=allowance.days), calendar)


def add_working_hours(start: datetime, hours: timedelta, calendar: BusinessCalendar) -> datetime:
    """`hours` of working time after `start`, all counted as hours (no whole-day rule): for
    time measured on the working clock, such as a pause."""
    moment = next_working_moment(start, calendar)
    rest = hours
    while True:
        closes = _at(moment.astimezone(calendar.zone).date(), calendar.closes, calendar)
        if rest <= closes - moment:
            return (moment + rest).astimezone(UTC)
        rest -= closes - moment
        moment = next_working_moment(closes, calendar)


def next_working_moment(moment: datetime, calendar: BusinessCalendar) -> datetime:
    """`moment` itself if the company is working then, else when work next begins (in UTC)."""
    day = moment.astimezone(calendar.zone).date()
    for _ in range(_SEARCH_DAYS):
        if calendar.is_working_day(day):
            opens = _at(day, calendar.opens, calendar)
            closes = _at(day, calendar.closes, calendar)
            if moment < opens:
                return opens
            if moment < closes:
                return moment.astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError(f"calendar '{calendar.name}' has no working time within {_SEARCH_DAYS} days")


def working_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """How much working time lies between two moments (zero if `end` is not after `start`)."""
    total = timedelta(0)
    day = start.astimezone(calendar.zone).date()
    last = end.astimezone(calendar.zone).date()
    while day <= last:
        if calendar.is_working_day(day):
            opens = max(start, _at(day, calendar.opens, calendar))
            closes = min(end, _at(day, calendar.closes, calendar))
            total += max(closes - opens, timedelta(0))
        day += timedelta(days=1)
    return total


def quiet_until(moment: datetime, quiet: QuietHours) -> datetime | None:
    """When the quiet hours around `moment` end (in UTC); None if `moment` is outside them."""
    local = moment.astimezone(quiet.zone)
    clock, day = local.time(), local.date()
    if quiet.begins > quiet.ends:  # e.g. 21:00-08:00, across midnight
        if clock >= quiet.begins:
            day += timedelta(days=1)
        elif clock >= quiet.ends:
            return None
    elif not quiet.begins <= clock < quiet.ends:
        return None
    return datetime.combine(day, quiet.ends, tzinfo=quiet.zone).astimezone(UTC)


def sending_moment(
    due: datetime, calendar: BusinessCalendar | None, quiet: QuietHours | None
) -> datetime:
    """The first moment from `due` at which a customer may be asked something: in the
    calendar's working hours (any time without a calendar) and outside quiet hours. Quiet hours
    that cover every working hour leave only the working hours to go by."""
    moment = next_working_moment(due, calendar) if calendar else due.astimezone(UTC)
    first = moment
    for _ in range(_SEARCH_DAYS):
        ends = quiet_until(moment, quiet) if quiet else None
        if ends is None:
            return moment
        moment = next_working_moment(ends, calendar) if calendar else ends
    return first


def _next_working_day(day: date, calendar: BusinessCalendar) -> date:
    for _ in range(_SEARCH_DAYS):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            return day
    raise ValueError(f"calendar '{calendar.name}' has no working day within {_SEARCH_DAYS} days")


def _at(day: date, clock: time, calendar: BusinessCalendar) -> datetime:
    """The UTC instant of a local wall-clock time on `day` (a time skipped by a DST change
    resolves the way zoneinfo does: as if the clock had not moved yet)."""
    local = datetime.combine(day, clock, tzinfo=calendar.zone)
    return local.astimezone(UTC)
