"""Running the API: `complaint-desk api` alone, or beside the worker in `./dev up`.

uvicorn serves it; its access log is off (it prints query strings) in favour of
`api.access_log`, and its own messages go through the project's structured logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from api.app import build_app
from api.keys import ApiKey, ApiKeys, KeyConfigError, parse_keys
from configuration.settings import Settings
from starter.client import ComplaintDesk, connect


class _Beside(uvicorn.Server):
    """Shares the event loop with a worker that owns SIGINT/SIGTERM: stopped by `should_exit`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_server(app: FastAPI, host: str, port: int, beside: bool = False) -> uvicorn.Server:
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, log_config=None, server_header=False
    )
    return (_Beside if beside else uvicorn.Server)(config)


def configured_keys(settings: Settings, extra: tuple[ApiKey, ...] = ()) -> ApiKeys:
    keys = ApiKeys([*parse_keys(settings.complaint_api_keys, settings.home), *extra])
    if not len(keys):
        raise KeyConfigError(
            "no API keys: set COMPLAINT_API_KEYS (`complaint-desk api-key --name NAME --scope "
            "intake …` makes one)"
        )
    return keys


async def serve(settings: Settings) -> None:
    """The API on its own (`complaint-desk api`): until SIGINT/SIGTERM."""
    keys = configured_keys(settings)
    desk = ComplaintDesk(await connect())
    app = build_app(desk, keys, settings.complaint_api_body_limit)
    await uvicorn_server(app, settings.complaint_api_host, settings.complaint_api_port).serve()
