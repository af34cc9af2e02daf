"""The customer's progress page in the reader's words (pure): every text on it comes from the
message catalogue (`progress.*`), worded from the view's codes and facts, in the reader's
language and time zone. Only words a person wrote (the customer's, or ours to them) are shown as
written; nothing internal (stage codes, agent ids, severity, the operators' English) is in the
view to begin with (`workflows.customer_view`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from catalogue import DEFAULT_ZONE, company, messages, moment, render
from catalogue.entries import composed
from schemas.customer_view import CustomerEntry, CustomerView
from schemas.survey import QuestionKind


@dataclass(frozen=True)
class Step:
    name: str
    state: str  # past, now, next
    reached: str | None
    reached_at: str | None  # ISO, for <time datetime>
    promise: str | None


@dataclass(frozen=True)
class Said:
    by: str  # you, us
    who: str
    when: str
    at: str  # ISO, for <time datetime>
    words: str


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # score, text
    label: str
    required: bool


@dataclass(frozen=True)
class ProgressPage:
    company: str
    title: str
    ended: str | None
    steps: list[Step]
    conversation: list[Said]
    plan: str | None
    compensation: str | None
    questions: list[Question] = field(default_factory=list)


def company_name(configured: Mapping[str, str], lang: str) -> str:
    """The company the page speaks for (`catalogue.company`: the `COMPANY_NAME` setting)."""
    return company(configured, lang)


def page(
    view: CustomerView,
    lang: str,
    now: datetime,
    company: Mapping[str, str] = MappingProxyType({}),
    zone: str = DEFAULT_ZONE,
) -> ProgressPage:
    def say(key: str, facts: dict[str, str] | None = None) -> str:
        return render(key, lang, facts, zone, now)

    plan = view.plan
    return ProgressPage(
        company=company_name(company, lang),
        title=say("progress.title", {"complaint_id": view.complaint_id}),
        ended=say(f"progress.ended.{view.outcome.value}") if view.outcome else None,
        steps=[
            Step(
                name=say(f"progress.stage.{n.stage.value}"),
                state=n.state,
                reached=moment(n.reached_at, lang, zone, now) if n.reached_at else None,
                reached_at=n.reached_at.isoformat() if n.reached_at else None,
                promise=say(
                    f"progress.promise.{n.promise.kind.value}",
                    {"due_at": n.promise.due_at.isoformat()},
                )
                if n.promise
                else None,
            )
            for n in view.nodes
        ],
        conversation=[
            Said(
                by=e.by,
                who=say(f"progress.by.{e.by}"),
                when=moment(e.at, lang, zone, now),
                at=e.at.isoformat(),
                words=entry_words(e, lang, zone, now),
            )
            for e in view.entries
        ],
        plan=plan,
        compensation=say(
            "progress.plan.compensation", {"compensation_yuan": str(view.compensation_yuan)}
        )
        if plan and view.compensation_yuan
        else None,
        questions=[
            Question(q.key, q.kind.value, question_label(q.key, lang), q.required)
            for q in view.survey_questions
            if q.kind in (QuestionKind.SCORE, QuestionKind.TEXT)
        ]
        if view.survey_open
        else [],
    )


def entry_words(entry: CustomerEntry, lang: str, zone: str, now: datetime) -> str:
    """Words a person wrote, as written; else the entry's sentence with the most of its facts:
    `progress.entry.<kind>.<variant>` whose placeholders the facts all fill, or the plain
    `progress.entry.<kind>` (no placeholders) for an entry without them (old histories)."""
    if entry.facts.get("request") == "reopen":
        return render("progress.entry.reopen_request", lang, {"text": entry.text or ""})
    if entry.text:
        return entry.text
    base = f"progress.entry.{entry.kind.value}"
    facts = dict(entry.facts)
    if "plan" in facts:  # the agent's sentence, inside ours: its own full stop would double
        facts["plan"] = facts["plan"].rstrip("。.！!；; ")
    facts |= composed(facts, lang)
    fitting = [
        (len(needs), key)
        for key in messages("en")
        if key.startswith(base + ".")
        and (needs := _placeholders(messages("en")[key]))
        and needs <= facts.keys()
    ]
    key = max(fitting)[1] if fitting else base
    return render(key, lang, facts, zone, now)


def question_label(key: str, lang: str) -> str:
    """A survey question's words (`survey.question.<key>`, the survey's own); a question this
    page knows keeps its words if that entry is missing; one it does not shows its key."""
    for entry in (f"survey.question.{key}", f"progress.survey.question.{key}"):
        if entry in messages(lang):
            return render(entry, lang)
    return render("progress.survey.question", lang, {"key": key})


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
