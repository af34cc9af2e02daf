"""Which gateway takes a message, and at which address: a table from configuration.

`DELIVERY_ROUTES` maps `"<audience>:<channel>"`, `"<audience>"` or `"*"` (most specific first) to
gateway names in order of preference; the first gateway that is configured *and* has an address
for the person wins. Customers are reached at their contact (e-mail, phone, WeChat id); staff at
`EMAIL_STAFF_ADDRESS` with their agent id (or their role) filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import TypeAdapter

from delivery.gateway import Destination
from schemas.notification import Audience, Notification

AddressKind = Literal["phone", "email", "wechat"]
Routes = dict[str, list[str]]

DEFAULT_ROUTES: Routes = {
    "customer:email": ["email", "sms"],
    "customer:wechat": ["wechat", "sms", "email"],
    "customer:app_form": ["push", "sms", "email"],
    "customer:weibo": ["public", "sms", "email"],
    "customer:douyin": ["public", "sms", "email"],
    "customer:app_store_review": ["public", "email", "sms"],
    "customer": ["sms", "email", "wechat"],
    "*": ["email"],
}
_ROUTES = TypeAdapter(Routes)


def parse_routes(text: str | None) -> Routes:
    """The configured table (JSON), or the default; a bad table stops the worker's start."""
    return _ROUTES.validate_json(text) if text else DEFAULT_ROUTES


def preferences(routes: Routes, notification: Notification) -> list[str]:
    audience = notification.audience.value
    keys = [f"{audience}:{notification.channel.value}"] if notification.channel else []
    for key in [*keys, audience, "*"]:
        if key in routes:
            return routes[key]
    return []


def destination(
    routes: Routes,
    notification: Notification,
    gateways: Mapping[str, AddressKind],
    staff_address: str,
) -> Destination | None:
    """The first preferred gateway that exists and can reach this person; None if none can.
    `gateways` gives, for each configured gateway, the kind of address it sends to."""
    n = notification
    for name in preferences(routes, n):
        kind = gateways.get(name)
        if kind is None:
            continue
        if n.audience is Audience.CUSTOMER:
            contact = n.contact
            address = getattr(contact, kind, None) if contact else None
        else:
            who = n.recipient or n.audience.value
            address = staff_address.format(recipient=who) if kind == "email" else who
        if address:
            return Destination(name, address)
    return None
