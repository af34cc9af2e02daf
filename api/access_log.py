"""One structured line per request: method, path, status, key, milliseconds.

Never the query string or the body (they may hold personal data); paths carry complaint ids
only, and a customer's progress link `/p/<token>` is written `/p/[redacted]`. uvicorn's own access log is off, since it prints query strings.
"""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry.logs import redact_bearer

log = structlog.get_logger("complaint_desk.api")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            state = scope.get("state") or {}
            log.info(
                "request",
                method=scope["method"],
                path=redact_bearer(scope["path"]),  # a progress link's token is a credential
                status=status,
                key=state.get("key"),
                actor=state.get("actor"),
                complaint_id=state.get("complaint_id"),
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
