"""Staff sessions and CSRF tokens, in one signed cookie.

The cookie holds the user name and a random CSRF token, signed (itsdangerous, HMAC-SHA1 over a
key derived from the web secret) and time-limited; it is HttpOnly, SameSite=Lax, and Secure when
`WEB_SECURE_COOKIES` is set. Every POST form carries the token in a hidden field and is refused
without it (double submit against the signed cookie). The person is looked up again on every
request, so removing an account ends its sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

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


class SessionCookies:
    def __init__(self, secret: bytes, secure: bool) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="staff-session")
        self._csrf_key = hmac.new(secret, b"customer-csrf", hashlib.sha256).digest()
        self.secure = secure

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"u", "c"} <= data.keys():
            return None
        return Session(str(data["u"]), str(data["c"]))

    def start(self, response: Response, username: str) -> Session:
        session = Session(username, secrets.token_urlsafe(24))
        value = self._signer.dumps({"u": session.username, "c": session.csrf})
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

    def end(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)

    def link_csrf(self, token: str) -> str:
        """The customer page has no session: its forms carry a token bound to the link itself."""
        return hmac.new(self._csrf_key, token.encode(), hashlib.sha256).hexdigest()[:32]


def same(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(expected, given)
