"""The grader learning from people with a supervisor's approval: what a scheduled run proposes
and the report a supervisor decides on (docs/grading.md, "Learning with approval")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from catalogue import render
from schemas.classification import Category, Severity


class Figures(BaseModel):
    """How a head grades the frozen set with the rules beside it, as the worker would."""

    model_config = ConfigDict(frozen=True)

    head: str
    accuracy: float = Field(description="Severity accuracy")
    l1_recall: float
    triage: float = Field(description="Share of complaints sent to a person to confirm")
    l1_unguarded: int = Field(description="L1 complaints neither graded L1 nor triaged")


class CaseMove(BaseModel):
    """A past case in the store the candidate would grade differently from the head in use."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    old_severity: Severity
    new_severity: Severity
    old_category: Category
    new_category: Category


class CandidateReport(BaseModel):
    """What changes if the candidate is adopted: the frozen set before and after, and which past
    cases would move (the first `moves`; `moved` counts them all)."""

    model_config = ConfigDict(frozen=True)

    frozen_set: str = Field(description="The fixed labelled set both heads were scored on")
    frozen_examples: int
    before: Figures
    after: Figures
    examples: int = Field(description="Labelled examples trained on, the store's included")
    from_store: int = Field(description="People's grades from the case store among them")
    past_cases: int = Field(description="Past cases graded with both heads")
    moved: int
    moves: list[CaseMove] = Field(default_factory=list)

    def lines(self, lang: str, head: str, based_on: str) -> list[str]:
        """The report as a supervisor reads it, in their language (the CLI and the board)."""
        before, after = self.before, self.after
        lines = [
            render("grading.based_on", lang, {"head": head, "based_on": based_on}),
            render(
                "grading.frozen",
                lang,
                {"frozen_set": self.frozen_set, "count": self.frozen_examples},
            ),
            render(
                "grading.accuracy",
                lang,
                {"before": f"{before.accuracy:.3f}", "after": f"{after.accuracy:.3f}"},
            ),
            render(
                "grading.l1_recall",
                lang,
                {"before": f"{before.l1_recall:.3f}", "after": f"{after.l1_recall:.3f}"},
            ),
            render(
                "grading.triage",
                lang,
                {"before": f"{before.triage:.1%}", "after": f"{after.triage:.1%}"},
            ),
            render(
                "grading.unguarded",
                lang,
                {"before": before.l1_unguarded, "after": after.l1_unguarded},
            ),
            render(
                "grading.trained", lang, {"examples": self.examples, "from_store": self.from_store}
            ),
            render("grading.moved", lang, {"moved": self.moved, "past_cases": self.past_cases}),
        ]
        return lines + [
            render(
                "grading.move",
                lang,
                {
                    "complaint_id": m.complaint_id,
                    "old_severity": m.old_severity.value,
                    "old_category": m.old_category.value,
                    "new_severity": m.new_severity.value,
                    "new_category": m.new_category.value,
                },
            )
            for m in self.moves
        ]


def head_words(version: str | None, lang: str) -> str:
    """A head as a supervisor reads it: its version, or for None the policy's own."""
    return version or render("grading.policy_head", lang)


def decision_words(
    version: str | None, previous: str | None, rollback: bool, by: str, at: datetime, lang: str
) -> str:
    """One adoption or rollback (`case_store.grading_heads.Adoption`) in the reader's words."""
    if rollback:
        params = {"at": at.isoformat(), "by": by, "head": head_words(previous, lang)}
        return render("grading.rolled_back_line", lang, params)
    params = {"at": at.isoformat(), "by": by, "head": head_words(version, lang)}
    return render("grading.adopted_line", lang, params)


class CandidateRun(BaseModel):
    """One scheduled run's request: when it was made (its settings are the worker's)."""

    model_config = ConfigDict(frozen=True)

    at: datetime


class Proposal(BaseModel):
    """What a run did: proposed a new candidate, found the one these inputs already gave, or
    had nothing to learn (no people's grades, no encoder installed)."""

    model_config = ConfigDict(frozen=True)

    head: str | None = None
    created: bool = False
    why_not: str | None = Field(default=None, description="Why no head: nothing to learn")
