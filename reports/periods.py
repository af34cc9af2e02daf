"""Which period a scheduled report covers: the day, week (Monday on) or month just ended, in
the company's time zone (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def heading(self) -> str:
        return {
            "daily": "Daily complaint brief",
            "weekly": "Weekly complaint brief",
            "monthly": "Monthly complaint risk report",
        }[self.value]


def last_period(kind: ReportKind, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the last whole day, week or month before `now`, as UTC instants."""
    today = now.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    if kind is ReportKind.DAILY:
        start, end = today - timedelta(days=1), today
    elif kind is ReportKind.WEEKLY:
        end = today - timedelta(days=today.weekday())
        start = end - timedelta(days=7)
    else:
        end = today.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
    # Re-attach the zone at local midnight: a DST change inside the period must not shift it.
    local = [datetime(t.year, t.month, t.day, tzinfo=ZONE) for t in (start, end)]
    return local[0].astimezone(UTC), local[1].astimezone(UTC)
