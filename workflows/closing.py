"""What the customer's own messages do to a case, and how it ends: their replies and re-open
requests (never refused: nothing a customer says is lost), closing on confirmation or silence,
the follow-up survey (its days and checks: workflows/follow_up.py), the re-open round and the
end (R-CO-1..3, R-FU-1), pure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas.actions import CustomerReply, ReopenRequest, ReplyIntent, SurveyAnswer
from schemas.case import AnsweredSurvey, ClosedBy, EntryKind, Outcome, Stage
from schemas.classification import RiskLevel
from schemas.notification import Audience
from schemas.review import REVIEW_OWNER, REVIEW_WITHIN
from schemas.sla import DeadlineKind
from workflows import deadlines, follow_up, regulatory_clock, sla_clock
from workflows.case_record import (
    CUSTOMER,
    SYSTEM,
    Alarm,
    CaseRecord,
    Step,
    excerpt,
    hm,
    refusal_facts,
)
from workflows.stages import Move, can_move

# A customer who writes in a burst (300 replies through a progress link in a few seconds) tells
# the owner once: the first message at once, the rest together when this much time has passed.
OWNER_TOLD_AT_MOST_EVERY = timedelta(minutes=10)


# ---- the customer's signals --------------------------------------------------------------------


def customer_reply(case: CaseRecord, reply: CustomerReply, now: datetime) -> None:
    case.record(
        EntryKind.CUSTOMER_MESSAGE,
        CUSTOMER,
        reply.text,
        now,
        public=True,
        facts={
            "text": reply.text,
            "channel": reply.channel.value if reply.channel else "unknown",
            # what they answered, said in the audit trail (a refusal follows if it did not apply)
            **({"variant": reply.intent.value} if reply.intent is not ReplyIntent.MESSAGE else {}),
        },
    )
    sla_clock.resume(case, now)
    _tell_owner_customer_wrote(case, reply.text, now)
    intent = reply.intent
    stage = case.state.stage
    if intent is ReplyIntent.MESSAGE:
        return
    if intent is ReplyIntent.NOT_RESOLVED and stage in (Stage.CLOSE, Stage.FOLLOW_UP):
        reopen(case, "customer says the problem is not resolved", CUSTOMER, now, in_words=False)
    elif intent is ReplyIntent.ACCEPT_PLAN and can_move(stage, Move.ACCEPT_PLAN):
        case.move(Move.ACCEPT_PLAN, now, actor=CUSTOMER)
        resolve = deadlines.unmet(case.state.deadlines, DeadlineKind.RESOLVE, case.round)
        due = {"due_at": resolve.due_at.isoformat()} if resolve else {}
        case.tell_customer("plan_accepted", now, **due)
    elif intent is ReplyIntent.REJECT_PLAN and can_move(stage, Move.REJECT_PLAN):
        case.state.plan = None
        case.move(Move.REJECT_PLAN, now, actor=CUSTOMER)
        case.tell_staff(
            Audience.OWNER,
            "plan_rejected",
            "The customer rejected the plan",
            now,
            facts={"subject": case.state.intake.subject},
        )
    elif intent is ReplyIntent.CONFIRM_RESOLVED and can_move(stage, Move.CONFIRM_RESULT):
        close(case, ClosedBy.CUSTOMER, Move.CONFIRM_RESULT, now)
    else:
        case.record_refused(
            f"'{intent.value}' does not apply at this stage; kept as a message",
            now,
            why=intent.value,
            facts={"stage": stage.value},
        )


def reopen_request(case: CaseRecord, request: ReopenRequest, now: datetime) -> None:
    case.record(
        EntryKind.CUSTOMER_MESSAGE,
        CUSTOMER,
        f"Re-open request: {request.reason}",
        now,
        public=True,
        facts={"variant": "reopen_request", "reason": request.reason},
    )
    if can_move(case.state.stage, Move.REOPEN):
        reopen(case, request.reason, CUSTOMER, now)
    else:
        # Done: it ended a moment before the request came (`ComplaintDesk.reopen` asked
        # again opens a new linked case).
        why = "has ended" if case.state.stage is Stage.DONE else "is still being handled"
        case.record_refused(
            f"the case {why}; the request is kept as a message",
            now,
            why="reopen_ended" if case.state.stage is Stage.DONE else "reopen_while_handled",
        )
        case.tell_staff(
            Audience.OWNER,
            "customer_message",
            f"Customer asks: {excerpt(request.reason)}",
            now,
            facts={"variant": "reopen_request", "excerpt": excerpt(request.reason)},
        )


def survey_answer(case: CaseRecord, answer: SurveyAnswer, now: datetime) -> None:
    s = case.state
    refusal = follow_up.answer_refused(s, answer)
    if refusal is not None:
        # A signal: never lost. The answer stays on the timeline with why it was not taken.
        case.record(
            EntryKind.REFUSED,
            CUSTOMER,
            f"survey answer refused ({refusal.english()}): {follow_up.answer_text(answer)}",
            now,
            facts={
                "why": "survey_answer",
                **refusal_facts(refusal),
                **follow_up.answer_facts(answer),
            },
        )
        return
    s.survey = answer
    s.surveys.append(AnsweredSurvey(round=s.reopen_count, answered_at=now, answer=answer))
    case.record(
        EntryKind.SURVEY_ANSWERED,
        CUSTOMER,
        follow_up.answer_text(answer),
        now,
        public=True,
        facts=follow_up.answer_facts(answer),
    )
    assert s.policy is not None  # the survey is only open with a policy
    if answer.result < s.policy.reopen_below_score:
        reopen(case, f"follow-up result score {answer.result}", CUSTOMER, now)
    else:
        finish(case, Outcome.CLOSED_CONFIRMED, Move.FINISH_SATISFIED, now)


# ---- the owner hears of the customer's messages, a burst at a time ------------------------------


def _tell_owner_customer_wrote(case: CaseRecord, text: str, now: datetime) -> None:
    s = case.state
    told = s.owner_told_of_messages_at
    if told is not None and now < told + OWNER_TOLD_AT_MOST_EVERY:
        s.messages_untold += 1  # told together when the wait ends (`owner_steps`)
        return
    s.owner_told_of_messages_at, s.messages_untold = now, 0
    case.tell_staff(
        Audience.OWNER,
        "customer_message",
        f"Customer wrote: {excerpt(text)}",
        now,
        facts={"excerpt": excerpt(text)},
    )


def owner_steps(case: CaseRecord) -> list[Step]:
    """The one alarm that tells the owner of the messages a burst held back."""
    s = case.state
    if not s.messages_untold or s.owner_told_of_messages_at is None:
        return []
    due = s.owner_told_of_messages_at + OWNER_TOLD_AT_MOST_EVERY
    return [(due, "tell owner: new customer messages", lambda now: _tell_owner_untold(case, now))]


def _tell_owner_untold(case: CaseRecord, now: datetime) -> None:
    s = case.state
    # A reply's words are its `text` fact; a re-open request's, its `reason`.
    latest = next(
        (
            e.facts.get("text") or e.facts.get("reason") or e.summary
            for e in reversed(s.timeline)
            if e.kind is EntryKind.CUSTOMER_MESSAGE and e.actor == CUSTOMER
        ),
        "",
    )
    count = s.messages_untold
    more = "1 more message" if count == 1 else f"{count} more messages"
    text = f"Customer wrote {more}; the latest: {excerpt(latest)}"
    s.owner_told_of_messages_at, s.messages_untold = now, 0
    # Its own topic: the key (timeline position + topic) must differ from a message told at once.
    case.tell_staff(
        Audience.OWNER,
        "customer_messages",
        text,
        now,
        facts={
            "count": str(count),
            "excerpt": excerpt(latest),
            **({"variant": "one"} if count == 1 else {}),
        },
    )


# ---- closing, the follow-up, the end -------------------------------------------------------------


def close(case: CaseRecord, closed_by: ClosedBy, move: Move, now: datetime) -> None:
    s = case.state
    s.closed_by = closed_by
    s.closed_at = now
    how = {
        ClosedBy.CUSTOMER: "confirmed by the customer",
        ClosedBy.SILENCE: "no confirmation",
        ClosedBy.SUPERVISOR: "closed by the service team after no confirmation",
    }[closed_by]
    case.record(
        EntryKind.CLOSED,
        SYSTEM,
        f"Closed: {how}",
        now,
        public=True,
        facts={"closed_by": closed_by.value},
    )
    case.move(move, now)
    case.tell_customer("closed", now)
    if s.risk is RiskLevel.HIGH:
        # R-CO-3: a major event is reviewed; the workflow starts the review, which outlives
        # the case (workflows/review.py).
        s.reviews_requested.append(s.reopen_count)
        case.record(
            EntryKind.REVIEW_REQUESTED,
            SYSTEM,
            f"high-risk case closed: major-event review by {REVIEW_OWNER} due "
            f"{hm(now + REVIEW_WITHIN)}",
            now,
            facts={"department": REVIEW_OWNER, "due_at": (now + REVIEW_WITHIN).isoformat()},
        )


def finish(case: CaseRecord, outcome: Outcome, move: Move, now: datetime) -> None:
    case.state.outcome = outcome
    case.move(move, now)
    case.record(
        EntryKind.ENDED, SYSTEM, f"Ended: {outcome.value}", now, facts={"outcome": outcome.value}
    )
    sla_clock.withdraw_pending(case, outcome.value, now)
    regulatory_clock.withdraw_pending(case, outcome.value, now)


def reopen(case: CaseRecord, reason: str, actor: str, now: datetime, in_words: bool = True) -> None:
    """Another round. `reason` is the person's own words (`in_words`), else the desk's English
    for a customer saying it is not resolved, which readers see in their own words."""
    s = case.state
    s.reopen_count += 1
    s.round_started_at = now
    s.plan = None
    s.result_delivered_at = None
    s.closed_at = None
    s.closed_by = None
    s.survey_sent_at = None
    s.survey_reminded_at = None
    s.survey = None
    cause = {"reason": reason} if in_words else {"variant": "not_resolved"}
    case.record(
        EntryKind.REOPENED,
        actor,
        f"Re-open #{s.reopen_count}: {reason}",
        now,
        public=True,
        facts={"round": str(s.reopen_count), **cause},
    )
    case.move(Move.REOPEN, now, actor=actor)
    sla_clock.open_round_deadlines(case, now)
    case.tell_staff(
        Audience.OWNER,
        "reopened",
        f"Case re-opened: {reason}",
        now,
        urgent=True,
        facts={"subject": s.intake.subject, **cause},
    )
    case.tell_customer("reopened", now)


def alarms(case: CaseRecord) -> list[Alarm]:
    """The confirmation wait after the result; the follow-up's invitation, reminder and end."""
    s = case.state
    found: list[Alarm] = []
    if s.policy and s.stage is Stage.CLOSE and s.result_delivered_at:
        found.append(
            Alarm(s.result_delivered_at + s.policy.confirmation_wait, "confirmation wait ends")
        )
    if s.policy and s.stage is Stage.FOLLOW_UP and s.closed_at:
        days = follow_up.follow_up_days(s.policy, s.closed_at)
        if s.survey_sent_at is None:
            found.append(Alarm(days.invite_at, "follow-up survey due"))
        elif s.survey_reminded_at is None and days.remind_at is not None:
            found.append(Alarm(days.remind_at, "follow-up reminder due"))
        found.append(Alarm(days.ends_at, "follow-up window ends"))
    return found


