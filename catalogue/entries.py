"""A timeline entry and a staff notification as a person reads them, from their kind (or topic)
and facts, never from the operators' English `summary`/`text` (pure; pages and letters call it).

The key is `entry.<kind>` (`notice.<topic>`), or `entry.<kind>.<variant>` when the facts name a
variant: a kind recorded in several ways (`deadline_met` late, or closed because the result was
delivered) has one sentence a way. Besides the catalogue's naming rules (`catalogue.shown`), a few
facts are read here:

- `variant` (or, for a refused signal, `why`): which sentence; not shown itself.
- `old_<x>` / `new_<x>` for x in `CHANGED`: what a person changed; shown together as `{changes}`.
- `refusal`: a refusal's code, with its parameters among the facts; shown as `{refusal}`, the
  refusal's own words.
- `answer_<key>`: a survey answer to question `<key>`; all of them shown together as `{answers}`
  (`answers_text`), each under its question's short name (`survey.label.<key>`).
- `note`: an optional remark of the person who acted, after the sentence when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from string import Formatter

from catalogue import DEFAULT_ZONE, messages, render
from schemas.survey import ANSWER_FACT

SELECTORS = ("variant", "why")
CHANGED = ("category", "sub_category", "severity", "risk", "owner")
NOTE = "note"
ANSWER = ANSWER_FACT


def entry_key(kind: str, facts: Mapping[str, str]) -> str:
    return _key("entry", kind, facts)


def notice_key(topic: str, facts: Mapping[str, str]) -> str:
    return _key("notice", topic, facts)


def entry_text(
    kind: str,
    facts: Mapping[str, str],
    lang: str,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> str:
    """What a timeline entry of `kind` says in `lang`, its moments in the reader's `zone`."""
    return _text(entry_key(kind, facts), facts, lang, zone, now)


def notice_text(
    topic: str,
    facts: Mapping[str, str],
    lang: str,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> str:
    """The body of a staff letter or alert of `topic` in the staff member's `lang`."""
    return _text(notice_key(topic, facts), facts, lang, zone, now)


def complete(kind: str, facts: Mapping[str, str], lang: str = "en") -> bool:
    """Whether `facts` fill the sentence of an entry of `kind`. Entries recorded before
    entries carried facts (a case started by 1.0) do not: a page shows their summary instead."""
    return fills(entry_key(kind, facts), facts, lang)


def fills(key: str, facts: Mapping[str, str], lang: str = "en") -> bool:
    """Whether `facts` fill every placeholder of the catalogue's `key`."""
    template = messages(lang).get(key)
    if template is None:
        return False
    given = set(facts) | set(composed(facts, lang))
    return all(name in given for _, name, _, _ in Formatter().parse(template) if name)


def _key(prefix: str, kind: str, facts: Mapping[str, str]) -> str:
    variant = next((facts[s] for s in SELECTORS if facts.get(s)), None)
    return f"{prefix}.{kind}.{variant}" if variant else f"{prefix}.{kind}"


def _text(key: str, facts: Mapping[str, str], lang: str, zone: str, now: datetime | None) -> str:
    params: dict[str, str] = {
        name: value
        for name, value in facts.items()
        if name not in SELECTORS and name not in ("refusal", NOTE) and not name.startswith(ANSWER)
    }
    params |= composed(facts, lang)
    if facts.get("refusal"):
        params["refusal"] = render(f"refusal.{facts['refusal']}", lang, params, zone, now)
    text = render(key, lang, params, zone, now)
    if facts.get(NOTE):
        text += render("entry.note", lang, {NOTE: facts[NOTE]})
    return text


def composed(facts: Mapping[str, str], lang: str) -> dict[str, str]:
    """The placeholders that stand for several facts together, in the reader's words:
    `answers` (every `answer_<key>`) and `changes` (every `old_<x>`/`new_<x>` pair)."""
    found: dict[str, str] = {}
    if any(name.startswith(ANSWER) for name in facts):
        found["answers"] = answers_text(facts, lang)
    if any(f"new_{name}" in facts for name in CHANGED):
        found["changes"] = _changes(facts, lang)
    return found


def answers_text(facts: Mapping[str, str], lang: str) -> str:
    """A survey's answers in the reader's words: `result 5/5; suggestions: “…”`."""
    parts = []
    for name, value in facts.items():
        if not name.startswith(ANSWER):
            continue
        key = name.removeprefix(ANSWER)
        label = messages(lang).get(f"survey.label.{key}") or key
        shape = "survey.score" if value.isdigit() else "survey.words"
        parts.append(render(shape, lang, {"label": label, "value": value}))
    return render("survey.joiner", lang).join(parts)


def _changes(facts: Mapping[str, str], lang: str) -> str:
    """`severity L2 → L1; risk low → high`, each part in the reader's words."""
    parts = [
        render(f"entry.change.{name}", lang, {f"old_{name}": old, f"new_{name}": new})
        for name in CHANGED
        if (new := facts.get(f"new_{name}")) is not None
        and (old := facts.get(f"old_{name}")) is not None
    ]
    return render("entry.change.separator", lang).join(parts) or render("entry.change.none", lang)
