"""Finding cases for staff: by words, id, contact, product, grade, stage, owner, status, dates.

Words (Chinese or English, two characters or more, every word must match) are found anywhere in
a case's id, subject, product, description and messages (`case_words`, migration 0011: a word of
two characters looked up by the two-character pieces' index, a longer one by the trigram index,
both confirmed with LIKE). A contact (phone, e-mail, WeChat id or account id) matches exactly once
normalised (`contact_key`). Newest first, a page at a time by keyset: a page never shifts when
cases arrive.

Building the query (`query`) and reading filters from a form (`filters_from`) are pure; `search`
and `export` run it. Every value reaches PostgreSQL as a parameter.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import asyncpg

from reports.periods import ZONE
from schemas.case import Stage
from schemas.classification import Severity
from schemas.intake import Contact

PAGE = 25
MAX_PAGE = 100
EXPORT_ROWS = 10_000  # a CSV larger than this is a report's job, not a view's
MIN_WORD = 2
MESSAGE_KINDS = ("customer_message", "agent_message")


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class View(StrEnum):
    """The views everyone has; a saved view is a person's own set of filters."""

    ALL = "all"
    OPEN = "open"
    CLOSED = "closed"
    MINE = "mine"
    TEAM = "team"


class BadSearch(ValueError):
    """Filters that cannot be searched: `key` is the catalogue entry (`search.<key>`) saying why."""

    def __init__(self, key: str, **params: str | int) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Filters:
    words: tuple[str, ...] = ()
    contact: str | None = None  # normalised (contact_key)
    product: str | None = None
    severity: str | None = None
    stage: str | None = None
    owners: tuple[str, ...] = ()  # any of them
    team_owned: bool = False  # owned by a team (nobody took it yet): every team's
    status: Status | None = None
    received_from: date | None = None
    received_to: date | None = None  # inclusive

    def saved(self) -> dict[str, Any]:
        """What a saved view keeps: everything but a contact."""
        kept = asdict(replace(self, contact=None))
        return {
            k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
            for k, v in kept.items()
            if k != "contact"
        }

    @classmethod
    def from_saved(cls, kept: Mapping[str, Any]) -> Filters:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            words=tuple(kept.get("words") or ()),
            product=kept.get("product"),
            severity=kept.get("severity"),
            stage=kept.get("stage"),
            owners=tuple(kept.get("owners") or ()),
            team_owned=bool(kept.get("team_owned")),
            status=Status(kept["status"]) if kept.get("status") else None,
            received_from=day(kept.get("received_from")),
            received_to=day(kept.get("received_to")),
        )


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this case in newest-first order."""

    received_at: datetime
    complaint_id: str

    def token(self) -> str:
        raw = f"{self.received_at.isoformat()}|{self.complaint_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at, _, complaint_id = raw.partition("|")
            moment = datetime.fromisoformat(at)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadSearch("error.page") from None
        if not complaint_id or moment.tzinfo is None:
            raise BadSearch("error.page")
        return cls(moment, complaint_id)


@dataclass(frozen=True)
class Found:
    complaint_id: str
    subject: str
    product: str | None
    severity: str | None
    stage: str
    outcome: str | None
    owner: str
    received_at: datetime
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        return self.outcome is None and self.stage != Stage.DONE.value


@dataclass(frozen=True)
class Customer:
    """Personal data: only in a supervisor's export."""

    customer_id: str | None
    name: str | None
    phone: str | None
    email: str | None
    wechat: str | None


@dataclass(frozen=True)
class SearchPage:
    rows: list[Found]
    next: Cursor | None  # None: this is the last page
    customers: dict[str, Customer] = field(default_factory=dict)  # only when asked (export)


# ---- reading filters from a form or a query string ----

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,24}$")


def contact_key(contact: str) -> str:
    """One form for a contact however it was typed: a phone number's digits without China's
    +86, anything else lower-cased and trimmed."""
    text = contact.strip()
    if _PHONE.match(text):
        digits = re.sub(r"\D", "", text)
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return "phone:" + digits
    return "id:" + text.lower()


def contact_keys(contact: Contact | None, customer_id: str | None) -> list[str]:
    """Every key a case's customer is found by."""
    given = [customer_id]
    if contact is not None:
        given += [contact.phone, contact.email, contact.wechat]
    return sorted({contact_key(c) for c in given if c})


def looks_like_contact(word: str) -> bool:
    """An e-mail address or a phone number (seven digits or more)."""
    return "@" in word or (bool(_PHONE.match(word)) and sum(ch.isdigit() for ch in word) >= 7)


