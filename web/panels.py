"""What the case page and the progress page include of evidence and canned replies: their
partials' values (`evidence.html`, `canned_insert.html`), and who of staff may see a case's
files (`workspace.staff_of_case`). The routes are in `web.evidence` and `web.canned`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import catalogue
from desk import links
from evidence import canned
from schemas.case import CaseSnapshot
from schemas.evidence import EvidenceSource
from web.context import Web
from web.users import StaffUser
from web.workspace import staff_of_case


def say(lang: str, area: str) -> Callable[..., str]:
    """A word of this area (`evidence.<key>`, `canned.<key>`) in the reader's language."""

    def word(key: str, **params: str | int) -> str:
        return catalogue.render(f"{area}.{key}", lang, params)

    return word


def size(size_bytes: int, lang: str) -> str:
    """A file's size as the reader writes it: 10.0 MB / 10.0 兆字节."""
    if size_bytes < 1024:
        return catalogue.render("evidence.size.bytes", lang, {"n": str(size_bytes)})
    if size_bytes < 1024 * 1024:
        return catalogue.render("evidence.size.kb", lang, {"n": f"{size_bytes / 1024:.0f}"})
    return catalogue.render("evidence.size.mb", lang, {"n": f"{size_bytes / 1024 / 1024:.1f}"})


# What a customer sees of a case's files: their own (mailed or uploaded), not staff's.
CUSTOMERS = frozenset({EvidenceSource.EMAIL, EvidenceSource.CUSTOMER})


async def staff_panel(
    web: Web, lang: str, user: StaffUser, case: CaseSnapshot, csrf: str
) -> dict[str, Any]:
    """What `evidence.html` needs on the case page (no file named to staff not of the case)."""
    cid = case.complaint_id
    values = await _panel(web, lang, cid, f"/cases/{cid}", csrf, customer=False)
    if not staff_of_case(user, case):
        values.update(evidence_files=[], evidence_hidden=True)
    return values


async def customer_panel(web: Web, lang: str, complaint_id: str, token: str) -> dict[str, Any]:
    """What `evidence.html` needs on the progress page."""
    csrf = web.cookies.link_csrf(token)
    return await _panel(web, lang, complaint_id, links.PREFIX + token, csrf, customer=True)


async def _panel(
    web: Web, lang: str, complaint_id: str, base: str, csrf: str, customer: bool
) -> dict[str, Any]:
    files = await web.evidence.of_case(complaint_id)
    return {
        "evidence_files": [f for f in files if f.source in CUSTOMERS] if customer else files,
        "evidence_base": base,
        "evidence_csrf": csrf,
        "evidence_say": say(lang, "evidence"),
        "evidence_size": lambda n: size(n, lang),
        "evidence_refusal": lambda code: catalogue.render(f"evidence_refusal.{code}", lang),
        "evidence_max": size(web.evidence.limits.max_bytes, lang),
        "evidence_hidden": False,
        # how a file's source reads: "from the customer's e-mail" to staff, "from your e-mail"
        # to the customer
        "evidence_from": "yours_" if customer else "from_",
    }


async def choices(web: Web, lang: str, complaint_id: str) -> dict[str, Any]:
    """What `canned_insert.html` needs on the case page: one choice per canned reply."""
    async with web.pool.acquire() as connection:
        replies = await canned.all_replies(connection)
    titles: dict[str, str] = {}
    for reply in replies:  # the title in the reader's language, else any
        if reply.lang == lang or reply.name not in titles:
            titles[reply.name] = reply.title
    return {
        "canned_choices": sorted(titles.items()),
        "canned_url": f"/cases/{complaint_id}/canned",
        "canned_say": say(lang, "canned"),
    }
