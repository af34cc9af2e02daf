"""`complaint-desk web`: the workspace on its own uvicorn, until the HTTP API's server mounts it
(`web.app.build` at `/`). Needs a worker running (`./dev up`) and the same database."""

from __future__ import annotations

import uvicorn

from case_store.db import database_url, open_pool
from configuration.settings import Settings
from starter.client import ComplaintDesk, connect
from web import app


async def serve(settings: Settings, host: str, port: int) -> None:
    pool = await open_pool(settings.database_url or database_url(), max_size=5)
    try:
        desk = ComplaintDesk(await connect())
        asgi = app.build(settings, desk, pool)
        print(
            f"web workspace on http://{host}:{port}/ (accounts: {settings.users_file})", flush=True
        )
        # The access log prints paths only: case ids and link tokens, nothing about a person.
        await uvicorn.Server(uvicorn.Config(asgi, host=host, port=port, lifespan="off")).serve()
    finally:
        await pool.close()
