"""Staff sessions and CSRF tokens, in one signed cookie, revocable on the server.

The cookie holds the user name, a random CSRF token, the person's sign-out generation and a
fingerprint of their account, signed (itsdangerous, HMAC-SHA1 over a key derived from the web
secret) and time-limited; it is HttpOnly, SameSite=Lax, and Secure when `WEB_SECURE_COOKIES` is
set. Every POST form carries the token in a hidden field and is refused without it (double
submit against the signed cookie).

A cookie counts only while it matches the server's state, checked on every request: signing out
moves the person's generation on (kept in `signed-out.json` beside the accounts file, so every
process on the machine and a restart see it), which ends every session of theirs at once; the
account is read again each time, so removing it, or setting a new password, ends them too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "cd_session"
LANG_COOKIE = "lang"
MAX_AGE = 8 * 3600  # one working day


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    generation: str
    account: str  # the fingerprint of the account it was started for


class SessionCookies:
    def __init__(self, secret: bytes, secure: bool, generations: Path) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="staff-session")
        self._csrf_key = hmac.new(secret, b"customer-csrf", hashlib.sha256).digest()
        self._account_key = hmac.new(secret, b"staff-account", hashlib.sha256).digest()
        self.secure = secure
        self.generations = generations

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"u", "c", "g", "a"} <= data.keys():
            return None
        return Session(str(data["u"]), str(data["c"]), str(data["g"]), str(data["a"]))

    def current(self, session: Session, account: str) -> bool:
        """The session still counts: not signed out since, and the account as it was."""
        return hmac.compare_digest(
            session.generation, self._generation(session.username)
        ) and hmac.compare_digest(session.account, self._fingerprint(account))

    def start(self, response: Response, username: str, account: str) -> Session:
        """`account`: what identifies the account now (its password hash; its name for an
        IdP-only one), so a changed or re-created account does not inherit old sessions."""
        session = Session(
            username,
            secrets.token_urlsafe(24),
            self._generation(username),
            self._fingerprint(account),
        )
        value = self._signer.dumps(
            {"u": username, "c": session.csrf, "g": session.generation, "a": session.account}
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )
        return session

    def revoke(self, username: str) -> None:
        """End every session of this person, in every process that reads the same file."""
        generations = self._generations()
        generations[username] = secrets.token_urlsafe(12)
        self.generations.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.generations.with_name(f".{self.generations.name}.{os.getpid()}")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(generations, file)
        tmp.replace(self.generations)

    def _generations(self) -> dict[str, str]:
        try:
            data = json.loads(self.generations.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _generation(self, username: str) -> str:
        return self._generations().get(username, "0")

    def _fingerprint(self, account: str) -> str:
        return hmac.new(self._account_key, account.encode(), hashlib.sha256).hexdigest()[:24]

    def end(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)

    def link_csrf(self, token: str) -> str:
        """The customer page has no session: its forms carry a token bound to the link itself."""
        return hmac.new(self._csrf_key, token.encode(), hashlib.sha256).hexdigest()[:32]


def same(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(expected, given)
