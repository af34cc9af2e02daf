"""A real API server (uvicorn on a free port) over a test's desk, with one key per kind of backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from api.app import build_app
from api.bodies import DEFAULT_BODY_SECONDS
from api.keys import ApiKey, ApiKeys, Scope, digest, new_token
from api.server import serving
from desk.service import ComplaintDesk

# The people the workspace key may name in X-Acting-For (the desk's staff accounts).
STAFF_IDS = frozenset({"agent-zhang", "agent-wang", "sup-li"})
LIMIT = 16 * 1024  # small, so the size tests need no megabytes; a real complaint is ~1 KB

# name → (scopes, acts_for, burst)
KINDS: dict[str, tuple[frozenset[Scope], bool, int]] = {
    "web-form": (frozenset({Scope.INTAKE}), False, 1000),
    "store-desk": (frozenset({Scope.INTAKE, Scope.CUSTOMER}), False, 1000),
    "crm-agents": (frozenset({Scope.AGENT}), False, 1000),
    "crm-supervisors": (frozenset({Scope.SUPERVISOR}), False, 1000),
    "workspace": (frozenset({Scope.AGENT, Scope.SUPERVISOR}), True, 1000),
    "slow": (frozenset(Scope), False, 2),
}


@dataclass
class Api:
    url: str
    tokens: dict[str, str]
    http: httpx.AsyncClient

    def auth(self, kind: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[kind]}"}


@asynccontextmanager
async def running_api(
    desk: ComplaintDesk, body_seconds: float = DEFAULT_BODY_SECONDS
) -> AsyncIterator[Api]:
    tokens = {name: new_token() for name in KINDS}
    keys = [
        ApiKey(
            name=name,
            sha256=digest(tokens[name]),
            scopes=scopes,
            acts_for=acts_for,
            burst=burst,
            rate_per_second=0.001 if burst < 10 else 1000,
        )
        for name, (scopes, acts_for, burst) in KINDS.items()
    ]
    app = build_app(
        desk, ApiKeys(keys), body_limit=LIMIT, staff=lambda: STAFF_IDS, body_seconds=body_seconds
    )
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield Api(url, tokens, http)
