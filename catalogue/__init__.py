"""The message catalogue: every text a person reads, per language, one file a language.

`render(key, lang, params)` formats the entry with `str.format`-style placeholders. A parameter
whose name ends in `_at` holds an ISO-8601 moment and is shown in the reader's time zone in a
human format. A parameter named `stage`, `move`, `risk`, `department` or `deadline` holds a code
and is shown as the entry `<name>.<code>` (`stage.investigate` → 调查). A key missing from a language falls back to English, then to the key itself, so a
gap is visible rather than a crash (tests check that no key is missing).

A new language: add `catalogue/<lang>.py` with a `MESSAGES` dict and list it in `LANGUAGES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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
) -> str:
    template = messages(lang).get(key) or _CATALOGUES["en"].get(key) or key
    values = {name: _shown(name, value, lang, zone) for name, value in (params or {}).items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def moment(at: datetime, lang: str, zone: str = DEFAULT_ZONE) -> str:
    """A moment as a person reads it, in their zone: 12月8日 09:49 / 8 Dec 09:49."""
    local = at.astimezone(ZoneInfo(zone))
    if lang == "zh":
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"


# Parameters that carry a code whose word the catalogue holds under `<name>.<code>`.
CODED = ("stage", "move", "risk", "department", "deadline")


def _shown(name: str, value: str | int, lang: str, zone: str) -> str | int:
    if name in CODED and isinstance(value, str) and has(f"{name}.{value}", "en"):
        return render(f"{name}.{value}", lang)
    if name.endswith("_at") and isinstance(value, str):
        try:
            return moment(datetime.fromisoformat(value), lang, zone)
        except ValueError:
            return value
    return value
