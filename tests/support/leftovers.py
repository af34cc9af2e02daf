"""Servers a test run started and left running: the check at the end of every run (conftest).

Embedded PostgreSQL and the Temporal servers detach from the process that starts them, so a
fixture or a benchmark that does not stop them leaves them running after pytest has exited,
holding ports, memory and data folders. A process counts as the run's when it

- is a descendant of the pytest process, or
- carries the run's marker in its environment (`SESSION_ENV`, set when the run starts and
  inherited by everything it starts, detached or not: pg_ctl's postgres, a benchmark's dev
  server), or
- was started after the run began and runs in, or names, one of the run's folders (the
  checkout, pytest's temporary folders).

A server the user runs themselves (`./dev up` from the same checkout, started before the run)
has neither the marker nor a late start, and is left alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

SESSION_ENV = "COMPLAINT_DESK_TEST_SESSION"
# What the suite starts: Temporal's dev and test servers, PostgreSQL (and its pg_ctl), uvicorn,
# the worker, the CLI's servers, the benchmarks, the mail catcher, the browser.
SERVERS = re.compile(
    r"temporal|postgres|pg_ctl|uvicorn|worker\.py|starter\.cli|complaint-desk|bench\.|"
    r"delivery\.catcher|chromium"
)


@dataclass(frozen=True)
class Leftover:
    pid: int
    command: str
    why: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.why}): {self.command[:160]}"


def leftovers(session: str, since: float, places: Iterable[Path]) -> list[Leftover]:
    """The run's servers still alive now; `since` is when the run began (epoch seconds)."""
    me = psutil.Process()
    descendants = {p.pid for p in me.children(recursive=True)}
    folders = [str(p.resolve()).rstrip("/") + "/" for p in places]
    found: list[Leftover] = []
    for process in psutil.process_iter(["name", "cmdline", "create_time", "status"]):
        try:
            info = process.info
            command = " ".join(info["cmdline"] or [info["name"] or ""])
            alive = info["status"] != psutil.STATUS_ZOMBIE
            if process.pid == me.pid or not alive or not SERVERS.search(command):
                continue
            why = ""
            if process.pid in descendants:
                why = "started by this run, still its child"
            elif process.environ().get(SESSION_ENV) == session:
                why = "started by this run"
            elif info["create_time"] >= since and _in(folders, command, process.cwd()):
                why = "started during this run, in its folders"
            if why:
                found.append(Leftover(process.pid, command, why))
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _in(folders: list[str], command: str, cwd: str) -> bool:
    here = cwd.rstrip("/") + "/"
    return any(here.startswith(f) or f in command + " " for f in folders)


def stop(found: Iterable[Leftover], seconds: float = 10) -> None:
    """End what the run left, once it has been reported: the machine is left as it was."""
    processes = []
    for leftover in found:
        try:
            process = psutil.Process(leftover.pid)
            process.terminate()
            processes.append(process)
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue


def mark_session(marker: str) -> None:
    """Everything started from here on inherits the run's marker."""
    os.environ[SESSION_ENV] = marker
