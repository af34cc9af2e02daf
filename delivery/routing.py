"""Which gateway takes a message, and at which address: a table from configuration.

`DELIVERY_ROUTES` maps `"<audience>:<channel>"`, `"<audience>"` or `"*"` (most specific first) to
gateway names in order of preference; the first gateway that is configured *and* has an address
for the person wins. Customers are reached at their contact (e-mail, phone, WeChat id); staff at
`EMAIL_STAFF_ADDRESS` with their agent id (or their role) filled in.
"""

from __future__ import annotations

import re
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

# A staff id becomes the local part of an address: only these characters keep it one address on
# the desk's own host (an `@` or `:` would make it another host's, a `,` or space two addresses).
_SAFE_STAFF_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def staff_address(template: str, recipient: str) -> str | None:
    """The staff member's address from the template; None (nobody is sent to) for an id that
    could make the address anything other than theirs on the desk's host."""
    if not _SAFE_STAFF_ID.fullmatch(recipient):
        return None
    return template.format(recipient=recipient)


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
    staff_template: str,
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
            if kind == "email":
                address = staff_address(staff_template, who)
            else:
                address = who if _SAFE_STAFF_ID.fullmatch(who) else None
        if address:
            return Destination(name, address)
    return None