def fire_due(case: CaseRecord, now: datetime) -> None:
    s = case.state
    if s.policy is None:
        return
    if (
        s.stage is Stage.CLOSE
        and s.result_delivered_at
        and now >= s.result_delivered_at + s.policy.confirmation_wait
    ):
        close(case, ClosedBy.SILENCE, Move.CLOSE_ON_SILENCE, now)
    if s.stage is Stage.FOLLOW_UP and s.closed_at:
        days = follow_up.follow_up_days(s.policy, s.closed_at)
        ends = {"ends_at": days.ends_at.isoformat()}
        if now >= days.ends_at:
            finish(case, Outcome.CLOSED_NO_RESPONSE, Move.FINISH_NO_RESPONSE, now)
        elif s.survey_sent_at is None and now >= days.invite_at:
            s.survey_sent_at = now
            survey = "Satisfaction survey sent"
            case.record(EntryKind.SURVEY_SENT, SYSTEM, survey, now, public=True, facts=ends)
            case.tell_customer("survey", now, **ends)
        elif (
            s.survey_sent_at is not None
            and s.survey_reminded_at is None
            and days.remind_at is not None
            and now >= days.remind_at
        ):
            s.survey_reminded_at = now
            reminder = "Survey reminder sent"
            case.record(EntryKind.SURVEY_REMINDED, SYSTEM, reminder, now, public=True, facts=ends)
            case.tell_customer("survey_reminder", now, **ends)
