"""A business calendar: when the company works, for deadlines counted in working time (R-SLA-2).

Seed 001 gives a medium-risk case "3 working days" for its solution; L1 cases run round the
clock. Working hours are wall-clock times in the calendar's time zone, so a deadline lands on the
same local minute across a daylight-saving change.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'") from None
    return name


ZoneName = Annotated[str, AfterValidator(_known_zone)]


class BusinessCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    time_zone: ZoneName = Field(
        default="Asia/Shanghai", description="An IANA zone, e.g. Europe/Berlin"
    )
    working_days: frozenset[int] = Field(
        default=frozenset({1, 2, 3, 4, 5}), description="ISO weekdays: 1 = Monday … 7 = Sunday"
    )
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    holidays: frozenset[date] = Field(default=frozenset(), description="Days off on working days")
    extra_working_days: frozenset[date] = Field(
        default=frozenset(),
        description="Weekend days worked in exchange for a holiday (调休), e.g. 2026-10-10",
    )

    @model_validator(mode="after")
    def _works_sometimes(self) -> Self:
        if not self.working_days or not self.working_days <= set(range(1, 8)):
            raise ValueError("working_days must be ISO weekdays 1-7, at least one")
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes (working hours within one day)")
        if self.opens.tzinfo or self.closes.tzinfo:
            raise ValueError("opens and closes are local times, without a zone")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.isoweekday() in self.working_days and day not in self.holidays


class QuietHours(BaseModel):
    """When non-urgent messages wait (R-SLA: nobody is woken for a routine update); L1 cases and
    urgent alerts always go through. Spans midnight when `begins` is after `ends`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: ZoneName = "Asia/Shanghai"
    begins: time = time(21, 0)
    ends: time = time(8, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
