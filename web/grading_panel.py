"""The board's grading panel: the candidate head waiting for a supervisor with its report
(the frozen set before → after, the past cases that would move), Adopt and Reject, and Roll back
to the head in use before the last adoption (docs/grading.md, "Learning with approval"). What the
panel shows is built here and read by the board (web/staff.py); the decisions are posted to
`decide` (web/grading.py), which goes through the desk's service, as the CLI does.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from case_store.grading_heads import Overview
from catalogue import render
from schemas.learning import CandidateReport, decision_words, head_words
from schemas.refusals import Refusal, RefusalCode
from web import i18n

DONE = ("adopted", "rejected", "rolled_back")
WORDS = ("panel", "no_candidates", "adopt", "reject", "rollback")
SHOWN_ADOPTIONS = 5


@dataclass(frozen=True)
class GradingPanel:
    """The panel's texts, in the reader's language."""

    in_use: str
    candidate: str | None  # the head waiting for a decision
    report: list[str]
    history: list[str]  # the latest adoptions and rollbacks, newest first
    can_roll_back: bool
    said: str | None  # what the last decision did, or why it was refused
    refused: bool
    words: dict[str, str]  # the panel's title and buttons


def panel(found: Overview, lang: str, request: Request) -> GradingPanel:
    pending = next((h for h in found.heads if h.status.value == "candidate"), None)
    report = (
        CandidateReport.model_validate(pending.report).lines(
            lang, pending.version, pending.based_on
        )
        if pending
        else []
    )
    history = [
        decision_words(a.version, a.previous, a.rollback, a.by, a.at, lang)
        for a in reversed(found.adoptions[-SHOWN_ADOPTIONS:])
    ]
    said, refused = _said(request, lang)
    return GradingPanel(
        in_use=render("grading.in_use", lang, {"head": head_words(found.in_use, lang)}),
        candidate=pending.version if pending else None,
        report=report,
        history=history,
        can_roll_back=found.in_use is not None,
        said=said,
        refused=refused,
        words={w: render(f"grading.{w}", lang) for w in WORDS},
    )


def _said(request: Request, lang: str) -> tuple[str | None, bool]:
    """The outcome the redirect after a decision carries: a done word or a refusal's code."""
    q = request.query_params
    head = q.get("head") or ""
    if q.get("grading") in DONE:
        return render(
            f"grading.{q['grading']}", lang, {"head": head_words(head or None, lang)}
        ), False
    try:
        code = RefusalCode(q.get("grading_refused", ""))
    except ValueError:
        return None, False
    return i18n.refusal(Refusal(code, {"head": head} if head else {}), lang), True
