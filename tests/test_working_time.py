"""Working-time deadlines (R-SLA-2): weekends, holidays, make-up working days and DST, to the
minute; and the policy that says which targets count in working time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment

from activities.policy import load_policy
from case_store.db import Pool
from schemas import DeadlineKind, Severity, SlaPolicy
from schemas.calendar import BusinessCalendar, QuietHours
from tests.support.cases import at, classified
from tests.support.desk import running_desk
from workflows.deadlines import open_deadline, retarget
from workflows.working_time import (
    add_working_time,
    next_working_moment,
    quiet_until,
    working_time_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
# An example calendar: 2026-10-01 and -02 (Thursday, Friday) off, Saturday 2026-10-10 worked.
CHINA = BusinessCalendar(
    name="example",
    holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),
    extra_working_days=frozenset({date(2026, 10, 10)}),
)
GERMANY = BusinessCalendar(name="berlin", time_zone="Europe/Berlin")


@pytest.mark.parametrize(
    ("start", "allowance", "due"),
    [
        # whole days are working days, at the same local time
        (at(SHANGHAI, 2026, 11, 20, 16), timedelta(days=3), at(SHANGHAI, 2026, 11, 25, 16)),
        # the rest are working hours, carried over the weekend
        (at(SHANGHAI, 2026, 11, 20, 16), timedelta(hours=4), at(SHANGHAI, 2026, 11, 23, 11)),
        # a clock started on Saturday starts on Monday morning
        (at(SHANGHAI, 2026, 11, 21, 10), timedelta(hours=2), at(SHANGHAI, 2026, 11, 23, 11)),
        # after closing, before opening: the next working morning
        (at(SHANGHAI, 2026, 11, 23, 20), timedelta(hours=1), at(SHANGHAI, 2026, 11, 24, 10)),
        (at(SHANGHAI, 2026, 11, 24, 7), timedelta(minutes=30), at(SHANGHAI, 2026, 11, 24, 9, 30)),
        # exactly a day's hours ends at closing time, not the next morning
        (at(SHANGHAI, 2026, 11, 23, 9), timedelta(hours=9), at(SHANGHAI, 2026, 11, 23, 18)),
        # days and hours together: Friday 17:00 + 1 day 2 h = Monday 17:00 + 2 h = Tuesday 10:00
        (
            at(SHANGHAI, 2026, 11, 20, 17),
            timedelta(days=1, hours=2),
            at(SHANGHAI, 2026, 11, 24, 10),
        ),
    ],
)
def test_working_time_over_a_weekend(start: datetime, allowance: timedelta, due: datetime) -> None:
    assert add_working_time(start, allowance, CHINA) == due


def test_holidays_are_skipped_and_make_up_days_are_worked() -> None:
    # Wednesday 17:00 before two holidays and a weekend: the second hour is on Monday.
    eve = at(SHANGHAI, 2026, 9, 30, 17)
    assert add_working_time(eve, timedelta(hours=2), CHINA) == at(SHANGHAI, 2026, 10, 5, 10)
    assert add_working_time(eve, timedelta(days=1), CHINA) == at(SHANGHAI, 2026, 10, 5, 17)
    # Friday 2026-10-09 17:00: the make-up Saturday is a working day.
    friday = at(SHANGHAI, 2026, 10, 9, 17)
    assert add_working_time(friday, timedelta(hours=2), CHINA) == at(SHANGHAI, 2026, 10, 10, 10)
    # Without the calendar's days, a plain Monday-Friday week.
    plain = BusinessCalendar(name="plain")
    assert add_working_time(eve, timedelta(hours=2), plain) == at(SHANGHAI, 2026, 10, 1, 10)


def test_deadlines_keep_the_local_minute_across_daylight_saving() -> None:
    # Europe/Berlin leaves summer time on Sunday 2026-10-25: Friday 17:00 is 15:00 UTC,
    # Monday 10:00 is 09:00 UTC; counting hours in UTC would give 08:00 UTC.
    due = add_working_time(at(BERLIN, 2026, 10, 23, 17), timedelta(hours=2), GERMANY)
    assert due == at(BERLIN, 2026, 10, 26, 10) and due.hour == 9 and due.tzinfo == UTC
    # ...and enters it on Sunday 2026-03-29: one working day from Friday 17:00 CET.
    due = add_working_time(at(BERLIN, 2026, 3, 27, 17), timedelta(days=1), GERMANY)
    assert due == at(BERLIN, 2026, 3, 30, 17) and due.hour == 15


def test_working_time_between_counts_only_opening_hours() -> None:
    friday_noon = at(SHANGHAI, 2026, 11, 20, 12)
    tuesday_ten = at(SHANGHAI, 2026, 11, 24, 10)
    # Friday 12-18 (6 h), Monday 9-18 (9 h), Tuesday 9-10 (1 h)
    assert working_time_between(friday_noon, tuesday_ten, CHINA) == timedelta(hours=16)
    assert working_time_between(tuesday_ten, friday_noon, CHINA) == timedelta(0)


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=24 * 60 - 1),  # a day or more counts in days
)
def test_an_hours_allowance_is_exactly_that_much_working_time(
    start: datetime, minutes: int
) -> None:
    allowance = timedelta(minutes=minutes)
    for calendar in (CHINA, GERMANY):
        due = add_working_time(start, allowance, calendar)
        assert working_time_between(start, due, calendar) == allowance
        assert next_working_moment(due - timedelta(microseconds=1), calendar) <= due


def test_a_policy_says_which_targets_count_working_time() -> None:
    policy = load_policy("policies/sla-working-days.json")
    friday = at(SHANGHAI, 2026, 11, 20, 16)
    due = {s: open_deadline(policy, DeadlineKind.RESOLVE, s, 0, friday).due_at for s in Severity}
    assert due[Severity.L1] == friday + timedelta(hours=24)  # round the clock
    assert due[Severity.L2] == at(SHANGHAI, 2026, 11, 25, 16)  # 3 working days
    # Raising an L2 case to L1 moves its deadline back to calendar time from the same start.
    l2 = open_deadline(policy, DeadlineKind.RESOLVE, Severity.L2, 0, friday)
    assert retarget(l2, policy, Severity.L1).due_at == due[Severity.L1]


def test_bad_calendars_and_policies_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        BusinessCalendar(name="x", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="opens must be before closes"):
        BusinessCalendar(name="x", opens=time(18), closes=time(9))
    with pytest.raises(ValidationError, match="ISO weekdays"):
        BusinessCalendar(name="x", working_days=frozenset({0}))
    targets = {s.value: {"respond": "PT1H", "resolve": "P1D", "clock": "working"} for s in Severity}
    with pytest.raises(ValidationError, match="L1, L2, L3 count working time: give a calendar"):
        SlaPolicy.model_validate({"version": "x", "targets": targets})


def test_a_calendar_without_working_time_is_an_error_not_a_hang() -> None:
    every_day_off = BusinessCalendar(
        name="closed",
        working_days=frozenset({1}),
        holidays=frozenset(date(2026, 1, 5) + timedelta(weeks=w) for w in range(200)),
    )
    with pytest.raises(ValueError, match="no working time within"):
        add_working_time(at(SHANGHAI, 2026, 1, 1, 9), timedelta(hours=1), every_day_off)


async def test_a_case_on_working_time_breaches_at_the_working_time_minute(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    policy = load_policy("policies/sla-working-days.json")
    assert policy.calendar is not None
    async with running_desk(env.client, env, pool, policy, "working-time") as desk:
        cid = await desk.open(description="新买的洗衣机第一次用就漏水，地板都泡了。")
        case = await desk.api.snapshot(cid)
        assert case.severity is Severity.L2  # 4 working hours to respond
        respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
        assert respond.due_at == add_working_time(
            case.received_at, timedelta(hours=4), policy.calendar
        )

        await desk.skip(respond.due_at - await desk.now() - timedelta(minutes=1))
        case = await desk.api.snapshot(cid)
        assert not any(d.breached_at for d in case.deadlines)
        await desk.skip(timedelta(minutes=2))
        case = await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
        breached = next(d for d in case.deadlines if d.breached_at)
        assert breached.kind is DeadlineKind.RESPOND and breached.breached_at is not None
        assert timedelta(0) <= breached.breached_at - respond.due_at < timedelta(seconds=1)


@pytest.mark.parametrize(
    ("local", "until"),
    [
        (at(SHANGHAI, 2026, 11, 23, 23), at(SHANGHAI, 2026, 11, 24, 8)),  # evening: next morning
        (at(SHANGHAI, 2026, 11, 24, 6), at(SHANGHAI, 2026, 11, 24, 8)),  # early: this morning
        (at(SHANGHAI, 2026, 11, 24, 8), None),  # the quiet hours are over
        (at(SHANGHAI, 2026, 11, 24, 20, 59), None),
    ],
)
def test_quiet_hours_across_midnight(local: datetime, until: datetime | None) -> None:
    assert quiet_until(local, QuietHours()) == until


def test_routine_messages_wait_for_morning_and_urgent_ones_do_not() -> None:
    late = at(SHANGHAI, 2026, 11, 23, 23)
    case = classified("洗衣机漏水", at=late)  # L2
    held = {n.topic: n.not_before for n in case.outbox}
    assert held["acknowledged"] is None  # the receipt is answered at once (R-IN-6)
    assert held["new_case"] == at(SHANGHAI, 2026, 11, 24, 8)
    urgent = classified("孩子吃了你们的饼干后食物中毒，已经去医院了。", at=late)  # L1
    assert all(n.not_before is None for n in urgent.outbox)
