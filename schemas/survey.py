"""The follow-up survey's questions, as data (R-FU-1): a desk adds one by adding a row.

Seed 000 asks for three scores and a suggestion; each question's words are the catalogue's
`survey.question.<key>` (and `survey.hint.<key>` when it has one), so a question a desk adds
needs its words in every language too. A policy's `survey_questions` lists them; seed 000's are
answered in `SurveyAnswer`'s own fields, any other in its `answers` (docs/follow-up.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class QuestionKind(StrEnum):
    SCORE = "score"  # 1 (very poor) to 5 (very good)
    TEXT = "text"


# A catalogue key's tail (`survey.question.<key>`) and a fact's name: lower-case words.
QuestionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class SurveyQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: QuestionKey
    kind: QuestionKind
    required: bool = True


# A survey answer on the timeline: one fact `answer_<key>` per question answered.
ANSWER_FACT = "answer_"

DEFAULT_QUESTIONS: tuple[SurveyQuestion, ...] = (
    SurveyQuestion(key="result", kind=QuestionKind.SCORE),
    SurveyQuestion(key="attitude", kind=QuestionKind.SCORE),
    SurveyQuestion(key="timeliness", kind=QuestionKind.SCORE),
    SurveyQuestion(key="suggestions", kind=QuestionKind.TEXT, required=False),
)

# Seed 000's questions have fields of their own in `SurveyAnswer`; the scores every survey asks
# (a low result re-opens the case, R-FU-2).
FIXED_SCORES = ("result", "attitude", "timeliness")
FIXED_QUESTIONS = (*FIXED_SCORES, "suggestions")
SCORE_MIN, SCORE_MAX = 1, 5
