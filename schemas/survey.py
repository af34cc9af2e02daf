"""The follow-up survey's questions, as data (R-FU-1): a desk adds one by adding a row.

Seed 000 asks for three scores and a suggestion; each question's words are the catalogue's
`survey.question.<key>` (and `survey.hint.<key>` when it has one), so a question a desk adds
needs its words in every language too.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class QuestionKind(StrEnum):
    SCORE = "score"  # 1 (very poor) to 5 (very good)
    TEXT = "text"


class SurveyQuestion(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: QuestionKind
    required: bool = True


DEFAULT_QUESTIONS: tuple[SurveyQuestion, ...] = (
    SurveyQuestion(key="result", kind=QuestionKind.SCORE),
    SurveyQuestion(key="attitude", kind=QuestionKind.SCORE),
    SurveyQuestion(key="timeliness", kind=QuestionKind.SCORE),
    SurveyQuestion(key="suggestions", kind=QuestionKind.TEXT, required=False),
)