def grams(text: str) -> list[str]:
    """Every two-character piece of the text's words, once each: a two-character word is looked
    up among them (trigrams have none to offer it)."""
    return sorted({w[i : i + 2] for w in text.lower().split() for i in range(len(w) - 1)})


def words_of(text: str) -> tuple[str, ...]:
    """The words typed, each of two characters or more (one character matches nearly every case)."""
    words = tuple(dict.fromkeys(w.lower() for w in text.split()))
    short = [w for w in words if len(w) < MIN_WORD]
    if short:
        raise BadSearch("error.short_word", word=short[0], least=MIN_WORD)
    if len(words) > 8:
        raise BadSearch("error.many_words", most=8)
    return words


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadSearch("error.date", field=name) from None


def _code(value: str, allowed: Sequence[str], name: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise BadSearch("error.code", field=name)
    return value


def filters_from(
    form: Mapping[str, str], me: str, teams: Sequence[str], *, contact_allowed: bool
) -> Filters:
    """Filters from a search form's fields (`q`, `contact`, `product`, `severity`, `stage`,
    `owner`, `view`, `from`, `to`), for the person `me` working in `teams`. `contact_allowed`
    is False where the request would carry the contact in its URL: refused, not ignored."""

    def text(name: str, longest: int = 200) -> str:
        value = (form.get(name) or "").strip()
        if len(value) > longest:
            raise BadSearch("error.too_long", field=name, most=longest)
        return value

    contact = text("contact", 120)
    words = words_of(text("q"))
    if not contact_allowed and (contact or any(looks_like_contact(w) for w in words)):
        raise BadSearch("error.contact_in_url")
    view = _code(text("view"), [v.value for v in View], "view")
    owner = text("owner", 64)
    owners: tuple[str, ...] = (owner,) if owner else ()
    team_owned = False
    status = Status(view) if view in (View.OPEN, View.CLOSED) else None
    if view == View.MINE:
        owners = (me,)
    elif view == View.TEAM:
        owners, team_owned = (tuple(teams), False) if teams else ((), True)
    status_field = _code(text("status"), [s.value for s in Status], "status")
    if status_field:
        status = Status(status_field)
    received_from, received_to = _day(text("from"), "from"), _day(text("to"), "to")
    if received_from and received_to and received_from > received_to:
        raise BadSearch("error.dates_reversed")
    return Filters(
        words=words,
        contact=contact_key(contact) if contact else None,
        product=text("product", 120) or None,
        severity=_code(text("severity"), [s.value for s in Severity], "severity"),
        stage=_code(text("stage"), [s.value for s in Stage], "stage"),
        owners=owners,
        team_owned=team_owned,
        status=status,
        received_from=received_from,
        received_to=received_to,
    )


def page_size(value: str | None) -> int:
    if not value:
        return PAGE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise BadSearch("error.page_size", most=MAX_PAGE)
    return int(value)


# ---- the query ----

_OPEN = "(c.outcome IS NULL AND c.stage <> 'done')"
_COLUMNS = (
    "c.complaint_id, c.subject, c.product, c.severity, c.stage, c.outcome, c.owner, "
    "c.received_at, c.closed_at"
)
_CUSTOMER = ", k.customer_id AS k_customer_id, k.name, k.phone, k.email, k.wechat"


def _pattern(word: str) -> str:
    """A word is text, not a pattern: % _ and \\ match themselves."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _start_of(day: date) -> datetime:
    """Dates are the desk's business days (its zone), like the reports'."""
    return datetime.combine(day, time(), ZONE)


def query(
    filters: Filters, after: Cursor | None, limit: int, *, customers: bool = False
) -> tuple[str, list[object]]:
    """The statement and its parameters: newest first, `limit` rows after `after`."""
    args: list[object] = []

    def arg(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    where: list[str] = []
    for word in filters.words:
        # Two characters: by the pieces' index (no trigram in them); longer: by the trigrams'.
        found = f"w.grams @> {arg([word])}::text[]" if len(word) == MIN_WORD else "true"
        where.append(
            f"c.complaint_id IN (SELECT w.complaint_id FROM case_words w "
            f"WHERE {found} AND w.words LIKE {arg(_pattern(word))})"
        )
    if filters.contact:
        where.append(
            "c.complaint_id IN (SELECT k.complaint_id FROM case_customers k "
            f"WHERE k.contacts @> ARRAY[{arg(filters.contact)}]::text[])"
        )
    if filters.product:
        where.append(f"c.product ILIKE {arg(_pattern(filters.product))}")
    if filters.severity:
        where.append(f"c.severity = {arg(filters.severity)}")
    if filters.stage:
        where.append(f"c.stage = {arg(filters.stage)}")
    owned = []
    if filters.owners:
        owned.append(f"c.owner = ANY({arg(list(filters.owners))}::text[])")
    if filters.team_owned:
        owned.append("c.owner LIKE 'team-%'")
    if owned:
        where.append("(" + " OR ".join(owned) + ")")
    if filters.status is Status.OPEN:
        where.append(_OPEN)
    elif filters.status is Status.CLOSED:
        where.append(f"NOT {_OPEN}")
    if filters.received_from:
        where.append(f"c.received_at >= {arg(_start_of(filters.received_from))}")
    if filters.received_to:
        end = _start_of(filters.received_to + timedelta(days=1))
        where.append(f"c.received_at < {arg(end)}")
    if after is not None:
        where.append(
            f"(c.received_at, c.complaint_id) < ({arg(after.received_at)}, {arg(after.complaint_id)})"
        )
    columns = _COLUMNS + (_CUSTOMER if customers else "")
    joined = " LEFT JOIN case_customers k USING (complaint_id)" if customers else ""
    sql = (
        f"SELECT {columns} FROM complaints c{joined}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY c.received_at DESC, c.complaint_id DESC LIMIT {arg(limit)}"
    )
    return sql, args


def _found(r: asyncpg.Record) -> Found:
    return Found(
        r["complaint_id"],
        r["subject"],
        r["product"],
        r["severity"],
        r["stage"],
        r["outcome"],
        r["owner"],
        r["received_at"],
        r["closed_at"],
    )


async def search(
    connection: asyncpg.Connection,
    filters: Filters,
    after: Cursor | None = None,
    limit: int = PAGE,
    *,
    customers: bool = False,
) -> SearchPage:
    """One page; `customers` adds who complained (personal data: a supervisor's export)."""
    sql, args = query(filters, after, limit + 1, customers=customers)
    async with connection.transaction():
        # Planned for these very words: a plan made once for any word (what a prepared
        # statement settles on after five runs) scans every case's words for a common one.
        await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        rows = await connection.fetch(sql, *args)
    found = [_found(r) for r in rows[:limit]]
    more = len(rows) > limit
    people = (
        {
            r["complaint_id"]: Customer(
                r["k_customer_id"], r["name"], r["phone"], r["email"], r["wechat"]
            )
            for r in rows[:limit]
        }
        if customers
        else {}
    )
    last = found[-1] if more and found else None
    cursor = Cursor(last.received_at, last.complaint_id) if last else None
    return SearchPage(found, cursor, people)


# ---- what the projection writes for search ----


async def index_case(
    connection: asyncpg.Connection,
    complaint_id: str,
    case_words: str,
    messages: Sequence[tuple[int, str]],
    customer_id: str | None,
    customer_name: str | None,
    contact: Contact | None,
) -> None:
    """A case's words and customer as the projection has them; keyed, so writing the same
    projection again changes nothing. `messages`: (seq, text) of the entries written now."""
    await connection.execute(
        """INSERT INTO case_words (complaint_id, part, words, grams) VALUES ($1, 'case', $2, $3)
           ON CONFLICT (complaint_id, part) DO UPDATE
               SET words = EXCLUDED.words, grams = EXCLUDED.grams
           WHERE case_words.words <> EXCLUDED.words""",
        complaint_id,
        case_words.lower(),
        grams(case_words),
    )
    if messages:
        await connection.executemany(
            """INSERT INTO case_words (complaint_id, part, words, grams) VALUES ($1, $2, $3, $4)
               ON CONFLICT (complaint_id, part) DO NOTHING""",
            [(complaint_id, f"message:{seq}", text.lower(), grams(text)) for seq, text in messages],
        )
    keys = contact_keys(contact, customer_id)
    if not keys and not customer_name:
        return
    await connection.execute(
        """INSERT INTO case_customers AS k
               (complaint_id, customer_id, name, phone, email, wechat, contacts)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (complaint_id) DO UPDATE SET
               customer_id = EXCLUDED.customer_id, name = EXCLUDED.name,
               phone = EXCLUDED.phone, email = EXCLUDED.email, wechat = EXCLUDED.wechat,
               contacts = EXCLUDED.contacts
           WHERE (k.customer_id, k.name, k.phone, k.email, k.wechat, k.contacts)
                 IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.name, EXCLUDED.phone,
                                   EXCLUDED.email, EXCLUDED.wechat, EXCLUDED.contacts)""",
        complaint_id,
        customer_id,
        customer_name,
        contact.phone if contact else None,
        contact.email if contact else None,
        contact.wechat if contact else None,
        keys,
    )
