"""What the case page makes of a case for the person reading it: who may see the customer, the
conversation apart from the audit trail, one row per deadline, the grade in a sentence, and
what the case made of an action. Pure: the page handler (web/staff.py) reads, this shapes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

import catalogue
from catalogue import entries
from schemas.case import CaseSnapshot, Deadline, EntryKind, TimelineEntry
from schemas.case_actions import ActionAck
from schemas.classification import Classification, Reason
from schemas.intake import Customer
from schemas.regulatory import RegulatoryDeadline
from web.users import StaffRole, StaffUser
from workflows.case_record import CUSTOMER, SYSTEM

# What was said between the customer and us, oldest first; everything else is bookkeeping,
# kept in the audit trail.
CONVERSATION = frozenset(
    {
        EntryKind.ACKNOWLEDGED,
        EntryKind.CUSTOMER_MESSAGE,
        EntryKind.AGENT_MESSAGE,
        EntryKind.PLAN_PROPOSED,
        EntryKind.PROGRESS,
        EntryKind.REFUSED,
        EntryKind.SURVEY_ANSWERED,
    }
)
# Entries whose summary is a person's own words (until their facts carry `text`).
_WORDS = frozenset(
    {
        EntryKind.CUSTOMER_MESSAGE,
        EntryKind.AGENT_MESSAGE,
        EntryKind.PLAN_PROPOSED,
        EntryKind.PROGRESS,
        EntryKind.FINDING,
        EntryKind.REFUSED,
    }
)
# The operators' English around a person's words in a summary (workflows/closing.py,
# investigation.py): dropped, the page says it in the reader's language.
_AROUND_WORDS = (re.compile(r"^Re-open request: "), re.compile(r" \(compensation [0-9.]+ yuan\)$"))


def staff_of_case(user: StaffUser, case: CaseSnapshot) -> bool:
    """Who sees the customer's name, contacts and account, and the case's files: its owner,
    supervisors and managers, the owner of one of its department tasks, and, while nobody has
    taken it, the agents of the team it waits for (one of them will answer it)."""
    if user.role is not StaffRole.AGENT or case.owner == user.username:
        return True
    if any(task.owner == user.username for task in case.tasks):
        return True
    return case.team_owned and (not user.teams or case.owner in user.teams)


@dataclass(frozen=True)
class CustomerShown:
    anonymous: bool
    name: str
    contacts: list[tuple[str, str]]  # (phone | email | wechat, value)
    account_id: str
    masked: bool


def customer_shown(customer: Customer, visible: bool) -> CustomerShown:
    """The customer as this reader may see them: whole, or masked (王**, +86 *** **** 0000)."""
    contact = customer.contact
    contacts = [
        (kind, value)
        for kind, value in (
            ("phone", contact.phone if contact else None),
            ("email", contact.email if contact else None),
            ("wechat", contact.wechat if contact else None),
        )
        if value
    ]
    name, account = customer.name or "", customer.account_id or ""
    if not visible:
        name, account = _masked(name, keep_head=1), _masked(account, keep_head=2)
        contacts = [(kind, _masked_contact(kind, value)) for kind, value in contacts]
    return CustomerShown(customer.anonymous, name, contacts, account, not visible)


def _masked(value: str, keep_head: int = 0, keep_tail: int = 0) -> str:
    if not value:
        return ""
    tail = value[len(value) - keep_tail :] if keep_tail else ""
    hidden = value[keep_head : len(value) - keep_tail]
    return value[:keep_head] + re.sub(r"[^\s-]", "*", hidden) + tail


def _masked_contact(kind: str, value: str) -> str:
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == "phone":
        return _masked(value, keep_head=3 if value.startswith("+") else 0, keep_tail=4)
    return _masked(value, keep_head=1)


def entry_text(
    kind: str, facts: Mapping[str, str], lang: str, zone: str, now: datetime | None
) -> str:
    """An entry in the reader's words (`catalogue.entries`) when its facts fill its sentence,
    as HTML: every fact escaped, a person's own words marked `.said` (shown as they wrote them,
    in whatever language); else the kind's word (an entry recorded without facts)."""
    if not entries.complete(kind, facts):
        return kind_word(kind, lang)
    safe = {
        name: (_SAID_HTML.format(value) if name in SAID else escape(value))
        for name, value in facts.items()
    }
    return Markup(entries.entry_text(kind, safe, lang, zone, now))


