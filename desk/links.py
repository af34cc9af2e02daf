"""The customer's progress link: a signed, expiring path that names one case and nothing else.

`/p/<token>`, the token being `<complaint id>.<expiry, unix seconds>.<HMAC-SHA256>` in URL-safe
base64. No account is needed: holding the link is the permission, for that case only, until it
expires. The complaint id is a case reference, not personal data; nothing about the customer is
in the link. A different secret (rotation) refuses every older link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from configuration.settings import Settings

PREFIX = "/p/"


class LinkRefused(Exception):
    """The link was tampered with, is malformed, or has expired: show nothing of any case."""


@dataclass(frozen=True)
class ProgressLink:
    complaint_id: str
    expires_at: datetime
    token: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, b"progress-link\x00" + body.encode(), hashlib.sha256).digest())


# An SMS has 70 Chinese characters a segment: its link carries the MAC cut to 96 bits, still
# far beyond guessing within a link's lifetime.
SHORT_MAC = 16


def progress_token(
    complaint_id: str, expires_at: datetime, secret: bytes, short: bool = False
) -> str:
    body = f"{_b64(complaint_id.encode())}.{int(expires_at.timestamp())}"
    mac = _mac(secret, body)
    return f"{body}.{mac[:SHORT_MAC] if short else mac}"


def progress_link(
    complaint_id: str, expires_at: datetime, secret: bytes, short: bool = False
) -> str:
    """The path (join it to the public base URL) that shows this case's progress to its customer;
    `short` for an SMS."""
    return PREFIX + progress_token(complaint_id, expires_at, secret, short)


def verify(token: str, secret: bytes, now: datetime | None = None) -> ProgressLink:
    """The case a token opens, or LinkRefused; the signature is checked before anything is read."""
    parts = token.split(".")
    if len(parts) != 3:
        raise LinkRefused("malformed")
    body = f"{parts[0]}.{parts[1]}"
    expected = _mac(secret, body)
    if len(parts[2]) == SHORT_MAC:
        expected = expected[:SHORT_MAC]
    if not hmac.compare_digest(expected, parts[2]):
        raise LinkRefused("bad signature")
    try:
        complaint_id = _unb64(parts[0]).decode()
        expires_at = datetime.fromtimestamp(int(parts[1]), UTC)
    except (ValueError, UnicodeDecodeError):
        raise LinkRefused("malformed") from None
    if expires_at <= (now or datetime.now(UTC)):
        raise LinkRefused("expired")
    return ProgressLink(complaint_id, expires_at, token)


def link_secret(home: Path, configured: str | None) -> bytes:
    """The key that signs progress links and staff cookies: `WEB_SECRET`, or one generated once
    and kept in `$COMPLAINT_DESK_HOME/web-secret` (mode 0600) so links survive a restart. Every
    server behind a load balancer must be given the same one."""
    if configured:
        return configured.encode()
    path = home / "web-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def customer_link(settings: Settings, complaint_id: str, now: datetime, short: bool = False) -> str:
    """What the delivery layer puts in every customer message: the path (join it to the public
    base URL) valid for `WEB_LINK_DAYS` from `now`, signed with the configured secret."""
    secret = settings.web_secret.get_secret_value() if settings.web_secret else None
    expires_at = now + timedelta(days=settings.web_link_days)
    return progress_link(complaint_id, expires_at, link_secret(settings.home, secret), short)
