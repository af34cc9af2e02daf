"""API keys: one per backend (a web form, an e-mail gateway, a store-desk tablet), with scopes.

Only each key's SHA-256 is configured (`COMPLAINT_API_KEYS`, JSON or a JSON file): keys are 32
random bytes, so a fast hash is as good as a slow one and checking costs nothing per request.
The key's name is who acts on the timeline (`api:<name>`); a staff key with `acts_for` belongs to
a backend that signs its own people in and names the person in `X-Acting-For`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from encryption.keys import KeyConfigError
from schemas.case_actions import Role
from schemas.text import Identifier

__all__ = ["ApiKey", "ApiKeys", "KeyConfigError", "Scope", "development_key", "parse_keys"]
TOKEN_PREFIX = "cdk_"
DEV_KEY_FILE = "api-key"


class Scope(StrEnum):
    """What a key may do: start complaints, speak for customers, act as agents, supervise."""

    INTAKE = "intake"
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"


# Which scope carries each role of the action table (schemas.case_actions).
SCOPE_OF_ROLE: dict[Role, Scope] = {
    Role.CUSTOMER: Scope.CUSTOMER,
    Role.SYSTEM: Scope.CUSTOMER,
    Role.AGENT: Scope.AGENT,
    Role.SUPERVISOR: Scope.SUPERVISOR,
}
STAFF = frozenset({Scope.AGENT, Scope.SUPERVISOR})


class ApiKey(BaseModel):
    """One configured key, as it is written in `COMPLAINT_API_KEYS`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Identifier = Field(description="the backend; the timeline says api:<name>")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the key")
    scopes: frozenset[Scope]
    rate_per_second: float = Field(default=20, gt=0, description="sustained requests per second")
    burst: int = Field(default=40, ge=1, description="requests allowed at once")
    acts_for: bool = Field(
        default=False, description="staff actions name the person in X-Acting-For"
    )

    @property
    def actor(self) -> str:
        return f"api:{self.name}"


KEY_LIST = TypeAdapter(list[ApiKey])


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh key: 32 random bytes, recognisable by its prefix in a secret scanner."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiKeys:
    """The configured keys, looked up by their digest."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.by_digest = {key.sha256: key for key in keys}
        names = [key.name for key in keys]
        if len(set(names)) != len(names) or len(self.by_digest) != len(keys):
            raise KeyConfigError("API keys: every key needs its own name and its own key")

    def identify(self, token: str) -> ApiKey | None:
        return self.by_digest.get(digest(token))

    def __len__(self) -> int:
        return len(self.by_digest)


def parse_keys(configured: str | None, home: Path) -> list[ApiKey]:
    """`COMPLAINT_API_KEYS`: a JSON list, or the path of a JSON file (relative to the home)."""
    if not configured:
        return []
    text = configured.strip()
    if not text.startswith("["):
        path = (home / text).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise KeyConfigError(
                f"COMPLAINT_API_KEYS: cannot read {path}: {err.strerror}"
            ) from None
    try:
        return KEY_LIST.validate_json(text)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise KeyConfigError(f"COMPLAINT_API_KEYS: {problems}") from None


def development_key(home: Path) -> tuple[str, ApiKey]:
    """The local key `./dev up` creates once (every scope), kept in `<home>/api-key` (0600)."""
    path = home / DEV_KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        token = new_token()
        path.touch(mode=0o600)
        path.write_text(token + "\n", encoding="utf-8")
    token = path.read_text(encoding="utf-8").strip()
    key = ApiKey(name="dev", sha256=digest(token), scopes=frozenset(Scope))
    return token, key


def new_api_key(name: str, scopes: list[str], acts_for: bool = False) -> tuple[str, str]:
    """A fresh key and its `COMPLAINT_API_KEYS` entry (which holds only its hash)."""
    token = new_token()
    key = ApiKey(
        name=name,
        sha256=digest(token),
        scopes=frozenset(Scope(s) for s in scopes),
        acts_for=acts_for,
    )
    entry = key.model_dump(mode="json")
    entry["scopes"] = sorted(entry["scopes"])
    return token, json.dumps(entry)