# Facts that hold a person's words (workflows/: what the customer or an agent wrote).
SAID = frozenset(
    {"text", "reason", "plan", "finding", "progress", "note", "subject", "excerpt", "title"}
    | {"summary", "answer_suggestions"}
)
_SAID_HTML = Markup('<span class="said">{}</span>')


def actor_word(actor: str, lang: str, names: Mapping[str, str] | None = None) -> str:
    """Who did it: the desk itself and the customer in the reader's words, staff by their name
    (`names`: username → name) with the id beside it, anyone else by their id."""
    key = f"workspace.actor.{actor}"
    if catalogue.has(key, "en"):
        return catalogue.render(key, lang)
    name = (names or {}).get(actor)
    if not name or name == actor:
        return actor
    return Markup('<span class="said">{}</span> ({})').format(name, actor)  # a name, as written


def kind_word(kind: str, lang: str) -> str:
    return catalogue.render(f"workspace.kind.{kind}", lang)


def words(entry: TimelineEntry) -> str | None:
    """A person's own words in the entry (shown as they wrote them), if it holds any."""
    said = entry.facts.get("text") or entry.facts.get("summary") or entry.facts.get("note")
    if said or entry.kind not in _WORDS or entry.actor == SYSTEM:
        return said  # the desk's own findings are the operators' English, not anyone's words
    text = entry.summary
    for around in _AROUND_WORDS:
        text = around.sub("", text)
    return text


@dataclass(frozen=True)
class Said:
    at: datetime
    by_customer: bool
    kind: str
    actor: str
    channel: str | None  # a customer's message: how it reached us
    words: str | None
    text: str  # what happened, in the reader's words


def conversation(
    timeline: Iterable[TimelineEntry], lang: str, zone: str, now: datetime | None
) -> list[Said]:
    """What the customer and we said to each other, oldest first."""
    return [
        Said(
            e.at,
            e.actor == CUSTOMER,
            e.kind.value,
            e.actor,
            e.facts.get("channel") if e.actor == CUSTOMER else None,
            words(e),
            entry_text(e.kind.value, e.facts, lang, zone, now),
        )
        for e in sorted(timeline, key=lambda e: e.seq)
        if e.kind in CONVERSATION
    ]


def audit(timeline: Iterable[TimelineEntry], kind: str | None) -> list[TimelineEntry]:
    """Every entry, oldest first, or those of one kind."""
    return [e for e in sorted(timeline, key=lambda e: e.seq) if kind in (None, e.kind.value)]


@dataclass(frozen=True)
class DeadlineRow:
    kind: str
    round: int
    due_at: datetime
    state: str  # running, paused, met, met_late, breached, withdrawn
    since: datetime | None  # when it was met, breached, paused or withdrawn
    counting: bool  # its clock runs: a countdown
    regime: str | None = None  # a regulator's clock (its kind is the regime's clock key)


def deadline_rows(deadlines: Iterable[Deadline]) -> list[DeadlineRow]:
    """One row per deadline kind and round, in due order: a recurring deadline (progress
    updates) shows the one that now counts — the pending one, else the latest."""
    latest: dict[tuple[str, int], Deadline] = {}
    for d in deadlines:
        key = (d.kind.value, d.round)
        kept = latest.get(key)
        if kept is None or (d.pending, d.due_at) >= (kept.pending, kept.due_at):
            latest[key] = d
    return sorted((_row(d) for d in latest.values()), key=lambda r: (r.round, r.due_at))


