"""The desk a test drives: a running worker on a task queue of its own, the API a backend
uses, the test server's clock, and what a complaint looks like when it comes in. Shared by the
workflow-tier tests (fixtures in tests/conftest.py build it) and the system tests."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from desk.service import ComplaintDesk
from encryption.codec import data_converter
from encryption.keys import KeyRing
from schemas import DEFAULT_POLICY, Audience, CaseSnapshot, SlaPolicy
from worker import build_worker
from workflows import deadlines
from workflows.complaint import workflow_id_for

ROOT = Path(__file__).resolve().parents[2]
# A fixed test key: recorded histories (tests/histories) must stay decryptable by the replay suite.
TEST_KEYS = KeyRing.parse("test-1=KcnGVYPcBXzv6t5eql9cVsVi755SGLsb2IYBFifU0T4=")
CONVERTER = data_converter(TEST_KEYS)
# The seed policy without its quiet hours: the test servers' clocks start at the wall clock, so
# with them a lifecycle's messages would wait for 08:00 in Shanghai or not, by the hour the suite
# runs at. Quiet hours have tests of their own that set them around the test server's "now".
ROUND_THE_CLOCK = DEFAULT_POLICY.model_copy(update={"quiet_hours": None})


def responding_within(policy: SlaPolicy, respond: timedelta, **update: Any) -> SlaPolicy:
    """`policy` with every severity's respond deadline `respond` after receipt: one a test on a
    real clock can wait for. `update` sets other fields (a version, the escalation chain)."""
    targets = {
        level: target.model_copy(update={"respond": respond})
        for level, target in policy.targets.items()
    }
    return policy.model_copy(update={"targets": targets, **update})


T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], seconds: float = 10) -> T:
    """Wait on the thing, not on a clock: poll `probe` until it returns a value, bounded."""
    async with asyncio.timeout(seconds):
        while True:
            found = await probe()
            if found is not None:
                return found
            await asyncio.sleep(0.05)


@dataclass
class Desk:
    """A running worker and the API a backend would use, plus the test server's clock."""

    api: ComplaintDesk
    env: WorkflowEnvironment
    pool: Pool
    opened: list[str] = field(default_factory=list)
    patience: float = 10  # seconds `until` waits; fault scenarios wait out crashed workers

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def open(self, **overrides: Any) -> str:
        """Start a complaint received right now; returns its complaint id."""
        complaint_id = str(overrides.pop("complaint_id", f"C-{uuid.uuid4().hex[:10]}"))
        await self.api.start(intake(complaint_id, await self.now(), **overrides))
        self.opened.append(complaint_id)
        await self.until(complaint_id, lambda s: s.stage.value == "investigate")
        return complaint_id

    async def until(
        self,
        complaint_id: str,
        condition: Callable[[CaseSnapshot], bool],
        seconds: float | None = None,
    ) -> CaseSnapshot:
        """Wait on the case itself (not on a clock) until `condition` holds."""

        async def probe() -> CaseSnapshot | None:
            snapshot = await self.api.snapshot(complaint_id)
            return snapshot if condition(snapshot) else None

        return await eventually(probe, seconds or self.patience)

    async def caught_up(self, complaint_id: str, policy: SlaPolicy = DEFAULT_POLICY) -> None:
        """Every deadline, warning and management step already due has acted: a case received
        long ago catches up one alarm per short timer (patch `timer-driven-alarms`)."""
        now = await self.now()

        def done(case: CaseSnapshot) -> bool:
            for d in case.deadlines:
                due = [
                    d.due_at if d.running else None,
                    deadlines.warning_due(policy, d),
                    deadlines.management_due(policy, d),
                ]
                if any(when is not None and when <= now for when in due):
                    return False
            return True

        await self.until(complaint_id, done)

    async def skip(self, duration: timedelta) -> None:
        await self.env.sleep(duration)

    async def skip_to_hour(self, hour: int, zone: str = "Asia/Shanghai") -> None:
        """To the next `hour`:00 in `zone`: a test about "today" must not depend on the hour
        the suite runs at (a breach at 23:50 is yesterday's by 00:20)."""
        now = (await self.now()).astimezone(ZoneInfo(zone))
        target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        await self.skip(target - now)

    async def notified(self, complaint_id: str, audience: Audience | None = None) -> list[str]:
        """Topics in the outbox for a case, in the order the case produced them."""
        rows = await self.pool.fetch(
            """SELECT topic FROM notification_outbox
               WHERE complaint_id = $1 AND ($2::text IS NULL OR audience = $2)
               ORDER BY split_part(key, '/', 2)::int, key""",
            complaint_id,
            audience.value if audience else None,
        )
        return [r["topic"] for r in rows]

    async def until_notified(
        self, complaint_id: str, audience: Audience, topic: str, seconds: float = 10
    ) -> None:
        """Notifications are written by activities after the fact: wait for this one."""

        async def probe() -> bool | None:
            return True if topic in await self.notified(complaint_id, audience) else None

        await eventually(probe, seconds)


# A complaint with no rule word that the adopted head is unsure of — P(L1) 0.18, a possible L1 —
# so triaged (test_reclassification; test_grading_model checks it against the adopted head).
VAGUE = "你们这个怎么回事"


def intake(complaint_id: str, received_at: datetime, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "complaint_id": complaint_id,
        "customer": {
            "name": "王小明",
            "contact": {"phone": "+86 138 0000 0000"},
            "account_id": "U-42",
        },
        "received_at": received_at.isoformat(),
        "channel": "app_form",
        "receiver": "agent-zhang",
        "subject": "洗衣机问题",
        "description": "新买的洗衣机第一次用就漏水，地板都泡了。",
        "product": "WM-200",
    }
    data.update(overrides)
    return data


HISTORIES = ROOT / "tests" / "histories"


async def record_histories(desk: Desk, test_name: str) -> None:
    """`RECORD_HISTORIES=v2 pytest tests/test_lifecycle.py` keeps each case's history for the
    replay suite, named with that prefix: what today's code wrote, tomorrow's must replay."""
    HISTORIES.mkdir(exist_ok=True)
    slug = os.environ["RECORD_HISTORIES"] + "_"
    slug += re.sub(r"[^A-Za-z0-9_]+", "_", test_name).strip("_")[:80]
    for i, complaint_id in enumerate(desk.opened):
        handle = desk.env.client.get_workflow_handle(workflow_id_for(complaint_id))
        history = await handle.fetch_history()
        if len(history.events) < 4:  # no workflow task completed yet: nothing to replay
            continue
        (HISTORIES / f"{slug}_{i}.json").write_text(history.to_json(), encoding="utf-8")


@asynccontextmanager
async def running_desk(
    client: Client,
    env: WorkflowEnvironment,
    pool: Pool,
    policy: SlaPolicy,
    test_name: str,
    reports_dir: Path | None = None,
) -> AsyncIterator[Desk]:
    """A worker on a task queue of its own, so tests never pick up each other's cases; reports
    go to `reports_dir` (None: the store only)."""
    d = Desk(
        api=ComplaintDesk(client, task_queue=f"complaints-{uuid.uuid4().hex[:8]}"),
        env=env,
        pool=pool,
    )
    async with build_worker(
        client, pool, policy=policy, task_queue=d.api.task_queue, reports_dir=reports_dir
    ):
        yield d
        if os.environ.get("RECORD_HISTORIES"):
            await record_histories(d, test_name)
