"""Staff accounts: who may sign in to the workspace, with which role.

Kept as JSON (`Settings.users_file`, default `$COMPLAINT_DESK_HOME/users.json`), one entry per
person with an argon2id hash, never a password; `complaint-desk user-add` writes it. An identity
provider (web/identity.py) can stand in for the password check; the roles stay here.
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field, TypeAdapter

from schemas.case_actions import Role
from schemas.routing import TeamId
from schemas.text import Identifier


class StaffRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"

    @property
    def action_roles(self) -> frozenset[Role]:
        """The action table's roles this person acts in (a manager may do what a supervisor may)."""
        if self is StaffRole.AGENT:
            return frozenset({Role.AGENT})
        return frozenset({Role.AGENT, Role.SUPERVISOR})

    @property
    def sees_board(self) -> bool:
        return self is not StaffRole.AGENT


class StaffUser(BaseModel):
    username: Identifier = Field(description="Also the agent id cases are owned by")
    name: str
    role: StaffRole
    language: str = "zh"
    password_hash: str | None = Field(default=None, description="argon2id; None: IdP sign-in only")
    teams: list[TeamId] = Field(
        default_factory=list,
        description="Team queues this person works from (policies/routing.json); none: every team's",
    )


_HASHER = PasswordHasher()
_USERS = TypeAdapter(list[StaffUser])
# Verifying against this when the name is unknown keeps the time the same as for a wrong password.
_DUMMY = _HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def load(path: Path) -> dict[str, StaffUser]:
    if not path.exists():
        return {}
    return {u.username: u for u in _USERS.validate_json(path.read_bytes())}


def save(path: Path, users: dict[str, StaffUser]) -> None:
    """Written whole and renamed into place, readable by its owner only (it holds hashes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = [u.model_dump(mode="json") for u in sorted(users.values(), key=lambda u: u.username)]
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def add(path: Path, user: StaffUser, password: str | None) -> None:
    """Add or replace one account (`complaint-desk user-add`)."""
    users = load(path)
    hashed = hash_password(password) if password else None
    users[user.username] = user.model_copy(update={"password_hash": hashed})
    save(path, users)


# argon2 takes tens of milliseconds of CPU by design: never on the event loop (every other
# request would wait behind it), and at most two at once, so guessing cannot take every core.
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-check")
PASSWORD_MAX = 1024


async def verify_password(
    users: dict[str, StaffUser], username: str, password: str
) -> StaffUser | None:
    """`check_password` in the hashing pool."""
    if len(password) > PASSWORD_MAX:  # nobody's; and hashing a megabyte costs
        return None
    return await asyncio.get_running_loop().run_in_executor(
        _HASHING, check_password, users, username, password
    )


def check_password(users: dict[str, StaffUser], username: str, password: str) -> StaffUser | None:
    """Blocks for the hash: from a request, `verify_password`."""
    user = users.get(username)
    try:
        _HASHER.verify(user.password_hash if user and user.password_hash else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user and user.password_hash else None


def account_marker(user: StaffUser) -> str:
    """What a session is tied to: the password hash (new with every new password, even the
    same one re-set), or for an IdP-only account its name and role."""
    return user.password_hash or f"idp\x00{user.username}\x00{user.role.value}"


# `./dev up`'s people, so a newcomer can sign in at once (the README's try-it agent and
# supervisor). Their passwords are made once and kept beside the accounts, readable by the owner.
DEMO_PEOPLE = (
    StaffUser(username="agent-zhang", name="张伟", role=StaffRole.AGENT),
    StaffUser(username="sup-li", name="李主管", role=StaffRole.SUPERVISOR),
)


def demo_accounts(users_file: Path) -> dict[str, str]:
    """The demo people's passwords, created (with their accounts) the first time."""
    import secrets

    kept = users_file.with_name("demo-passwords.json")
    if kept.exists():
        passwords: dict[str, str] = json.loads(kept.read_text(encoding="utf-8"))
        return passwords
    existing = load(users_file)
    passwords = {
        p.username: secrets.token_urlsafe(9) for p in DEMO_PEOPLE if p.username not in existing
    }
    for person in DEMO_PEOPLE:
        if person.username in passwords:
            add(users_file, person, passwords[person.username])
    users_file.parent.mkdir(parents=True, exist_ok=True)
    kept.touch(mode=0o600)
    kept.write_text(json.dumps(passwords), encoding="utf-8")
    return passwords