def _row(d: Deadline) -> DeadlineRow:
    if d.met_at is not None:
        state, since = ("met_late" if d.breached_at else "met"), d.met_at
    elif d.breached_at is not None:
        state, since = "breached", d.breached_at
    elif d.withdrawn_at is not None:
        state, since = "withdrawn", d.withdrawn_at
    elif d.paused_at is not None:
        state, since = "paused", d.paused_at
    else:
        state, since = "running", None
    return DeadlineRow(d.kind.value, d.round, d.due_at, state, since, d.running)


def regulatory_rows(deadlines: Iterable[RegulatoryDeadline]) -> list[DeadlineRow]:
    """The regulators' clocks, after the desk's own, in due order (never paused)."""
    rows = []
    for d in sorted(deadlines, key=lambda d: d.due_at):
        if d.met_at is not None:
            state, since = ("met_late" if d.breached_at else "met"), d.met_at
        elif d.breached_at is not None:
            state, since = "breached", d.breached_at
        elif d.withdrawn_at is not None:
            state, since = "withdrawn", d.withdrawn_at
        else:
            state, since = "running", None
        rows.append(DeadlineRow(d.clock, 0, d.due_at, state, since, d.pending, d.regime))
    return rows


# Reasons that moved the grade, by the engine's factor names (grading/engine.py); the model's
# figures and the look-alikes are details, behind a disclosure.
_DETAILS_ONLY = frozenset({"model", "looks like"})


def grade_why(classification: Classification, lang: str) -> str:
    """The grade in one sentence a person would say, with what placed it."""
    reasons = [_reason(r, lang) for r in classification.reasons if _counts(r)]
    key = "workspace.grade_why" if reasons else "workspace.grade_why_model"
    joiner = "；" if lang == "zh" else "; "
    sentence = catalogue.render(
        key,
        lang,
        {
            "severity": classification.severity.value,
            "risk": classification.risk.value,
            "reasons": joiner.join(reasons),
        },
    )
    if classification.needs_triage:
        sentence += " " + catalogue.render("workspace.grade_unsure", lang)
    return sentence


def _counts(reason: Reason) -> bool:
    if reason.factor in _DETAILS_ONLY:
        return False
    return (
        bool(reason.score)
        or reason.factor
        in {
            "receiver's assessment",
            "default",
            "suggestion",
        }
        or reason.factor.startswith("override by")
    )


def _factor_key(reason: Reason) -> str:
    factor = "override" if reason.factor.startswith("override by") else reason.factor
    return re.sub(r"[^a-z]+", "_", factor.lower()).strip("_")


def factor_word(reason: Reason, lang: str) -> str:
    """The factor's name in the reader's words, for the grade's details."""
    key = f"workspace.factor_name.{_factor_key(reason)}"
    return catalogue.render(key, lang) if catalogue.has(key, "en") else reason.factor


def _reason(reason: Reason, lang: str) -> str:
    name = _factor_key(reason)
    if name == "override":
        who = reason.factor.removeprefix("override by").strip()
        return catalogue.render("workspace.factor.override", lang, {"who": who})
    facts: dict[str, str] = {"words": reason.detail.split(" (")[0].split(";")[0]}
    if name == "customer_tier":
        facts = {"tier": catalogue.render(f"workspace.tier.{reason.detail}", lang)}
    elif name == "declared_urgency":
        facts = {"urgency": catalogue.render(f"workspace.urgency.{reason.detail}", lang)}
    elif name == "repeat_complaint":
        facts = {"count": reason.detail.lstrip("#").split(" ")[0]}
    elif name == "receiver_s_assessment":
        facts = {"severity": reason.detail}
    key = f"workspace.factor.{name}"
    if not catalogue.has(key, "en"):
        key = "workspace.factor.other"
    return catalogue.render(key, lang, facts)


def became(answer: object) -> str:
    """What the case made of a staff action, from its acknowledgement: accepted, awaiting a
    supervisor's approval, or kept as a message."""
    if isinstance(answer, ActionAck):
        if EntryKind.APPROVAL_REQUESTED in answer.recorded:
            return "awaiting_approval"
        if EntryKind.REFUSED in answer.recorded:
            return "kept_as_message"
    return "accepted"


BECAME = ("accepted", "awaiting_approval", "kept_as_message")
