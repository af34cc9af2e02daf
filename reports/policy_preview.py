"""The policy dry run as people read it, in their language (the CLI prints it, the staff pages
show it): one row per deadline that would move, one per setting that would change, each cell
from the catalogue (`policy_change.*`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import TypeAdapter, ValidationError

import catalogue
from catalogue import DEFAULT_ZONE
from schemas.policy_preview import DeadlineShift, PolicyPreview

_SPAN = TypeAdapter(timedelta)


@dataclass(frozen=True)
class PreviewTable:
    """What a supervisor reads before confirming: the headings, a row per moved deadline (case,
    deadline, due, warning, escalation: each `before → after`), a row per changed setting, and
    one line a case that would refuse the change."""

    deadline_header: list[str]
    deadline_rows: list[list[str]]
    setting_header: list[str]
    setting_rows: list[list[str]]
    refused: list[str]
    summary: str


def table(
    previews: Sequence[PolicyPreview],
    lang: str,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> PreviewTable:
    def t(key: str, params: dict[str, str | int] | None = None) -> str:
        return catalogue.render(f"policy_change.{key}", lang, params, zone, now)

    def at(moment: datetime | None) -> str:
        return catalogue.moment(moment, lang, zone, now) if moment else t("none")

    def pair(before: datetime | None, after: datetime | None) -> str:
        return at(after) if before == after else f"{at(before)} → {at(after)}"

    rows = [
        [
            p.complaint_id,
            deadline_name(d, lang),
            pair(d.due_before, d.due_after),
            pair(d.warn_before, d.warn_after),
            pair(d.management_before, d.management_after),
        ]
        for p in previews
        if p.refusal is None
        for d in p.moved
    ]
    settings: dict[str, list[str]] = {}  # the same change on many cases is one row
    for p in previews:
        for s in p.settings:
            settings.setdefault(
                s.setting,
                [
                    t(f"setting.{s.setting}"),
                    setting_value(s.setting, s.before, lang),
                    setting_value(s.setting, s.after, lang),
                ],
            )
    refused = [
        f"{p.complaint_id}: {catalogue.render(f'refusal.{p.refusal}', lang, _refusal_params(p))}"
        for p in previews
        if p.refusal is not None
    ]
    applying = [p for p in previews if p.refusal is None]
    return PreviewTable(
        deadline_header=[t(f"column.{c}") for c in ("case", "deadline", "due", "warn", "manage")],
        deadline_rows=rows,
        setting_header=[t(f"column.{c}") for c in ("setting", "before", "after")],
        setting_rows=list(settings.values()),
        refused=refused,
        summary=t(
            "summary",
            {
                "cases": len(previews),
                "applying": len(applying),
                "moving": sum(1 for p in applying if p.moved),
                "deadlines": len(rows),
                "refusing": len(refused),
            },
        ),
    )


def deadline_name(d: DeadlineShift, lang: str) -> str:
    kind = str(catalogue.shown("deadline", d.kind.value, lang))
    level = f"{d.severity.value} " if d.severity else ""
    again = catalogue.render("policy_change.round", lang, {"round": d.round}) if d.round else ""
    return f"{level}{kind}{again}"


def setting_value(setting: str, value: str, lang: str) -> str:
    """A setting's value in the reader's words: a duration in days, hours and minutes, money
    as money, a share as a percentage."""
    if value == "-":
        return catalogue.render("policy_change.none", lang)
    if setting.endswith("_yuan"):
        return catalogue.money(value, lang)
    if setting.endswith("warn_at"):
        return f"{float(value):.0%}"
    try:
        span = _SPAN.validate_python(value)
    except ValidationError:
        return value
    return duration(span, lang)


def duration(span: timedelta, lang: str) -> str:
    minutes = int(span.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        catalogue.render(f"policy_change.{unit}", lang, {"n": n})
        for unit, n in (("days", days), ("hours", hours), ("minutes", minutes))
        if n
    ]
    return " ".join(parts) or catalogue.render("policy_change.minutes", lang, {"n": 0})


def _refusal_params(p: PolicyPreview) -> dict[str, str | int]:
    """What the case's refusals name: the version it already runs on, or the case."""
    return {"version": p.to_version, "complaint_id": p.complaint_id}


def text(previews: Sequence[PolicyPreview], lang: str, zone: str = DEFAULT_ZONE) -> str:
    """The table as plain text for a terminal."""
    shown = table(previews, lang, zone)
    lines = [shown.summary, ""]
    if shown.deadline_rows:
        lines += [*_columns([shown.deadline_header, *shown.deadline_rows]), ""]
    if shown.setting_rows:
        lines += [*_columns([shown.setting_header, *shown.setting_rows]), ""]
    lines += shown.refused
    return "\n".join(lines).rstrip() + "\n"


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def _width(cell: str) -> int:
    """Columns a cell takes in a terminal: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in cell)
