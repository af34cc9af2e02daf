"""The follow-up's days and what a survey answer must be (R-FU-1), pure.

The invitation is due on the policy's day (3 after closing), the reminder on its own (5), the
window ends on the last (7). Asking is polite: the invitation and the reminder go out at the
first moment from their day that lies in the calendar's working hours and outside quiet hours.
If that pushes the invitation later (a weekend, a holiday week), the reminder and the end move
by as much, so the customer always has the whole window to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.actions import SurveyAnswer
from schemas.case import CaseState, Stage
from schemas.refusals import Refusal, RefusalCode
from schemas.sla import SlaPolicy
from schemas.survey import ANSWER_FACT, FIXED_QUESTIONS, SCORE_MAX, SCORE_MIN, QuestionKind
from workflows.working_time import sending_moment


@dataclass(frozen=True)
class FollowUpDays:
    invite_at: datetime
    remind_at: datetime | None  # None: the policy sends none, or it would fall after the end
    ends_at: datetime


def follow_up_days(policy: SlaPolicy, closed_at: datetime) -> FollowUpDays:
    calendar, quiet = policy.calendar, policy.quiet_hours
    due = closed_at + policy.follow_up_after
    invite_at = sending_moment(due, calendar, quiet)
    late = invite_at - due
    ends_at = closed_at + policy.follow_up_until + late
    remind_at = None
    if policy.follow_up_reminder_after is not None:
        remind = sending_moment(closed_at + policy.follow_up_reminder_after + late, calendar, quiet)
        remind_at = remind if remind < ends_at else None
    return FollowUpDays(invite_at, remind_at, ends_at)


def survey_open(s: CaseState) -> bool:
    """Whether the case takes a survey answer now: in the follow-up, once invited (or from
    closing on, where the policy takes an answer before the invitation)."""
    if s.stage is not Stage.FOLLOW_UP or s.policy is None:
        return False
    return s.survey_sent_at is not None or s.policy.survey_before_invitation


def answer_refused(s: CaseState, answer: SurveyAnswer) -> Refusal | None:
    """Why the case cannot take `answer` now, or None: it is taken."""
    if s.stage is not Stage.FOLLOW_UP or s.policy is None or s.closed_at is None:
        return Refusal(RefusalCode.SURVEY_NOT_OPEN, {"stage": s.stage.value})
    if not survey_open(s):
        opens = follow_up_days(s.policy, s.closed_at).invite_at
        return Refusal(RefusalCode.SURVEY_NOT_YET_OPEN, {"opens_at": opens.isoformat()})
    return _against_questions(s.policy, answer)


def _against_questions(policy: SlaPolicy, answer: SurveyAnswer) -> Refusal | None:
    asked = {q.key: q for q in policy.survey_questions}
    for key in answer.answers:
        # Seed 000's questions are answered in their own fields, never twice.
        if key not in asked or key in FIXED_QUESTIONS:
            return Refusal(RefusalCode.SURVEY_UNKNOWN_QUESTION, {"question": key})
    given = answer.given()
    for question in policy.survey_questions:
        value = given.get(question.key)
        if value is None:
            if question.required:
                return Refusal(RefusalCode.SURVEY_ANSWER_MISSING, {"question": question.key})
        elif question.kind is QuestionKind.SCORE and not (
            isinstance(value, int) and SCORE_MIN <= value <= SCORE_MAX
        ):
            return Refusal(RefusalCode.SURVEY_ANSWER_NOT_A_SCORE, {"question": question.key})
        elif question.kind is QuestionKind.TEXT and not isinstance(value, str):
            return Refusal(RefusalCode.SURVEY_ANSWER_NOT_WORDS, {"question": question.key})
    return None


def answer_facts(answer: SurveyAnswer) -> dict[str, str]:
    """The answer as timeline facts, one `answer_<key>` per question answered."""
    return {f"{ANSWER_FACT}{key}": str(value) for key, value in answer.given().items()}


def answer_text(answer: SurveyAnswer) -> str:
    """The answer in operators' English, for the timeline's summary."""
    return ", ".join(f"{key} {value}" for key, value in answer.given().items())
