"""The follow-up as R-FU-1 says: the survey's invitation on day 3 after closing, in working hours
and outside quiet hours, a reminder on day 5, the end on day 7 with no response; an answer before
the invitation refused unless the policy takes it; questions as data, an added one answered and
a bad answer refused and kept. The days' arithmetic is pure; the lifecycle runs on the real
Temporal test server with time skipped."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from catalogue import LANGUAGES, messages
from policies import packaged
from schemas import Audience, EntryKind, Outcome, SlaPolicy, Stage, SurveyAnswer
from schemas.calendar import BusinessCalendar, QuietHours
from schemas.refusals import RefusalCode
from schemas.survey import DEFAULT_QUESTIONS, QuestionKind, SurveyQuestion
from tests.support.cases import classified
from tests.support.desk import ROUND_THE_CLOCK, Desk, eventually, running_desk
from tests.support.lifecycle import drive_to_close
from workflows.follow_up import answer_refused, follow_up_days
from workflows.working_time import sending_moment

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = BusinessCalendar(name="office")  # Monday to Friday, 09:00-18:00 in Shanghai
NIGHTS = QuietHours()  # 21:00-08:00 in Shanghai
# National Day 2026: 1-7 October off, Saturday 10 October worked in exchange (调休).
NATIONAL_DAY = BusinessCalendar(
    name="china-office",
    holidays=frozenset(datetime(2026, 10, d).date() for d in (1, 2, 5, 6, 7)),
    extra_working_days=frozenset({datetime(2026, 10, 10).date()}),
)
POLITE = ROUND_THE_CLOCK.model_copy(update={"calendar": OFFICE, "quiet_hours": NIGHTS})
ADDED = (
    *DEFAULT_QUESTIONS,
    SurveyQuestion(key="would_recommend", kind=QuestionKind.SCORE),
    SurveyQuestion(key="installer", kind=QuestionKind.TEXT, required=False),
)
SCORES = {"result": 5, "attitude": 4, "timeliness": 4}


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# ---- the days, pure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "calendar", "quiet", "sent"),
    [
        (local(2026, 12, 10, 10), OFFICE, NIGHTS, local(2026, 12, 10, 10)),  # Thursday, working
        (local(2026, 12, 12, 10), OFFICE, NIGHTS, local(2026, 12, 14, 9)),  # Saturday → Monday
        (local(2026, 12, 10, 18, 30), OFFICE, NIGHTS, local(2026, 12, 11, 9)),  # after hours
        (local(2026, 12, 10, 7), OFFICE, NIGHTS, local(2026, 12, 10, 9)),  # before opening
        (local(2026, 10, 2, 10), NATIONAL_DAY, NIGHTS, local(2026, 10, 8, 9)),  # holiday week
        (local(2026, 10, 10, 10), NATIONAL_DAY, NIGHTS, local(2026, 10, 10, 10)),  # 调休 Saturday
        (local(2026, 12, 10, 22), None, NIGHTS, local(2026, 12, 11, 8)),  # no calendar: quiet only
        (local(2026, 12, 12, 22), None, None, local(2026, 12, 12, 22)),  # neither: when due
    ],
    ids=[
        "working",
        "weekend",
        "after-hours",
        "before-opening",
        "holiday",
        "exchanged-working-day",
        "quiet-hours",
        "any-time",
    ],
)
def test_a_customer_is_asked_in_working_hours_and_outside_quiet_hours(
    due: datetime,
    calendar: BusinessCalendar | None,
    quiet: QuietHours | None,
    sent: datetime,
) -> None:
    assert sending_moment(due, calendar, quiet) == sent


def test_quiet_hours_that_cover_the_working_day_leave_the_working_hours_to_go_by() -> None:
    all_day = QuietHours(begins=time(7, 0), ends=time(19, 0))
    due = local(2026, 12, 12, 10)  # Saturday
    assert sending_moment(due, OFFICE, all_day) == local(2026, 12, 14, 9)


def test_the_follow_up_days_of_a_case_closed_on_a_monday_morning() -> None:
    days = follow_up_days(POLITE, local(2026, 12, 7, 10))
    assert days.invite_at == local(2026, 12, 10, 10)  # day 3, Thursday
    assert days.remind_at == local(2026, 12, 14, 9)  # day 5 is a Saturday: Monday morning
    assert days.ends_at == local(2026, 12, 14, 10)  # day 7


def test_an_invitation_pushed_past_a_holiday_week_keeps_the_whole_window() -> None:
    policy = POLITE.model_copy(update={"calendar": NATIONAL_DAY})
    days = follow_up_days(policy, local(2026, 9, 29, 10))  # day 3 is 2 October, a holiday
    assert days.invite_at == local(2026, 10, 8, 9)
    assert days.remind_at == local(2026, 10, 10, 9)  # two days on, a worked Saturday
    assert days.ends_at == local(2026, 10, 12, 9)  # four days after the invitation


def test_a_reminder_that_would_fall_after_the_end_is_not_sent() -> None:
    policy = POLITE.model_copy(
        update={
            "follow_up_reminder_after": timedelta(days=4, hours=12),  # Friday 22:00
            "follow_up_until": timedelta(days=5),  # Saturday 10:00
        }
    )
    days = follow_up_days(policy, local(2026, 12, 7, 10))
    assert days.ends_at == local(2026, 12, 12, 10) and days.remind_at is None


# ---- the policy's fields --------------------------------------------------------------------------


def policy_with(**fields: object) -> dict[str, object]:
    return {**ROUND_THE_CLOCK.model_dump(mode="json"), **fields}


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"follow_up_reminder_after": "P2D"}, "follow_up_reminder_after must be after"),
        ({"follow_up_reminder_after": "P8D"}, "follow_up_reminder_after must be after"),
        ({"follow_up_after": "P7D", "follow_up_reminder_after": None}, "follow_up_after must be"),
        (
            {"survey_questions": [*DEFAULT_QUESTIONS[:3]] * 2},
            "survey question asked twice: attitude, result, timeliness",
        ),
        ({"survey_questions": [{"key": "result", "kind": "text"}]}, "the survey must ask"),
        ({"survey_questions": [{"key": "Result!", "kind": "score"}]}, "String should match"),
    ],
    ids=[
        "reminder-before-invitation",
        "reminder-after-end",
        "invitation-at-end",
        "question-twice",
        "score-missing",
        "bad-key",
    ],
)
def test_a_follow_up_out_of_order_or_a_survey_that_cannot_be_answered_is_refused(
    fields: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        SlaPolicy.model_validate(policy_with(**fields))


def test_a_policy_that_names_no_reminder_and_closes_before_day_5_has_none() -> None:
    """Policies written before reminders (a follow-up of seconds for a benchmark) still read."""
    short = policy_with(follow_up_after="PT1S", follow_up_until="PT60S")
    del short["follow_up_reminder_after"]
    assert SlaPolicy.model_validate(short).follow_up_reminder_after is None


def test_the_shipped_policies_follow_up_on_days_3_5_and_7_and_refuse_early_answers() -> None:
    for name in ("sla-seed-000.json", "sla-seed-004.json", "sla-working-days.json"):
        policy = SlaPolicy.model_validate_json(packaged(name).read_text(encoding="utf-8"))
        assert (
            policy.follow_up_after,
            policy.follow_up_reminder_after,
            policy.follow_up_until,
        ) == (timedelta(days=3), timedelta(days=5), timedelta(days=7)), name
        assert policy.survey_before_invitation is False
        assert policy.survey_questions == DEFAULT_QUESTIONS


def test_every_default_question_has_its_words_in_every_language() -> None:
    for question in DEFAULT_QUESTIONS:
        for lang in LANGUAGES:
            assert f"survey.question.{question.key}" in messages(lang), (lang, question.key)


@pytest.mark.parametrize(
    ("answers", "suggestions", "code", "question"),
    [
        ({"would_recommend": 4, "colour": 3}, None, RefusalCode.SURVEY_UNKNOWN_QUESTION, "colour"),
        ({"result": 4, "would_recommend": 4}, None, RefusalCode.SURVEY_UNKNOWN_QUESTION, "result"),
        ({"installer": "王师傅"}, None, RefusalCode.SURVEY_ANSWER_MISSING, "would_recommend"),
        ({"would_recommend": 9}, None, RefusalCode.SURVEY_ANSWER_NOT_A_SCORE, "would_recommend"),
        (
            {"would_recommend": "很好"},
            None,
            RefusalCode.SURVEY_ANSWER_NOT_A_SCORE,
            "would_recommend",
        ),
        (
            {"would_recommend": 4, "installer": 5},
            None,
            RefusalCode.SURVEY_ANSWER_NOT_WORDS,
            "installer",
        ),
    ],
    ids=[
        "unknown",
        "seed-question-twice",
        "missing",
        "out-of-range",
        "words-for-a-score",
        "score-for-words",
    ],
)
def test_an_answer_the_policy_does_not_ask_for_is_refused_with_its_code(
    answers: dict[str, int | str], suggestions: str | None, code: RefusalCode, question: str
) -> None:
    case = classified()
    case.state.policy = ROUND_THE_CLOCK.model_copy(
        update={"survey_questions": ADDED, "survey_before_invitation": True}
    )
    case.state.stage, case.state.closed_at = Stage.FOLLOW_UP, datetime(2026, 12, 7, tzinfo=UTC)
    refusal = answer_refused(
        case.state, SurveyAnswer(**SCORES, suggestions=suggestions, answers=answers)
    )
    assert refusal is not None and refusal.code is code and refusal.params == {"question": question}


# ---- on the test server -------------------------------------------------------------------------


async def until_monday_morning(env: WorkflowEnvironment) -> None:
    """The test server's clock starts at the wall clock: move it to the next Monday, 10:00 in
    Shanghai, so that the days fall the same whenever the suite runs."""
    now = (await env.get_current_time()).astimezone(SHANGHAI)
    monday = datetime.combine(
        now.date() + timedelta(days=7 - now.weekday()), time(10, 0), tzinfo=SHANGHAI
    )
    await env.sleep(monday - now)


async def closed(desk: Desk) -> tuple[str, datetime]:
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.api.reply(cid, {"text": "好了，谢谢", "intent": "confirm_resolved"})
    case = await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    assert case.closed_at is not None
    return cid, case.closed_at


async def refused_answers(desk: Desk, cid: str) -> list[dict[str, str]]:
    """What the timeline kept of refused survey answers (the code, its parameters, the
    answer), once it has kept one: a signal is applied after it is sent."""

    async def probe() -> list[dict[str, str]] | None:
        timeline = await desk.api.timeline(cid, 0)
        kept = [e.facts for e in timeline if e.kind is EntryKind.REFUSED and "refusal" in e.facts]
        return kept or None

    return await eventually(probe)


async def test_invitation_on_day_3_reminder_and_no_response_on_day_7(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    await until_monday_morning(env)
    async with running_desk(env.client, env, pool, POLITE, "follow-up-days") as desk:
        cid, closed_at = await closed(desk)
        assert closed_at.astimezone(SHANGHAI).weekday() == 0  # Monday

        # An answer before the invitation: refused by default, kept with its code.
        case = await desk.api.snapshot(cid)
        assert not case.survey_open and case.survey_questions == list(DEFAULT_QUESTIONS)
        await desk.api.answer_survey(cid, {**SCORES, "suggestions": "早点上门"})
        kept = await refused_answers(desk, cid)
        days = follow_up_days(POLITE, closed_at)
        assert kept == [
            {
                "why": "survey_answer",
                "refusal": RefusalCode.SURVEY_NOT_YET_OPEN.value,
                "opens_at": days.invite_at.isoformat(),
                "answer_result": "5",
                "answer_attitude": "4",
                "answer_timeliness": "4",
                "answer_suggestions": "早点上门",
            }
        ]
        assert (await desk.api.snapshot(cid)).stage is Stage.FOLLOW_UP

        await desk.skip(days.invite_at - await desk.now() + timedelta(minutes=1))
        invited = await desk.until(cid, lambda s: s.survey_sent_at is not None)
        assert invited.survey_open and invited.survey_sent_at is not None
        sent = invited.survey_sent_at.astimezone(SHANGHAI)
        assert sent.date() - closed_at.astimezone(SHANGHAI).date() == timedelta(days=3)
        assert time(9) <= sent.time() < time(18) and sent.weekday() < 5  # Thursday, working hours

        assert days.remind_at is not None
        await desk.skip(days.remind_at - await desk.now() + timedelta(minutes=1))
        reminded = await desk.until(cid, lambda s: s.survey_reminded_at is not None)
        assert reminded.survey_reminded_at is not None
        reminder = reminded.survey_reminded_at.astimezone(SHANGHAI)
        assert (reminder.weekday(), reminder.time().hour) == (0, 9)  # day 5 is Saturday: Monday

        await desk.skip(days.ends_at - await desk.now() + timedelta(minutes=1))
        final = await desk.until(cid, lambda s: s.stage is Stage.DONE)
        assert final.outcome is Outcome.CLOSED_NO_RESPONSE and final.survey is None
        timeline = await desk.api.timeline(cid, 0)
        ended = next(e for e in timeline if e.kind is EntryKind.ENDED)
        assert ended.at - closed_at < timedelta(days=7, minutes=1)
        assert ended.at.astimezone(SHANGHAI).date() - closed_at.astimezone(
            SHANGHAI
        ).date() == timedelta(days=7)
        told = await desk.notified(cid, Audience.CUSTOMER)
        assert told[-3:] == ["closed", "survey", "survey_reminder"]


async def test_an_early_answer_is_taken_where_the_policy_allows_it(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    early = ROUND_THE_CLOCK.model_copy(update={"survey_before_invitation": True})
    async with running_desk(env.client, env, pool, early, "early-answer") as desk:
        cid, _ = await closed(desk)
        case = await desk.until(cid, lambda s: s.survey_open)
        assert case.survey_sent_at is None
        await desk.api.answer_survey(cid, SCORES)
        final = await desk.api.outcome(cid)
        assert final.outcome is Outcome.CLOSED_CONFIRMED and final.survey is not None
        assert final.survey_sent_at is None and "survey" not in await desk.notified(cid)


async def test_an_added_question_is_answered_and_a_bad_answer_is_refused_and_kept(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    asking = ROUND_THE_CLOCK.model_copy(update={"survey_questions": ADDED})
    async with running_desk(env.client, env, pool, asking, "added-question") as desk:
        cid, _ = await closed(desk)
        await desk.skip(timedelta(days=3, minutes=1))
        case = await desk.until(cid, lambda s: s.survey_open)
        assert [q.key for q in case.survey_questions] == [q.key for q in ADDED]

        await desk.api.answer_survey(cid, {**SCORES, "answers": {"would_recommend": 9}})
        kept = await refused_answers(desk, cid)
        assert kept[0]["refusal"] == RefusalCode.SURVEY_ANSWER_NOT_A_SCORE.value
        assert kept[0]["question"] == "would_recommend" and kept[0]["answer_would_recommend"] == "9"
        assert (await desk.api.snapshot(cid)).stage is Stage.FOLLOW_UP  # still open to answer

        answers = {"would_recommend": 5, "installer": "王师傅很专业"}
        await desk.api.answer_survey(cid, {**SCORES, "answers": answers})
        final = await desk.api.outcome(cid)
        assert final.outcome is Outcome.CLOSED_CONFIRMED
        assert final.survey is not None and final.survey.answers == answers
        timeline = await desk.api.timeline(cid, 0)
        answered = next(e for e in timeline if e.kind is EntryKind.SURVEY_ANSWERED)
        assert answered.facts["answer_would_recommend"] == "5"
        assert answered.facts["answer_installer"] == "王师傅很专业"
