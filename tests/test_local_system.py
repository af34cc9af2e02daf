"""`complaint-desk up` (what `./dev up` runs) stopped with Ctrl-C leaves nothing of ours running,
even after another command joined its embedded PostgreSQL. Before: any `complaint-desk store …`
call left its pid among the server's users (the CLI ends with `os._exit`), so the PostgreSQL
server outlived `./dev up`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from starter.local import free_port
from tests.conftest import ROOT


def _ours(home: Path) -> set[int]:
    """Every live process whose command line names our private home."""
    found = set()
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if any(str(home) in part for part in process.info["cmdline"] or []):
                found.add(process.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


async def test_ctrl_c_on_up_stops_everything_after_a_store_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")},
        "COMPLAINT_DESK_HOME": str(home),
        "COMPLAINT_DESK_TEMPORAL_PORT": str(free_port()),
        "COMPLAINT_DESK_UI_PORT": str(free_port()),
        "COMPLAINT_DESK_CODEC_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("COMPLAINT_PAYLOAD_KEYS", None)  # the local ring in the home, as on a laptop
    log = (tmp_path / "up.log").open("wb")
    up = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        "up",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert up.stdout is not None
    try:
        async with asyncio.timeout(120):
            while b"Stop:" not in (line := await up.stdout.readline()):
                assert line, (tmp_path / "up.log").read_text(errors="replace")[-3000:]
        store = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "starter.cli",
                "store",
                "kpis",
                "--from",
                "2026-11-01",
                "--to",
                "2026-12-01",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert store.returncode == 0, store.stderr
        postmaster = int((home / "postgres" / "postmaster.pid").read_text().split()[0])
        started = {postmaster, up.pid, *(p.pid for p in psutil.Process(up.pid).children(True))}
        started |= {p.pid for p in psutil.Process(postmaster).children(True)}
        assert _alive(postmaster)
    finally:
        os.killpg(up.pid, signal.SIGINT)  # Ctrl-C in the terminal
        async with asyncio.timeout(60):
            await up.communicate()
        log.close()
    assert up.returncode == 0, (tmp_path / "up.log").read_text(errors="replace")[-3000:]

    async def gone() -> None:
        while left := {pid for pid in started if _alive(pid)} | _ours(home):
            del left
            await asyncio.sleep(0.2)

    try:
        async with asyncio.timeout(20):
            await gone()
    except TimeoutError:
        left = {pid for pid in started if _alive(pid)} | _ours(home)
        for pid in left:  # ours (our private home): do not leave them to the next test
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()
        raise AssertionError(f"still running after Ctrl-C: {sorted(left)}") from None
