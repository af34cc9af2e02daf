"""What every gateway promises: take one message for one address, say what became of it.

A gateway raises `Refused` when the receiving side said no for good (an SMTP 5xx, a webhook 4xx):
retrying would only repeat the refusal. Anything else that goes wrong (connection refused, a
timeout, an SMTP 4xx, a webhook 5xx or 429) is `Deferred`: try again later. The messages of both
never carry the address or the text, so they may go to logs and the case's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from schemas.notification import Notification


class Refused(Exception):
    """Permanent: the gateway will not take this message."""


class Deferred(Exception):
    """Transient: the gateway may take it later."""


@dataclass(frozen=True)
class Destination:
    gateway: str  # a name from the routing table: "email", "sms", "wechat", "push", …
    address: str


class Gateway(Protocol):
    name: str

    async def send(self, notification: Notification, address: str) -> str:
        """Hand the message over; returns the gateway's id for it."""
        ...
