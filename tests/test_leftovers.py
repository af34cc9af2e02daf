"""The end-of-run check: a run that leaves a server running fails, and says which; a server the
user runs themselves is never taken for one of the run's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from starter.local import free_port, installed_binary
from tests.support.desk import ROOT
from tests.support.leftovers import SESSION_ENV, leftovers, stop

SERVER = installed_binary("temporal-test-server")


def detached(port: int, env: dict[str, str], cwd: Path) -> None:
    """A test server started the way pg_ctl starts PostgreSQL: its starter exits at once, so
    the server is nobody's child."""
    line = f"'{SERVER}' {port} >/dev/null 2>&1 &"
    subprocess.run(["sh", "-c", line], env=env, cwd=cwd, check=True)


def serving(port: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if process.info["cmdline"] and process.info["cmdline"][-1:] == [str(port)]:
            found.append(process)
    return found


@contextmanager
def cleaned_up(*ports: int) -> Iterator[None]:
    try:
        yield
    finally:
        for port in ports:
            for process in serving(port):
                process.kill()


def test_the_runs_servers_are_found_and_the_users_are_not(tmp_path: Path) -> None:
    marker, began = os.environ[SESSION_ENV], time.time()
    users_env = {k: v for k, v in os.environ.items() if k != SESSION_ENV}
    ours, users = free_port(), free_port()
    with cleaned_up(ours, users):
        detached(ours, dict(os.environ), tmp_path)
        detached(users, users_env, Path.home())
        found = leftovers(marker, began, [ROOT, tmp_path])
        mine = [f for f in found if str(ours) in f.command]
        assert [f.command.split()[-1] for f in mine] == [str(ours)]
        assert not any(str(users) in f.command for f in found)
        # Only this test's server: `found` also holds the servers this very run is using (its
        # PostgreSQL carries the run's marker too), which must go on serving the other tests.
        stop(mine)
        assert serving(ours) == [] and len(serving(users)) == 1


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_run_that_leaves_a_server_running_fails_and_stops_it(
    tmp_path: Path, workers: list[str]
) -> None:
    """Also under pytest-xdist, where a worker starts the server and the controller checks."""
    port = free_port()
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_configure, pytest_sessionfinish, "
        "pytest_terminal_summary  # noqa: F401\n"
    )
    (tmp_path / "test_leaky.py").write_text(
        "import subprocess\n"
        "def test_starts_a_server_and_forgets_it():\n"
        f"    subprocess.run(['sh', '-c', \"'{SERVER}' {port} >/dev/null 2>&1 &\"], check=True)\n"
    )
    with cleaned_up(port):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                ".",
                *workers,
            ],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1, run.stdout + run.stderr
        assert "1 passed" in run.stdout  # the test passed; the run did not
        assert "servers left running by this run" in run.stdout
        assert f"temporal-test-server {port}" in run.stdout
        assert serving(port) == []  # and the check stopped it
