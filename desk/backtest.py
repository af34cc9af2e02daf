"""The SLA back-test as every door runs it (`complaint-desk sla backtest`, the board's page):
a proposed policy (and calendar) read and checked, the period's cases read from the store,
replayed and reported (reports/backtest.py; docs/sla-backtest.md)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, time
from pathlib import Path

from pydantic import ValidationError

from case_store.backtest import recorded_cases
from case_store.db import Pool
from desk.errors import DeskError
from reports.backtest import BacktestReport, backtest
from reports.periods import ZONE
from schemas.calendar import BusinessCalendar
from schemas.sla import SlaPolicy

POLICIES = Path(__file__).resolve().parent.parent / "policies"
"""The policies a supervisor may choose from on the page: `policies/sla-*.json`."""


class BacktestRefused(DeskError):
    """The back-test cannot run as asked; `key` and `params` say why in the reader's words
    (catalogue `backtest.refused.*`), and nothing was read."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(f"{key}: {params}")
        self.key = f"backtest.refused.{key}"
        self.params = params


def proposed_policy(policy_text: str, calendar_text: str | None = None) -> SlaPolicy:
    """The policy to try, with `calendar_text`'s calendar in place of its own if given."""
    try:
        raw = json.loads(policy_text)
        if calendar_text is not None:
            calendar = BusinessCalendar.model_validate_json(calendar_text)
            raw = (
                {**raw, "calendar": calendar.model_dump(mode="json")}
                if isinstance(raw, dict)
                else raw
            )
        return SlaPolicy.model_validate(raw)
    except json.JSONDecodeError as err:
        raise BacktestRefused("not_json", error=str(err)) from None
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in err.errors()
        )
        raise BacktestRefused("policy_invalid", problems=problems) from None


def policy_files() -> list[str]:
    """The policies shipped with the desk a supervisor may choose from."""
    return sorted(p.name for p in POLICIES.glob("sla-*.json"))


def shipped_policy(name: str) -> str:
    """The text of a policy from `policy_files()` (anything else is refused)."""
    if name not in policy_files():
        raise BacktestRefused("unknown_policy", name=name)
    return (POLICIES / name).read_text(encoding="utf-8")


def period(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) as the company's days, in UTC instants; an empty period is refused."""
    if end <= start:
        raise BacktestRefused("empty_period", start=start.isoformat(), end=end.isoformat())
    return (
        datetime.combine(start, time(0), tzinfo=ZONE),
        datetime.combine(end, time(0), tzinfo=ZONE),
    )


async def run_backtest(
    pool: Pool, policy: SlaPolicy, start: date, end: date, as_of: datetime
) -> BacktestReport:
    """Every case received from `start` to before `end` replayed under `policy`, each case's
    clock stopped at `as_of` (now)."""
    begins, ends = period(start, end)
    async with pool.acquire() as connection:
        cases, without = await recorded_cases(connection, begins, ends)
    # Seconds of pure work for a month: off the event loop, so the pages stay served.
    return await asyncio.to_thread(backtest, cases, policy, (start, end), as_of, without)
