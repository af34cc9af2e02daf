"""From `Settings` to the gateways a worker sends through (read once, at the process edge)."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import BaseModel, TypeAdapter

from case_store.db import Pool
from configuration.settings import Settings
from delivery.dispatch import Backoff, Delivery, Route
from delivery.routing import parse_routes
from delivery.smtp import SmtpGateway, SmtpSettings
from delivery.texts import LetterSettings
from delivery.webhook import WebhookConfig, WebhookGateway

_WEBHOOKS = TypeAdapter(dict[str, WebhookConfig])


def reply_secret(settings: Settings) -> bytes:
    """`DELIVERY_REPLY_SECRET`, or one made once and kept in the home folder (mode 0600), so the
    worker that writes and the listener that reads answers agree on one machine. Several
    machines must share it by setting it."""
    if settings.delivery_reply_secret:
        return settings.delivery_reply_secret.get_secret_value().encode()
    path = settings.home / "reply-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return Path(path).read_text().strip().encode()


def letter_settings(settings: Settings) -> LetterSettings:
    def progress_link(complaint_id: str, short: bool = False) -> str:
        from desk.links import customer_link

        path = customer_link(settings, complaint_id, datetime.now(UTC), short)
        return settings.public_url.rstrip("/") + path

    return LetterSettings(
        settings.email_from,
        settings.email_reply_address,
        reply_secret(settings),
        progress_link,
        short_link=lambda complaint_id: progress_link(complaint_id, short=True),
        company=settings.company_name,
        staff_url=settings.staff_url,
        staff_language=lambda agent: staff_languages(settings.users_file).get(agent),
    )


class _StaffLanguage(BaseModel):
    username: str
    language: str | None = None


_STAFF = TypeAdapter(list[_StaffLanguage])


def staff_languages(users_file: Path) -> dict[str, str | None]:
    """Each staff member's language, from the staff registry (`web/users.py` keeps it; the worker
    sits below the web, so it reads these two fields of the file, at each letter: an account
    changed in the workspace is written the next time)."""
    if not users_file.exists():
        return {}
    return {u.username: u.language for u in _STAFF.validate_json(users_file.read_bytes())}


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    if not settings.smtp_host:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpSettings(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_username,
        password,
        settings.smtp_timeout_seconds,
    )


def delivery(settings: Settings, pool: Pool, http: httpx.AsyncClient) -> Delivery | None:
    """The configured delivery, or None when no gateway is configured (outbox only)."""
    routes: dict[str, Route] = {}
    letters = letter_settings(settings)
    smtp = smtp_settings(settings)
    if smtp:
        routes["email"] = Route(SmtpGateway(smtp, letters), "email")
    for name, config in _WEBHOOKS.validate_json(settings.delivery_webhooks).items():
        routes[name] = Route(WebhookGateway(name, config, http, letters), config.address)
    if not routes:
        return None
    return Delivery(
        pool,
        routes,
        parse_routes(settings.delivery_routes),
        staff_address=settings.email_staff_address,
        fallback_address=settings.email_fallback_address,
        backoff=Backoff(
            timedelta(seconds=settings.delivery_retry_initial_seconds),
            timedelta(seconds=settings.delivery_retry_max_seconds),
        ),
    )
