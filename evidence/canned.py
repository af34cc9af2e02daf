"""Canned replies: texts staff insert into a message to the customer, kept as data in the case
store (`canned_replies`, seeded by its migration) and edited by supervisors.

A text may name the case's facts as placeholders: `{customer_name}`, `{complaint_id}` and
`{promised_at}` (the earliest promise still open to the customer, in their language and the
desk's zone). A text naming anything else is refused when it is saved; a text naming a fact the
case does not have (an anonymous customer's name, a promise when none is open) is refused when it
is inserted, never sent with a hole in it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from catalogue import moment
from schemas.refusals import Refusal, RefusalCode

PLACEHOLDERS = ("customer_name", "complaint_id", "promised_at")
LANGUAGES = ("zh", "en")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # as the table's check says


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


@dataclass(frozen=True)
class CannedReply:
    name: str
    lang: str
    title: str
    body: str
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class CaseFacts:
    """What a canned reply may name of a case (None: the case does not have it)."""

    complaint_id: str
    customer_name: str | None
    promised_at: datetime | None


class CannedRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.english())
        self.refusal = refusal


def placeholders(body: str) -> list[str]:
    """The placeholders a text names; `CannedRefused` for one the desk does not know, or a
    placeholder written with a format or an attribute (`{complaint_id!r}`, `{a.b}`)."""
    named: list[str] = []
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError:
        raise CannedRefused(Refusal(RefusalCode.CANNED_BROKEN_PLACEHOLDER)) from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            raise CannedRefused(
                Refusal(
                    RefusalCode.CANNED_UNKNOWN_PLACEHOLDER,
                    {"placeholder": field, "known": ", ".join(PLACEHOLDERS)},
                )
            )
        named.append(field)
    return named


def fill(body: str, facts: CaseFacts, lang: str) -> str:
    """The text with the case's facts in it; `CannedRefused` names the first fact it lacks."""
    values: dict[str, str] = {"complaint_id": facts.complaint_id}
    if facts.customer_name:
        values["customer_name"] = facts.customer_name
    if facts.promised_at is not None:
        values["promised_at"] = moment(facts.promised_at, lang)
    for name in placeholders(body):
        if name not in values:
            raise CannedRefused(Refusal(RefusalCode.CANNED_FACT_MISSING, {"placeholder": name}))
    return body.format(**values)


async def all_replies(connection: asyncpg.Connection) -> list[CannedReply]:
    rows = await connection.fetch("SELECT * FROM canned_replies ORDER BY name, lang")
    return [CannedReply(**dict(row)) for row in rows]


async def reply(connection: asyncpg.Connection, name: str, lang: str) -> CannedReply | None:
    row = await connection.fetchrow(
        "SELECT * FROM canned_replies WHERE name = $1 AND lang = $2", name, lang
    )
    return CannedReply(**dict(row)) if row else None


async def save(
    connection: asyncpg.Connection, name: str, lang: str, title: str, body: str, by: str
) -> None:
    """Write one text (checked first: nothing is stored if it names an unknown placeholder)."""
    placeholders(body)
    await connection.execute(
        """INSERT INTO canned_replies (name, lang, title, body, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (name, lang) DO UPDATE
           SET title = $3, body = $4, updated_by = $5, updated_at = now()""",
        name,
        lang,
        title,
        body,
        by,
    )


async def remove(connection: asyncpg.Connection, name: str) -> None:
    await connection.execute("DELETE FROM canned_replies WHERE name = $1", name)
