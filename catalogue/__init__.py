"""The message catalogue: every text a person reads, per language, one file a language.

`render(key, lang, params)` formats the entry with `str.format`-style placeholders. A parameter
whose name ends in `_at` holds an ISO-8601 moment and is shown in the reader's time zone in a
human format (今天 18:30, 12月8日 09:49), one ending in `_yuan` is money (¥200.00), and one named
by a code's kind (`stage`, `from_stage`, `severity`, … see `CODED`) is shown as the entry
`<kind>.<code>` (`stage.investigate` → 调查). Anything else is shown as it is. A key missing from
a language falls back to English, then to the key itself, so a gap is visible rather than a crash
(tests check that no key is missing).

Pages and letters render from structured fields (a timeline entry's or a notification's `kind`
and `facts`), never from the English summaries the timeline keeps for operators.

A new language: add `catalogue/<lang>.py` with a `MESSAGES` dict and list it in `LANGUAGES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from catalogue import en, zh

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
DEFAULT_ZONE = "Asia/Shanghai"

_CATALOGUES: dict[str, Mapping[str, str]] = {"en": en.MESSAGES, "zh": zh.MESSAGES}


def messages(lang: str) -> Mapping[str, str]:
    return _CATALOGUES.get(lang, _CATALOGUES["en"])


def has(key: str, lang: str) -> bool:
    return key in messages(lang)


def render(
    key: str,
    lang: str,
    params: Mapping[str, str | int] | None = None,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> str:
    """The entry `key` in `lang` with `params` shown as a person reads them (`shown`). `now`
    lets a moment say 今天 / Today; without it the date is always written out."""
    template = messages(lang).get(key) or _CATALOGUES["en"].get(key) or key
    values = {name: shown(name, value, lang, zone, now) for name, value in (params or {}).items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def company(names: Mapping[str, str], lang: str) -> str:
    """The company the desk speaks for, as customers read it: the `COMPANY_NAME` setting in
    their language, else the catalogue's neutral name (客户服务中心 / Customer Care)."""
    return names.get(lang) or render("company.default", lang)


def moment(at: datetime, lang: str, zone: str = DEFAULT_ZONE, now: datetime | None = None) -> str:
    """A moment as a person reads it, in their zone: 今天 18:30, 12月8日 09:49 / Today 18:30,
    8 Dec 09:49; the year only when it is not the current one."""
    local = at.astimezone(ZoneInfo(zone))
    today = now.astimezone(ZoneInfo(zone)).date() if now else None
    day = local.date()
    if today is not None and (day - today).days in _NEAR_DAYS:
        return f"{messages(lang).get(_NEAR_DAYS[(day - today).days], '')} {local:%H:%M}".strip()
    if lang == "zh":
        year = f"{local.year}年" if today is not None and local.year != today.year else ""
        return f"{year}{local.month}月{local.day}日 {local:%H:%M}"
    year = f" {local.year}" if today is not None and local.year != today.year else ""
    return f"{local.day} {local:%b}{year} {local:%H:%M}"


_NEAR_DAYS = {-1: "time.yesterday", 0: "time.today", 1: "time.tomorrow"}


def money(amount: str | Decimal, lang: str, currency: str = "CNY") -> str:
    """An amount in the currency's format: ¥200.00 / CNY 200.00 (R-RS-2 compensation)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return f"¥{value:,}" if lang == "zh" and currency == "CNY" else f"{currency} {value:,}"


# A parameter whose name ends in one of these holds a code; its word is the entry
# `<suffix>.<code>`: `from_stage=investigate` → stage.investigate → 调查.
CODED = (
    "stage",
    "move",
    "risk",
    "department",
    "deadline",
    "severity",
    "category",
    "outcome",
    "channel",
    "closed_by",
    "evidence_refusal",
    "regime",
    "regulatory_clock",
    "regulatory_letter",
    "regulatory_bucket",
)


def shown(
    name: str, value: str | int, lang: str, zone: str = DEFAULT_ZONE, now: datetime | None = None
) -> str | int:
    """How a parameter reads, by its name: `*_at` a moment (ISO-8601) in the reader's zone,
    `*_yuan` money, a coded suffix (`CODED`) its word; anything else as it is (a person's words,
    an id, a number)."""
    if not isinstance(value, str):
        return value
    coded = next((c for c in CODED if name == c or name.endswith("_" + c)), None)
    if coded is not None and has(f"{coded}.{value}", "en"):
        return render(f"{coded}.{value}", lang)
    if name.endswith("_at"):
        try:
            return moment(datetime.fromisoformat(value), lang, zone, now)
        except ValueError:
            return value
    if name.endswith("_yuan"):
        try:
            return money(value, lang)
        except ArithmeticError:
            return value
    return value
