"""An HTTP webhook gateway, for SMS, WeChat and app-push providers (or the adapter in front of
them): one JSON POST per message.

The provider can trust and dedupe what it receives: `X-Signature: sha256=<hex HMAC-SHA256 of the
exact body>` under the webhook's secret, and the notification key as `Idempotency-Key` (the same
on every retry). A 2xx is delivered; 408, 429 and 5xx are tried again later; any other 4xx is the
provider's final no.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal

import httpx
from pydantic import BaseModel, SecretStr

from delivery import texts
from delivery.gateway import Deferred, Refused
from delivery.texts import LetterSettings
from schemas.notification import Audience, Notification

AddressField = Literal["phone", "email", "wechat"]
_RETRYABLE = frozenset({408, 425, 429})


class WebhookConfig(BaseModel):
    """One entry of `DELIVERY_WEBHOOKS` (a JSON object: gateway name -> this)."""

    url: str
    secret: SecretStr
    address: AddressField = "phone"
    timeout_seconds: float = 10


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def body(notification: Notification, address: str, gateway: str, letters: LetterSettings) -> bytes:
    """`text` is the short text (two SMS segments at most); `full_text` the whole letter in plain
    text, for a gateway that carries long messages (WeChat, app inbox)."""
    n = notification
    letter = texts.letter(letters, n, by_email=False)
    short = texts.short_text(letters, n)
    public = n.audience is Audience.CUSTOMER and n.channel in texts.PUBLIC_CHANNELS
    payload = {
        "id": n.key,
        "channel": gateway,
        "to": address,
        "complaint_id": n.complaint_id,
        "audience": n.audience.value,
        "topic": n.topic,
        "language": letter.language,
        "text": short,
        "full_text": short if public else texts.plain(letter),
        "urgent": n.urgent,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class WebhookGateway:
    name: str
    config: WebhookConfig
    client: httpx.AsyncClient
    letters: LetterSettings

    @property
    def address_field(self) -> AddressField:
        return self.config.address

    async def send(self, notification: Notification, address: str) -> str:
        content = body(notification, address, self.name, self.letters)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": notification.key,
            "X-Signature": signature(self.config.secret.get_secret_value().encode(), content),
        }
        try:
            response = await self.client.post(
                self.config.url,
                content=content,
                headers=headers,
                timeout=self.config.timeout_seconds,
            )
        except httpx.HTTPError as err:
            raise Deferred(f"{self.name} webhook unreachable ({type(err).__name__})") from None
        status = response.status_code
        if 200 <= status < 300:
            return _provider_id(response) or notification.key
        if status in _RETRYABLE or status >= 500:
            raise Deferred(f"{self.name} webhook answered {status}")
        raise Refused(f"{self.name} webhook refused ({status})")


def _provider_id(response: httpx.Response) -> str | None:
    try:
        found = response.json()
    except ValueError:
        return None
    value = found.get("id") if isinstance(found, dict) else None
    return str(value)[:120] if value is not None else None
