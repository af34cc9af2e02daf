"""Running the API: `complaint-desk api` alone, or beside the worker in `./dev up`.

uvicorn serves it; its access log is off (it prints query strings) in favour of
`api.access_log`, and its own messages go through the project's structured logs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI

from api.app import build_app
from api.keys import ApiKey, ApiKeys, KeyConfigError, parse_keys
from case_store.db import Pool, database_url, open_pool
from configuration.settings import Settings
from desk.ports import free_port
from desk.service import ComplaintDesk, connect
from encryption.keys import load_keyring


class _Beside(uvicorn.Server):
    """Shares the event loop with a worker that owns SIGINT/SIGTERM: stopped by `should_exit`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


# An idle keep-alive connection is closed after this; the time a request's headers take is
# bounded in front of the desk (its reverse proxy: docs/security.md), the body's by the app.
KEEP_ALIVE_SECONDS = 5


def uvicorn_server(app: FastAPI, host: str, port: int, beside: bool = False) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    return (_Beside if beside else uvicorn.Server)(config)


@contextlib.asynccontextmanager
async def serving(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` in this event loop for the duration (tests, benchmarks); yields its URL."""
    server = uvicorn_server(app, host, port or free_port(), beside=True)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # it failed to start: say why
                raise RuntimeError("the API server stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{server.config.port}"
    finally:
        server.should_exit = True
        await task


def configured_keys(settings: Settings, extra: tuple[ApiKey, ...] = ()) -> ApiKeys:
    keys = ApiKeys([*parse_keys(settings.complaint_api_keys, settings.home), *extra])
    if not len(keys):
        raise KeyConfigError(
            "no API keys: set COMPLAINT_API_KEYS (`complaint-desk api-key --name NAME --scope "
            "intake …` makes one)"
        )
    return keys


def desk_app(settings: Settings, desk: ComplaintDesk, keys: ApiKeys, pool: Pool) -> FastAPI:
    """The API under /v1 and the web workspace (web/) at every other path, on one server."""
    from web.app import build as build_workspace
    from web.users import load as load_accounts

    app = build_app(
        desk,
        keys,
        settings.complaint_api_body_limit,
        staff=lambda: load_accounts(settings.users_file).keys(),
        body_seconds=settings.complaint_api_body_seconds,
    )
    app.mount("/", build_workspace(settings, desk, pool))
    return app


async def serve(settings: Settings) -> None:
    """The API and the workspace on their own (`complaint-desk api`): until SIGINT/SIGTERM."""
    keys = configured_keys(settings)
    desk = ComplaintDesk(await connect(ring=load_keyring(settings)))
    pool = await open_pool(database_url(settings), max_size=5)
    try:
        app = desk_app(settings, desk, keys, pool)
        await uvicorn_server(app, settings.complaint_api_host, settings.complaint_api_port).serve()
    finally:
        await pool.close()
