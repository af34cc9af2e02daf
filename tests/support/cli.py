"""The `complaint-desk` command line as a separate process, as a person runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.support.desk import ROOT, TEST_KEYS, Desk


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a person who holds the tests' payload key, plus `extra`; the CLI
    talks to Temporal itself unless `extra` names an API (`cli_through_api`)."""
    direct = {"COMPLAINT_DESK_API_URL": "", "COMPLAINT_DESK_API_KEY": ""}
    return {**os.environ, "COMPLAINT_PAYLOAD_KEYS": TEST_KEYS.render(), **direct, **extra}


def run_cli(*argv: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """`complaint-desk *argv` as a process, run to its end, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "starter.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=cli_env(**env),
        check=False,
    )


async def cli_against(
    desk: Desk,
    home: Path,
    *argv: str,
    stdout: int | None = asyncio.subprocess.PIPE,
    **env: str,
) -> tuple[int, str, str]:
    """The CLI as a separate process against the test's server (the test's worker answers)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        *argv,
        cwd=ROOT,
        stdout=stdout,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env(
            TEMPORAL_ADDRESS=desk.env.client.service_client.config.target_host,
            COMPLAINT_DESK_HOME=str(home),
            **env,
        ),
    )
    out, err = await process.communicate()
    return process.returncode or 0, (out or b"").decode(), err.decode()


async def cli_through_api(url: str, key: str, *argv: str, **env: str) -> tuple[int, str, str]:
    """The CLI as a separate process sending its action to the API at `url` with `key`; the
    Temporal it would otherwise use is a closed port, so nothing can reach the case but the API."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        *argv,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env(
            TEMPORAL_ADDRESS="127.0.0.1:9",
            COMPLAINT_DESK_API_URL=url,
            COMPLAINT_DESK_API_KEY=key,
            **env,
        ),
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


def imported_after(script: str, **env: str) -> set[str]:
    """The modules a fresh interpreter holds after running `script` (which prints nothing)."""
    done = subprocess.run(
        [sys.executable, "-c", f"{script}\nimport sys\nprint(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cli_env(**env),
        check=True,
    )
    return set(done.stdout.split())
